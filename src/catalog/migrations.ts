// Numbered schema migrations for the SQLite catalog; each runs once, in order, in a transaction.

export const MIGRATIONS: string[] = [
  `CREATE TABLE resources (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     key TEXT NOT NULL UNIQUE,
     id TEXT NOT NULL,
     type TEXT NOT NULL,
     parent_key TEXT,
     parent_id TEXT,
     body TEXT NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE INDEX resources_type_parent ON resources (type, parent_key, seq);
   CREATE TABLE operations (id TEXT PRIMARY KEY, body TEXT NOT NULL);
   CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE tasks (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     kind TEXT NOT NULL,
     payload TEXT NOT NULL,
     run_at TEXT NOT NULL,
     status TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     job_key TEXT UNIQUE,
     locked_by TEXT,
     locked_until TEXT,
     last_error TEXT,
     created_at TEXT NOT NULL
   );
   CREATE INDEX tasks_due ON tasks (status, run_at);`,
  // The audit log (issue 19): append-only; only the maintenance worker removes entries past retention.
  `CREATE TABLE audit_log (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     event_timestamp TEXT NOT NULL,
     scope_key TEXT NOT NULL,
     caller_key TEXT NOT NULL,
     caller_name_key TEXT NOT NULL,
     body TEXT NOT NULL
   );
   CREATE INDEX audit_log_time ON audit_log (event_timestamp);
   CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;`,
  // Leases (issue 22): one process of many runs each periodic sweep (catalog.ts acquireLease).
  `CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, lease_until TEXT NOT NULL);`,
  // Task groups (issue 22): one task of a group (a datasource's backups and restores) runs at a time.
  `ALTER TABLE tasks ADD COLUMN group_key TEXT;
   CREATE INDEX tasks_running_group ON tasks (group_key, status) WHERE group_key IS NOT NULL;`,
];
