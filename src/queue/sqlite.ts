// The embedded task queue: the `tasks` table of the catalog's SQLite file, through the connection
// the catalog shares (catalog/sqlite-connection.ts), so that a catalog transaction can queue work.
import type { SQLInputValue, SQLOutputValue } from 'node:sqlite';
import type { SqliteConnection } from '../catalog/sqlite-connection.ts';
import { retryDelayMs, type AnyTask, type EnqueueOptions, type TaskMap, type TaskQueue, type TaskStatus } from './queue.ts';
import type { Tasks } from './tasks.ts';
import { systemClock, type Clock } from '../util/clock.ts';

type TaskRow = Record<string, SQLOutputValue> & {
  id: number;
  kind: string;
  payload: string;
  run_at: string;
  attempts: number;
  job_key: string | null;
  locked_by: string | null;
  locked_until: string | null;
  last_error: string | null;
  group_key: string | null;
};

const COLUMNS = 'id, kind, payload, run_at, attempts, job_key, locked_by, locked_until, last_error, group_key';

export class SqliteTaskQueue<M extends TaskMap<M> = Tasks> implements TaskQueue<M> {
  readonly clock = 'caller';
  /** Only the process holding the data directory claims from it. */
  readonly shared = false;
  readonly #conn: SqliteConnection;
  /** Stamps a task's creation time (bookkeeping, the wall clock by default); due times come from callers. */
  readonly #clock: Clock;

  constructor(conn: SqliteConnection, clock: Clock = systemClock) {
    this.#conn = conn;
    this.#clock = clock;
  }

  async enqueue<K extends keyof M & string>(kind: K, payload: M[K], opts: EnqueueOptions): Promise<boolean> {
    return this.#conn.write(() => {
      const res = this.#conn.db
        .prepare(
          `INSERT INTO tasks (kind, payload, run_at, status, attempts, job_key, group_key, created_at)
           VALUES (?, ?, ?, 'queued', 0, ?, ?, ?) ON CONFLICT (job_key) DO NOTHING`,
        )
        .run(kind, JSON.stringify(payload), opts.runAt, opts.jobKey ?? null, opts.group ?? null, this.#clock.now().toISOString());
      return Number(res.changes) > 0;
    });
  }

  async claim(holder: string, opts: { now: string; leaseUntil: string; kinds?: readonly (keyof M & string)[] }): Promise<AnyTask<M> | undefined> {
    const kinds = opts.kinds ?? [];
    const kindFilter = kinds.length ? `AND kind IN (${kinds.map(() => '?').join(',')})` : '';
    const row = await this.#conn.write(
      () =>
        this.#conn.db
          .prepare(
            `UPDATE tasks SET status = 'running', locked_by = ?, locked_until = ?, attempts = attempts + 1
             WHERE id = (SELECT id FROM tasks t WHERE status = 'queued' AND run_at <= ? ${kindFilter}
               AND (group_key IS NULL OR NOT EXISTS (
                 SELECT 1 FROM tasks r WHERE r.group_key = t.group_key AND r.status = 'running' AND r.locked_until > ?))
               ORDER BY run_at, id LIMIT 1)
             RETURNING ${COLUMNS}`,
          )
          .get(holder, opts.leaseUntil, opts.now, ...kinds, opts.now) as TaskRow | undefined,
    );
    return row ? this.#toTask(row) : undefined;
  }

  async heartbeat(id: number, holder: string, leaseUntil: string): Promise<boolean> {
    return this.#change("UPDATE tasks SET locked_until = ? WHERE id = ? AND status = 'running' AND locked_by = ?", leaseUntil, id, holder).then((n) => n > 0);
  }

  async complete(id: number): Promise<void> {
    await this.#change("UPDATE tasks SET status = 'done', locked_by = NULL, locked_until = NULL WHERE id = ?", id);
  }

  async fail(id: number, error: string): Promise<void> {
    await this.#change("UPDATE tasks SET status = 'failed', last_error = ?, locked_by = NULL, locked_until = NULL WHERE id = ?", error, id);
  }

  async retry(id: number, error: string, now: string): Promise<void> {
    await this.#conn.write(() => {
      const row = this.#conn.db.prepare('SELECT attempts FROM tasks WHERE id = ?').get(id) as { attempts: number } | undefined;
      if (!row) return;
      const runAt = new Date(Date.parse(now) + retryDelayMs(Number(row.attempts))).toISOString();
      this.#conn.db
        .prepare("UPDATE tasks SET status = 'queued', run_at = ?, last_error = ?, locked_by = NULL, locked_until = NULL WHERE id = ?")
        .run(runAt, error, id);
    });
  }

  async list(status: TaskStatus): Promise<AnyTask<M>[]> {
    return this.#select('status = ?', status);
  }

  async listExpired(now: string): Promise<AnyTask<M>[]> {
    return this.#select("status = 'running' AND locked_until <= ?", now);
  }

  async expireLeases(now: string, keepPrefix: string): Promise<number> {
    return this.#change(
      "UPDATE tasks SET locked_until = ? WHERE status = 'running' AND (locked_by IS NULL OR substr(locked_by, 1, length(?)) <> ?)",
      now, keepPrefix, keepPrefix,
    );
  }

  async releaseExpiredLeases(now: string): Promise<number> {
    return this.#change("UPDATE tasks SET status = 'queued', locked_by = NULL, locked_until = NULL WHERE status = 'running' AND locked_until <= ?", now);
  }

  #change(sql: string, ...args: SQLInputValue[]): Promise<number> {
    return this.#conn.write(() => Number(this.#conn.db.prepare(sql).run(...args).changes));
  }

  async #select(where: string, ...args: SQLInputValue[]): Promise<AnyTask<M>[]> {
    const rows = this.#conn.db.prepare(`SELECT ${COLUMNS} FROM tasks WHERE ${where} ORDER BY id`).all(...args) as TaskRow[];
    return rows.map((r) => this.#toTask(r));
  }

  #toTask(row: TaskRow): AnyTask<M> {
    return {
      id: Number(row.id),
      kind: row.kind,
      payload: JSON.parse(row.payload),
      runAt: row.run_at,
      attempts: Number(row.attempts),
      jobKey: row.job_key,
      leasedBy: row.locked_by,
      leaseUntil: row.locked_until,
      lastError: row.last_error,
      group: row.group_key,
    } as AnyTask<M>;
  }
}
