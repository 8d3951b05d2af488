// The embedded catalog: one SQLite file in WAL mode, through node:sqlite.
import { AsyncLocalStorage } from 'node:async_hooks';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { resourceKey } from '../domain/resource-id.ts';
import type { Catalog, ListQuery, OperationRecord, Page, QueuedTask, StoredResource } from './catalog.ts';
import { MIGRATIONS } from './migrations.ts';

interface ResourceRow {
  key: string;
  id: string;
  type: string;
  parent_id: string | null;
  body: string;
  created_at: string;
  updated_at: string;
}

export class SqliteCatalog implements Catalog {
  readonly #db: DatabaseSync;
  /**
   * node:sqlite has one connection, so a transaction must not interleave with other writes: every
   * write runs inside a transaction, and transactions run one after another. `#tx` tells whether
   * the current async context is already inside one.
   */
  #chain: Promise<unknown> = Promise.resolve();
  readonly #tx = new AsyncLocalStorage<true>();

  constructor(path: string) {
    this.#db = new DatabaseSync(path);
    this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
    this.#migrate();
  }

  #migrate(): void {
    this.#db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const row = this.#db.prepare('SELECT max(version) AS v FROM schema_version').get() as { v: number | null };
    const current = row.v ?? 0;
    for (let v = current; v < MIGRATIONS.length; v++) {
      this.#db.exec('BEGIN');
      try {
        this.#db.exec(MIGRATIONS[v]!);
        this.#db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(v + 1);
        this.#db.exec('COMMIT');
      } catch (e) {
        this.#db.exec('ROLLBACK');
        throw e;
      }
    }
  }

  async getResource<B>(id: string): Promise<StoredResource<B> | undefined> {
    const row = this.#db.prepare('SELECT * FROM resources WHERE key = ?').get(resourceKey(id)) as ResourceRow | undefined;
    return row ? toResource<B>(row) : undefined;
  }

  async putResource(r: StoredResource): Promise<void> {
    return this.#write(() => {
      const now = new Date().toISOString();
      this.#db
        .prepare(
          `INSERT INTO resources (key, id, type, parent_key, parent_id, body, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET type = excluded.type, parent_key = excluded.parent_key,
             parent_id = excluded.parent_id, body = excluded.body, updated_at = excluded.updated_at`,
        )
        .run(
          resourceKey(r.id),
          r.id,
          r.type.toLowerCase(),
          r.parentId ? resourceKey(r.parentId) : null,
          r.parentId,
          JSON.stringify(r.body),
          r.createdAt ?? now,
          now,
        );
    });
  }

  async deleteResource(id: string): Promise<boolean> {
    return this.#write(() => {
      const res = this.#db.prepare('DELETE FROM resources WHERE key = ?').run(resourceKey(id));
      return Number(res.changes) > 0;
    });
  }

  #where(q: Omit<ListQuery, 'limit'>): { sql: string; args: SQLInputValue[] } {
    const clauses = ['1 = 1'];
    const args: SQLInputValue[] = [];
    if (q.type !== undefined) {
      clauses.push('type = ?');
      args.push(q.type.toLowerCase());
    }
    if (q.parentId !== undefined) {
      clauses.push('parent_key = ?');
      args.push(resourceKey(q.parentId));
    }
    if (q.idPrefix !== undefined) {
      clauses.push("substr(key, 1, length(?)) = ?");
      const p = q.idPrefix.toLowerCase();
      args.push(p, p);
    }
    if (q.after !== undefined) {
      clauses.push('seq > ?');
      args.push(Number(q.after));
    }
    return { sql: clauses.join(' AND '), args };
  }

  async listResources<B>(q: ListQuery): Promise<Page<StoredResource<B>>> {
    const { sql, args } = this.#where(q);
    const limit = q.limit ?? -1;
    const rows = this.#db
      .prepare(`SELECT *, seq FROM resources WHERE ${sql} ORDER BY seq LIMIT ?`)
      .all(...args, limit === -1 ? -1 : limit + 1) as unknown as (ResourceRow & { seq: number })[];
    const page: Page<StoredResource<B>> = { items: [] };
    const shown = limit === -1 ? rows : rows.slice(0, limit);
    page.items = shown.map((r) => toResource<B>(r));
    if (limit !== -1 && rows.length > limit) page.next = String(shown[shown.length - 1]!.seq);
    return page;
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

  async enqueue(task: { kind: string; payload: Record<string, unknown>; runAt: string; jobKey?: string }): Promise<boolean> {
    return this.#write(() => {
      const res = this.#db
        .prepare(
          `INSERT INTO tasks (kind, payload, run_at, status, attempts, job_key, created_at)
           VALUES (?, ?, ?, 'queued', 0, ?, ?) ON CONFLICT (job_key) DO NOTHING`,
        )
        .run(task.kind, JSON.stringify(task.payload), task.runAt, task.jobKey ?? null, new Date().toISOString());
      return Number(res.changes) > 0;
    });
  }

  async claimTask(workerId: string, now: string, leaseUntil: string, kinds?: string[]): Promise<QueuedTask | undefined> {
    return this.#write(() => {
      const kindFilter = kinds && kinds.length ? `AND kind IN (${kinds.map(() => '?').join(',')})` : '';
      const row = this.#db
        .prepare(
          `UPDATE tasks SET status = 'running', locked_by = ?, locked_until = ?, attempts = attempts + 1
           WHERE id = (SELECT id FROM tasks WHERE status = 'queued' AND run_at <= ? ${kindFilter} ORDER BY run_at, id LIMIT 1)
           RETURNING id, kind, payload, run_at, attempts, job_key`,
        )
        .get(workerId, leaseUntil, now, ...(kinds ?? [])) as
        | { id: number; kind: string; payload: string; run_at: string; attempts: number; job_key: string | null }
        | undefined;
      if (!row) return undefined;
      return { id: Number(row.id), kind: row.kind, payload: JSON.parse(row.payload), runAt: row.run_at, attempts: Number(row.attempts), jobKey: row.job_key };
    });
  }

  async completeTask(id: number): Promise<void> {
    return this.#write(() => {
      this.#db.prepare("UPDATE tasks SET status = 'done', locked_by = NULL, locked_until = NULL WHERE id = ?").run(id);
    });
  }

  async failTask(id: number, error: string): Promise<void> {
    return this.#write(() => {
      this.#db.prepare("UPDATE tasks SET status = 'failed', last_error = ?, locked_by = NULL, locked_until = NULL WHERE id = ?").run(error, id);
    });
  }

  async requeueTask(id: number, runAt: string): Promise<void> {
    return this.#write(() => {
      this.#db.prepare("UPDATE tasks SET status = 'queued', run_at = ?, locked_by = NULL, locked_until = NULL WHERE id = ?").run(runAt, id);
    });
  }

  async listTasks(status: string): Promise<QueuedTask[]> {
    const rows = this.#db.prepare('SELECT id, kind, payload, run_at, attempts, job_key FROM tasks WHERE status = ? ORDER BY id').all(status) as unknown as {
      id: number; kind: string; payload: string; run_at: string; attempts: number; job_key: string | null;
    }[];
    return rows.map((r) => ({ id: Number(r.id), kind: r.kind, payload: JSON.parse(r.payload), runAt: r.run_at, attempts: Number(r.attempts), jobKey: r.job_key }));
  }

  async releaseExpiredLeases(now: string): Promise<number> {
    return this.#write(() => {
      const res = this.#db
        .prepare("UPDATE tasks SET status = 'queued', locked_by = NULL, locked_until = NULL WHERE status = 'running' AND locked_until < ?")
        .run(now);
      return Number(res.changes);
    });
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#tx.getStore()) return fn();
    const run = (): Promise<T> =>
      this.#tx.run(true, async () => {
        this.#db.exec('BEGIN IMMEDIATE');
        try {
          const out = await fn();
          this.#db.exec('COMMIT');
          return out;
        } catch (e) {
          this.#db.exec('ROLLBACK');
          throw e;
        }
      });
    const p = this.#chain.then(run, run);
    this.#chain = p.catch(() => undefined);
    return p;
  }

  /** Runs a write in a transaction of its own unless one is open in this async context. */
  #write<T>(fn: () => T): Promise<T> {
    return this.transaction(async () => fn());
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}

function toResource<B>(row: ResourceRow): StoredResource<B> {
  return {
    id: row.id,
    type: row.type,
    parentId: row.parent_id,
    body: JSON.parse(row.body) as B,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
