// The catalog on PostgreSQL, for many servers on one catalog (issue 22): the same contract as the
// embedded SQLite catalog (test/catalog/conformance.ts judges both), in the schema `dpvault`
// (postgres-migrations.ts). Connections, migrations and transactions: postgres-connection.ts.
import { resourceKey } from '../domain/resource-id.ts';
import { acquireLeaseSql, auditWhere, pageOf, resourceColumns, resourceWhere, toResource, type Placeholder, type ResourceRow } from './catalog-queries.ts';
import type { AuditEntry, AuditQuery, Catalog, ListQuery, OperationRecord, Page, StoredAuditEntry, StoredResource } from './catalog.ts';
import { PgCatalogConnection, type PgCatalogOptions } from './postgres-connection.ts';
import { systemClock, type Clock } from '../util/clock.ts';

/** A placeholder function for `$n` parameters and the arguments it collects. */
function params(): { ph: Placeholder; args: (string | number)[] } {
  const args: (string | number)[] = [];
  return { args, ph: (v) => (args.push(v), `$${args.length}`) };
}

export class PostgresCatalog implements Catalog {
  readonly conn: PgCatalogConnection;
  readonly #clock: Clock;
  /** What else closes with the catalog (the service's embedded task queue). */
  readonly #onClose: () => void;

  constructor(conn: PgCatalogConnection, clock: Clock = systemClock, onClose: () => void = () => undefined) {
    this.conn = conn;
    this.#clock = clock;
    this.#onClose = onClose;
  }

  /** Connects to `url`, migrating its schema (see PgCatalogConnection.open for the refusals). */
  static async open(url: string, opts: PgCatalogOptions & { clock?: Clock; onClose?: () => void } = {}): Promise<PostgresCatalog> {
    return new PostgresCatalog(await PgCatalogConnection.open(url, opts), opts.clock, opts.onClose);
  }

  async getResource<B>(id: string): Promise<StoredResource<B> | undefined> {
    const { rows } = await this.conn.query<ResourceRow>('SELECT * FROM dpvault.resources WHERE key = $1', [resourceKey(id)]);
    return rows[0] ? toResource<B>(rows[0]) : undefined;
  }

  async putResource(r: StoredResource): Promise<void> {
    await this.#write(() =>
      this.conn.query(
        `INSERT INTO dpvault.resources (key, id, type, parent_key, parent_id, body, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (key) DO UPDATE SET type = excluded.type, parent_key = excluded.parent_key,
           parent_id = excluded.parent_id, body = excluded.body, updated_at = excluded.updated_at`,
        resourceColumns(r, this.#clock.now().toISOString()),
      ),
    );
  }

  async deleteResource(id: string): Promise<boolean> {
    const res = await this.#write(() => this.conn.query('DELETE FROM dpvault.resources WHERE key = $1', [resourceKey(id)]));
    return (res.rowCount ?? 0) > 0;
  }

  async listResources<B>(q: ListQuery): Promise<Page<StoredResource<B>>> {
    const { ph, args } = params();
    const where = resourceWhere(q, ph);
    const limit = q.limit === undefined ? '' : ` LIMIT ${ph(q.limit + 1)}`;
    const { rows } = await this.conn.query<ResourceRow & { seq: string }>(`SELECT * FROM dpvault.resources WHERE ${where} ORDER BY seq${limit}`, args);
    return pageOf(rows, q.limit, (r) => toResource<B>(r));
  }

  async countResources(q: Omit<ListQuery, 'limit' | 'after'>): Promise<number> {
    const { ph, args } = params();
    const { rows } = await this.conn.query<{ n: string }>(`SELECT count(*) AS n FROM dpvault.resources WHERE ${resourceWhere(q, ph)}`, args);
    return Number(rows[0]!.n);
  }

  async getOperation(id: string): Promise<OperationRecord | undefined> {
    const { rows } = await this.conn.query<{ body: string }>('SELECT body FROM dpvault.operations WHERE id = $1', [id]);
    return rows[0] ? (JSON.parse(rows[0].body) as OperationRecord) : undefined;
  }

  async putOperation(op: OperationRecord): Promise<void> {
    await this.#write(() =>
      this.conn.query(
        'INSERT INTO dpvault.operations (id, status, body) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET status = excluded.status, body = excluded.body',
        [op.id, op.status, JSON.stringify(op)],
      ),
    );
  }

  async listOperations(status: OperationRecord['status']): Promise<OperationRecord[]> {
    const { rows } = await this.conn.query<{ body: string }>('SELECT body FROM dpvault.operations WHERE status = $1 ORDER BY id', [status]);
    return rows.map((r) => JSON.parse(r.body) as OperationRecord);
  }

  /** An insert only, so it needs no writer's lock: it runs on its own unless inside a transaction. */
  async appendAudit(entry: AuditEntry): Promise<void> {
    await this.conn.query(
      'INSERT INTO dpvault.audit_log (event_timestamp, scope_key, caller_key, caller_name_key, body) VALUES ($1, $2, $3, $4, $5)',
      [entry.eventTimestamp, resourceKey(entry.resourceId), entry.caller.toLowerCase(), entry.callerName.toLowerCase(), JSON.stringify(entry)],
    );
  }

  async queryAudit(q: AuditQuery): Promise<StoredAuditEntry[]> {
    const { ph, args } = params();
    const where = auditWhere(q, ph);
    const limit = q.limit === undefined ? '' : ` LIMIT ${ph(q.limit)}`;
    const { rows } = await this.conn.query<{ seq: string; body: string }>(`SELECT seq, body FROM dpvault.audit_log ${where} ORDER BY seq DESC${limit}`, args);
    return rows.map((r) => ({ seq: Number(r.seq), entry: JSON.parse(r.body) as AuditEntry }));
  }

  /** The one path the append-only trigger lets delete: dpvault.audit_prune set for this statement only. */
  async pruneAudit(before: string): Promise<number> {
    return this.conn.transaction(async () => {
      await this.conn.query("SELECT set_config('dpvault.audit_prune', 'on', true)");
      const res = await this.conn.query('DELETE FROM dpvault.audit_log WHERE event_timestamp < $1', [before]);
      await this.conn.query("SELECT set_config('dpvault.audit_prune', 'off', true)");
      return res.rowCount ?? 0;
    });
  }

  async getSetting(key: string): Promise<string | undefined> {
    const { rows } = await this.conn.query<{ value: string }>('SELECT value FROM dpvault.settings WHERE key = $1', [key]);
    return rows[0]?.value;
  }

  async setSetting(key: string, value: string): Promise<void> {
    await this.#write(() => this.conn.query('INSERT INTO dpvault.settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]));
  }

  async listSettings(prefix: string): Promise<{ key: string; value: string }[]> {
    const { rows } = await this.conn.query<{ key: string; value: string }>(
      'SELECT key, value FROM dpvault.settings WHERE substr(key, 1, $1) = $2 ORDER BY key',
      [prefix.length, prefix],
    );
    return rows.map((r) => ({ key: r.key, value: r.value }));
  }

  /** One statement, atomic on its own: it takes no writers' lock (a sweep's lease never waits behind a long transaction). */
  async acquireLease(name: string, holder: string, now: string, until: string): Promise<boolean> {
    const { rows } = await this.conn.query(acquireLeaseSql('dpvault.leases', (i) => `$${i}`), [name, holder, now, until]);
    return rows.length > 0;
  }

  async renewLease(name: string, holder: string, until: string): Promise<boolean> {
    const res = await this.conn.query('UPDATE dpvault.leases SET lease_until = $1 WHERE name = $2 AND holder = $3', [until, name, holder]);
    return (res.rowCount ?? 0) > 0;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.conn.query('DELETE FROM dpvault.leases WHERE name = $1 AND holder = $2', [name, holder]);
  }

  async getLease(name: string): Promise<{ holder: string; leaseUntil: string } | undefined> {
    const { rows } = await this.conn.query<{ holder: string; lease_until: string }>('SELECT holder, lease_until FROM dpvault.leases WHERE name = $1', [name]);
    return rows[0] ? { holder: rows[0].holder, leaseUntil: rows[0].lease_until } : undefined;
  }

  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.conn.transaction(fn);
  }

  /** A write in a transaction of its own (taking the writers' lock) unless one is open here. */
  #write<T>(fn: () => Promise<T>): Promise<T> {
    return this.conn.transaction(fn);
  }

  async close(): Promise<void> {
    try {
      await this.conn.close();
    } finally {
      this.#onClose();
    }
  }
}
