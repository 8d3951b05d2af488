// Numbered schema migrations for the PostgreSQL catalog (postgres.ts), in the schema `dpvault`:
// each runs once, in order, in a transaction, and `dpvault.schema_version` records the versions
// applied. Text columns that are compared or ordered use the "C" collation, so that prefixes and
// ORDER BY key behave as in SQLite (byte order), whatever the database's default collation.
// The task queue is not here: it is the task-queue interface's business (src/queue/).

export const PG_SCHEMA = 'dpvault';

export const PG_MIGRATIONS: string[] = [
  `CREATE TABLE dpvault.resources (
     seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     key TEXT COLLATE "C" NOT NULL UNIQUE,
     id TEXT NOT NULL,
     type TEXT COLLATE "C" NOT NULL,
     parent_key TEXT COLLATE "C",
     parent_id TEXT,
     body TEXT NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE INDEX resources_type_parent ON dpvault.resources (type, parent_key, seq);
   CREATE TABLE dpvault.operations (id TEXT COLLATE "C" PRIMARY KEY, status TEXT NOT NULL, body TEXT NOT NULL);
   CREATE INDEX operations_status ON dpvault.operations (status, id);
   CREATE TABLE dpvault.settings (key TEXT COLLATE "C" PRIMARY KEY, value TEXT NOT NULL);`,
  // The audit log: append-only. A trigger refuses UPDATE, DELETE and TRUNCATE unless the
  // transaction set dpvault.audit_prune (SET LOCAL), which only the catalog's pruneAudit does.
  `CREATE TABLE dpvault.audit_log (
     seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     event_timestamp TEXT COLLATE "C" NOT NULL,
     scope_key TEXT COLLATE "C" NOT NULL,
     caller_key TEXT COLLATE "C" NOT NULL,
     caller_name_key TEXT COLLATE "C" NOT NULL,
     body TEXT NOT NULL
   );
   CREATE INDEX audit_log_time ON dpvault.audit_log (event_timestamp);
   CREATE FUNCTION dpvault.audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'DELETE' AND coalesce(current_setting('dpvault.audit_prune', true), '') = 'on' THEN
       RETURN OLD;
     END IF;
     RAISE EXCEPTION 'the audit log is append-only';
   END $$;
   CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON dpvault.audit_log
     FOR EACH ROW EXECUTE FUNCTION dpvault.audit_log_append_only();
   CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON dpvault.audit_log
     FOR EACH STATEMENT EXECUTE FUNCTION dpvault.audit_log_append_only();`,
  // Leases: one process of many runs each periodic sweep (catalog.ts acquireLease).
  `CREATE TABLE dpvault.leases (name TEXT COLLATE "C" PRIMARY KEY, holder TEXT NOT NULL, lease_until TEXT COLLATE "C" NOT NULL);`,
];
