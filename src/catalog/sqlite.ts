// The embedded catalog: one SQLite file in WAL mode (sqlite-connection.ts), which the embedded
// task queue (queue/sqlite.ts) shares.
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { resourceKey } from '../domain/resource-id.ts';
import { acquireLeaseSql, auditWhere, pageOf, resourceColumns, resourceWhere, toResource, type ResourceRow } from './catalog-queries.ts';
import type { AuditEntry, AuditQuery, Catalog, ListQuery, OperationRecord, Page, StoredAuditEntry, StoredResource } from './catalog.ts';
import { SqliteConnection } from './sqlite-connection.ts';
import { systemClock, type Clock } from '../util/clock.ts';

export class SqliteCatalog implements Catalog {
  readonly #conn: SqliteConnection;
  readonly #db: DatabaseSync;
  /** Stamps resources' creation and update times (bookkeeping, the wall clock by default). */
  readonly #clock: Clock;

  /** Opens the file at `path`, or uses a connection another part (the task queue) shares. */
  constructor(pathOrConnection: string | SqliteConnection, clock: Clock = systemClock) {
    this.#conn = typeof pathOrConnection === 'string' ? new SqliteConnection(pathOrConnection) : pathOrConnection;
    this.#db = this.#conn.db;
    this.#clock = clock;
  }

  async getResource<B>(id: string): Promise<StoredResource<B> | undefined> {
    const row = this.#db.prepare('SELECT * FROM resources WHERE key = ?').get(resourceKey(id)) as ResourceRow | undefined;
    return row ? toResource<B>(row) : undefined;
  }

  async putResource(r: StoredResource): Promise<void> {
    return this.#write(() => {
      const now = this.#clock.now().toISOString();
      this.#db
        .prepare(
          `INSERT INTO resources (key, id, type, parent_key, parent_id, body, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET type = excluded.type, parent_key = excluded.parent_key,
             parent_id = excluded.parent_id, body = excluded.body, updated_at = excluded.updated_at`,
        )
        .run(...resourceColumns(r, now));
    });
  }

  async deleteResource(id: string): Promise<boolean> {
    return this.#write(() => {
      const res = this.#db.prepare('DELETE FROM resources WHERE key = ?').run(resourceKey(id));
      return Number(res.changes) > 0;
    });
  }

  #where(q: Omit<ListQuery, 'limit'>): { sql: string; args: SQLInputValue[] } {
    const args: SQLInputValue[] = [];
    const sql = resourceWhere(q, (v) => (args.push(v), '?'));
    return { sql, args };
  }

  async listResources<B>(q: ListQuery): Promise<Page<StoredResource<B>>> {
    const { sql, args } = this.#where(q);
    const rows = this.#db
      .prepare(`SELECT *, seq FROM resources WHERE ${sql} ORDER BY seq LIMIT ?`)
      .all(...args, q.limit === undefined ? -1 : q.limit + 1) as unknown as (ResourceRow & { seq: number })[];
    return pageOf(rows, q.limit, (r) => toResource<B>(r));
  }

  async countResources(q: Omit<ListQuery, 'limit' | 'after'>): Promise<number> {
    const { sql, args } = this.#where(q);
    const row = this.#db.prepare(`SELECT count(*) AS n FROM resources WHERE ${sql}`).get(...args) as { n: number };
    return Number(row.n);
  }

  async getOperation(id: string): Promise<OperationRecord | undefined> {
    const row = this.#db.prepare('SELECT body FROM operations WHERE id = ?').get(id) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as OperationRecord) : undefined;
  }

  async putOperation(op: OperationRecord): Promise<void> {
    return this.#write(() => {
      this.#db
        .prepare('INSERT INTO operations (id, body) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body')
        .run(op.id, JSON.stringify(op));
    });
  }

  async listOperations(status: OperationRecord['status']): Promise<OperationRecord[]> {
    const rows = this.#db.prepare("SELECT body FROM operations WHERE json_extract(body, '$.status') = ? ORDER BY id").all(status) as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as OperationRecord);
  }

  async getSetting(key: string): Promise<string | undefined> {
    const row = this.#db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  async setSetting(key: string, value: string): Promise<void> {
    return this.#write(() => {
      this.#db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
    });
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    return this.#write(() => {
      this.#db
        .prepare('INSERT INTO audit_log (event_timestamp, scope_key, caller_key, caller_name_key, body) VALUES (?, ?, ?, ?, ?)')
        .run(entry.eventTimestamp, resourceKey(entry.resourceId), entry.caller.toLowerCase(), entry.callerName.toLowerCase(), JSON.stringify(entry));
    });
  }

  async queryAudit(q: AuditQuery): Promise<StoredAuditEntry[]> {
    const args: SQLInputValue[] = [];
    const where = auditWhere(q, (v) => (args.push(v), '?'));
    const sql = `SELECT seq, body FROM audit_log ${where} ORDER BY seq DESC${q.limit !== undefined ? ' LIMIT ?' : ''}`;
    if (q.limit !== undefined) args.push(q.limit);
    const rows = this.#db.prepare(sql).all(...args) as { seq: number; body: string }[];
    return rows.map((r) => ({ seq: r.seq, entry: JSON.parse(r.body) as AuditEntry }));
  }

  async pruneAudit(before: string): Promise<number> {
    return this.#write(() => Number(this.#db.prepare('DELETE FROM audit_log WHERE event_timestamp < ?').run(before).changes));
  }

  async listSettings(prefix: string): Promise<{ key: string; value: string }[]> {
    const rows = this.#db.prepare('SELECT key, value FROM settings WHERE substr(key, 1, ?) = ? ORDER BY key').all(prefix.length, prefix) as { key: string; value: string }[];
    return rows.map((r) => ({ key: r.key, value: r.value }));
  }

  async acquireLease(name: string, holder: string, now: string, until: string): Promise<boolean> {
    return this.#write(() => this.#db.prepare(acquireLeaseSql('leases', (i) => `?${i}`)).all(name, holder, now, until).length > 0);
  }

  async renewLease(name: string, holder: string, until: string): Promise<boolean> {
    return this.#write(() => Number(this.#db.prepare('UPDATE leases SET lease_until = ? WHERE name = ? AND holder = ?').run(until, name, holder).changes) > 0);
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.#write(() => this.#db.prepare('DELETE FROM leases WHERE name = ? AND holder = ?').run(name, holder));
  }

  async getLease(name: string): Promise<{ holder: string; leaseUntil: string } | undefined> {
    const row = this.#db.prepare('SELECT holder, lease_until FROM leases WHERE name = ?').get(name) as { holder: string; lease_until: string } | undefined;
    return row ? { holder: row.holder, leaseUntil: row.lease_until } : undefined;
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.#conn.transaction(fn);
  }

  #write<T>(fn: () => T): Promise<T> {
    return this.#conn.write(fn);
  }

  async close(): Promise<void> {
    this.#conn.close();
  }
}
