// The shared task queue on PostgreSQL (issue 22), for many servers and workers on one database,
// built on pg-boss (why pg-boss: docs/architecture.md, "The task queue on PostgreSQL").
//
// pg-boss, in its schema `dpvault_boss`, stores every task as a job of the queue named by its kind
// and does: due times (`startAfter`, on the database's clock), claiming (`fetch`: one statement,
// SKIP LOCKED, skipping the groups given in `ignoreGroups`), retries with exponential backoff and
// jitter (`fail` while retries remain: state `retry`), completion, and the dead letter: a task
// failed for good stays a `failed` job (nothing is ever deleted: no supervisor runs, so retention
// and expiry sweeps never fire; `list('failed')` shows it with its error).
//
// What pg-boss cannot say is in our own schema `dpvault_queue`, one table `task` (a row per task,
// its number, kind, pg-boss job id, job key, group, lease and last error), and a few statements:
// - job keys kept forever: a unique `job_key` column (pg-boss's singleton keys hold only while a
//   job is queued or active, and its jobs are uuids, our tasks numbers);
// - leases with an explicit holder and an end the caller chooses (`heartbeat`, `listExpired`,
//   `expireLeases`, `releaseExpiredLeases`): pg-boss only knows a fixed expiry per job and a
//   heartbeat of at least ten seconds; a released task goes back through pg-boss's `fail`, so it
//   runs again after the retry backoff;
// - "one task of a group at a time, unless its lease is over": the groups with a live lease are
//   read and passed to `fetch` as `ignoreGroups`, under a transaction-level advisory lock so two
//   claimers never both see a group free (claims are serial: ~1 ms each, see the figures);
// - "failed for good": `fail` first sets the job's retry limit to its retry count (one UPDATE of
//   pg-boss's job table), since pg-boss's own terminal failure is reachable only from its `work` loop;
// - due-first order: `fetch` orders by priority, then creation, so a task's priority is minus
//   its due second (`dueRank`): due first, then queued first; and as it fetches from one queue
//   (kind) at a time, a claim first reads (under its lock) which kind's task comes first.
//
// Clock: due times and backoffs are the database's (`clock = 'database'`); leases are compared
// with the `now` callers pass. Inside an open catalog transaction (`joins`, the PostgreSQL
// catalog's connection) `enqueue` runs on that transaction's client, so the task commits or rolls
// back with the catalog's writes (pg-boss's `db` option takes the same client).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PgBoss } from 'pg-boss';
import type { AnyTask, EnqueueOptions, TaskMap, TaskQueue, TaskStatus } from './queue.ts';
import type { Tasks } from './tasks.ts';
import { inPgTransaction } from '../util/pg-transaction.ts';

export const BOSS_SCHEMA = 'dpvault_boss';
export const QUEUE_SCHEMA = 'dpvault_queue';
/** Advisory lock keys beside the catalog's (postgres-connection.ts): the schema's creation, and claims. */
const MIGRATE_LOCK = 7480_0011;
const CLAIM_LOCK = 7480_0012;
/** Retries are the caller's decision (`retry` or `fail`), so pg-boss may always retry. */
const RETRY_LIMIT = 1_000_000;
const RETRY_DELAY_MAX_S = 3600;
/** pg-boss's expiry is not used (leases are ours); its largest value, in case a supervisor ever runs. */
const EXPIRE_S = 24 * 3600;

/** Runs SQL: a pool, a pooled client, or the catalog's connection (which follows its open transaction). */
export interface Sql {
  query<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** A catalog connection on the same database whose open transaction `enqueue` joins. */
export interface AmbientTransaction extends Sql {
  inTransaction(): boolean;
}

export interface PgQueueOptions {
  joins?: AmbientTransaction;
  /** Where pg-boss's errors are reported. */
  log?: (line: string) => void;
  /** Ends the pool on close (the queue made it). */
  ownsPool?: boolean;
}

type Row = {
  id: string;
  kind: string;
  data: object;
  start_after: Date;
  attempts: number;
  job_key: string | null;
  group_key: string | null;
  holder: string | null;
  lease_until: Date | null;
  last_error: string | null;
};

const STATES: Record<TaskStatus, string[]> = { queued: ['created', 'retry'], running: ['active'], done: ['completed'], failed: ['failed', 'cancelled'] };
const SELECT = `SELECT t.id, t.kind, j.data, j.start_after, t.attempts, t.job_key, t.group_key, t.holder, t.lease_until, t.last_error
  FROM ${QUEUE_SCHEMA}.task t JOIN ${BOSS_SCHEMA}.job j ON j.id = t.boss_id AND j.name = t.kind`;

const SCHEMA = `CREATE SCHEMA IF NOT EXISTS ${QUEUE_SCHEMA};
  CREATE TABLE IF NOT EXISTS ${QUEUE_SCHEMA}.task (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind TEXT NOT NULL,
    boss_id UUID NOT NULL UNIQUE,
    job_key TEXT COLLATE "C" UNIQUE,
    group_key TEXT COLLATE "C",
    attempts INTEGER NOT NULL DEFAULT 0,
    holder TEXT COLLATE "C",
    lease_until TIMESTAMPTZ,
    last_error TEXT
  );
  CREATE INDEX IF NOT EXISTS task_leased ON ${QUEUE_SCHEMA}.task (lease_until) WHERE holder IS NOT NULL;`;

/** A task's pg-boss priority: minus its due second since 2020 (fetch takes the highest first). */
export function dueRank(runAt: string): number {
  return -Math.max(0, Math.min(2 ** 31 - 1, Math.floor((Date.parse(runAt) - Date.UTC(2020, 0, 1)) / 1000)));
}

export class PostgresTaskQueue<M extends TaskMap<M> = Tasks> implements TaskQueue<M> {
  readonly clock = 'database';
  readonly shared = true;
  readonly #pool: pg.Pool;
  readonly #boss: PgBoss;
  readonly #opts: PgQueueOptions;
  /** The pg-boss queues (one per kind) known to exist. */
  readonly #queues = new Set<string>();

  private constructor(pool: pg.Pool, boss: PgBoss, opts: PgQueueOptions) {
    this.#pool = pool;
    this.#boss = boss;
    this.#opts = opts;
  }

  /** The queue on `pool`'s database: installs or migrates pg-boss's schema and ours. */
  static async open<M extends TaskMap<M> = Tasks>(pool: pg.Pool, opts: PgQueueOptions = {}): Promise<PostgresTaskQueue<M>> {
    const boss = new PgBoss({
      db: { executeSql: (text, values) => pool.query(text, values) },
      schema: BOSS_SCHEMA, supervise: false, schedule: false, registerInstance: false, migrate: true,
    });
    boss.on('error', (e) => opts.log?.(`task queue: ${e.message}`));
    const client = await pool.connect();
    try {
      // One process at a time installs or migrates (pg-boss's CREATE SCHEMA IF NOT EXISTS races another's).
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATE_LOCK]);
      try {
        await boss.start();
        await client.query(SCHEMA);
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATE_LOCK]);
      }
    } finally {
      client.release();
    }
    return new PostgresTaskQueue<M>(pool, boss, opts);
  }

  /** The queue at `url` on a pool of its own (a process of its own, as far as the database can tell). */
  static connect<M extends TaskMap<M> = Tasks>(url: string, opts: Omit<PgQueueOptions, 'ownsPool'> & { max?: number } = {}): Promise<PostgresTaskQueue<M>> {
    const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 4 });
    pool.on('error', (e) => opts.log?.(`task queue connection lost: ${e.message}`));
    return PostgresTaskQueue.open<M>(pool, { ...opts, ownsPool: true }).catch(async (e: unknown) => {
      await pool.end();
      throw e;
    });
  }

  async enqueue<K extends keyof M & string>(kind: K, payload: M[K], opts: EnqueueOptions): Promise<boolean> {
    await this.#ensureQueue(kind);
    const ambient = this.#opts.joins;
    const run = async (sql: Sql): Promise<boolean> => {
      const bossId = randomUUID();
      const ins = await sql.query(
        `INSERT INTO ${QUEUE_SCHEMA}.task (kind, boss_id, job_key, group_key) VALUES ($1, $2, $3, $4) ON CONFLICT (job_key) DO NOTHING RETURNING id`,
        [kind, bossId, opts.jobKey ?? null, opts.group ?? null],
      );
      if (!ins.rowCount) return false;
      await this.#boss.send(kind, payload, {
        id: bossId, startAfter: new Date(opts.runAt), priority: dueRank(opts.runAt), ...(opts.group ? { group: { id: opts.group } } : {}),
        retryLimit: RETRY_LIMIT, retryDelay: 1, retryBackoff: true, retryDelayMax: RETRY_DELAY_MAX_S, expireInSeconds: EXPIRE_S, deleteAfterSeconds: 0,
        db: bossDb(sql),
      });
      return true;
    };
    return ambient?.inTransaction() ? run(ambient) : this.#transaction(run);
  }

  async claim(holder: string, opts: { now: string; leaseUntil: string; kinds?: readonly (keyof M & string)[] }): Promise<AnyTask<M> | undefined> {
    return this.#transaction(async (sql) => {
      await sql.query('SELECT pg_advisory_xact_lock($1)', [CLAIM_LOCK]);
      const busy = await sql.query<{ group_key: string }>(
        `SELECT DISTINCT group_key FROM ${QUEUE_SCHEMA}.task WHERE holder IS NOT NULL AND group_key IS NOT NULL AND lease_until > $1`,
        [opts.now],
      );
      const ignoreGroups = busy.rows.map((r) => r.group_key);
      // The kind of the task to run first (pg-boss fetches from one queue, i.e. one kind, at a time).
      const next = await sql.query<{ name: string }>(
        `SELECT name FROM ${BOSS_SCHEMA}.job WHERE state < 'active' AND start_after <= ${BOSS_SCHEMA}.job_now()
           AND ($1::text[] IS NULL OR name = ANY($1)) AND (group_id IS NULL OR group_id <> ALL($2::text[]))
         ORDER BY priority DESC, created_on LIMIT 1`,
        [opts.kinds?.length ? opts.kinds : null, ignoreGroups],
      );
      const kind = next.rows[0]?.name;
      if (kind === undefined) return undefined;
      const [job] = await this.#boss.fetch(kind, { batchSize: 1, ...(ignoreGroups.length ? { ignoreGroups } : {}), db: bossDb(sql) });
      if (!job) return undefined;
      await sql.query(`UPDATE ${QUEUE_SCHEMA}.task SET holder = $2, lease_until = $3, attempts = attempts + 1 WHERE boss_id = $1`, [job.id, holder, opts.leaseUntil]);
      const { rows } = await sql.query<Row>(`${SELECT} WHERE t.boss_id = $1`, [job.id]);
      return toTask<M>(rows[0]!);
    });
  }

  async heartbeat(id: number, holder: string, leaseUntil: string): Promise<boolean> {
    const res = await this.#pool.query(`UPDATE ${QUEUE_SCHEMA}.task SET lease_until = $3 WHERE id = $1 AND holder = $2`, [id, holder, leaseUntil]);
    return (res.rowCount ?? 0) > 0;
  }

  async complete(id: number): Promise<void> {
    await this.#settle(id, null, (kind, bossId, db) => this.#boss.complete(kind, bossId, null, { db }));
  }

  async fail(id: number, error: string): Promise<void> {
    await this.#settle(id, error, async (kind, bossId, db, sql) => {
      await sql.query(`UPDATE ${BOSS_SCHEMA}.job SET retry_limit = retry_count WHERE name = $1 AND id = $2`, [kind, bossId]);
      return this.#boss.fail(kind, bossId, { message: error }, { db });
    });
  }

  async retry(id: number, error: string): Promise<void> {
    await this.#settle(id, error, (kind, bossId, db) => this.#boss.fail(kind, bossId, { message: error }, { db }));
  }

  async list(status: TaskStatus): Promise<AnyTask<M>[]> {
    return this.#select('j.state::text = ANY($1)', STATES[status]);
  }

  async listExpired(now: string): Promise<AnyTask<M>[]> {
    return this.#select('t.holder IS NOT NULL AND t.lease_until <= $1', now);
  }

  async expireLeases(now: string, keepPrefix: string): Promise<number> {
    const res = await this.#pool.query(
      `UPDATE ${QUEUE_SCHEMA}.task SET lease_until = $1 WHERE holder IS NOT NULL AND NOT starts_with(holder, $2)`,
      [now, keepPrefix],
    );
    return res.rowCount ?? 0;
  }

  async releaseExpiredLeases(now: string): Promise<number> {
    return this.#transaction(async (sql) => {
      const { rows } = await sql.query<{ id: string; kind: string; boss_id: string }>(
        `SELECT id, kind, boss_id FROM ${QUEUE_SCHEMA}.task WHERE holder IS NOT NULL AND lease_until <= $1 ORDER BY id FOR UPDATE SKIP LOCKED`,
        [now],
      );
      for (const r of rows) {
        await this.#boss.fail(r.kind, r.boss_id, { message: 'its lease expired' }, { db: bossDb(sql) });
        await sql.query(`UPDATE ${QUEUE_SCHEMA}.task SET holder = NULL, lease_until = NULL WHERE id = $1`, [r.id]);
      }
      return rows.length;
    });
  }

  async close(): Promise<void> {
    await this.#boss.stop({ graceful: false, close: false }).catch((e: Error) => this.#opts.log?.(`task queue: stopping pg-boss: ${e.message}`));
    if (this.#opts.ownsPool) await this.#pool.end();
  }

  /** Settles task `id` through pg-boss (`act`) and ends its lease, keeping `error` when given. */
  async #settle(id: number, error: string | null, act: (kind: string, bossId: string, db: ReturnType<typeof bossDb>, sql: Sql) => Promise<unknown>): Promise<void> {
    await this.#transaction(async (sql) => {
      const { rows } = await sql.query<{ kind: string; boss_id: string }>(`SELECT kind, boss_id FROM ${QUEUE_SCHEMA}.task WHERE id = $1 FOR UPDATE`, [id]);
      if (!rows[0]) return;
      await act(rows[0].kind, rows[0].boss_id, bossDb(sql), sql);
      await sql.query(`UPDATE ${QUEUE_SCHEMA}.task SET holder = NULL, lease_until = NULL, last_error = coalesce($2, last_error) WHERE id = $1`, [id, error]);
    });
  }

  async #select(where: string, ...args: unknown[]): Promise<AnyTask<M>[]> {
    const { rows } = await this.#pool.query<Row>(`${SELECT} WHERE ${where} ORDER BY t.id`, args);
    return rows.map((r) => toTask<M>(r));
  }

  async #ensureQueue(kind: string): Promise<void> {
    if (this.#queues.has(kind)) return;
    await this.#boss.createQueue(kind);
    this.#queues.add(kind);
  }

  /** Runs fn in a transaction of its own on one pooled client. */
  #transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    return inPgTransaction(this.#pool, fn);
  }
}

/** pg-boss's executor over one client (or the catalog's connection): its statements join what that runs in. */
function bossDb(sql: Sql): { executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> } {
  return { executeSql: (text, values) => sql.query(text, values) };
}

function toTask<M extends TaskMap<M>>(r: Row): AnyTask<M> {
  const running = r.holder !== null;
  return {
    id: Number(r.id),
    kind: r.kind,
    payload: r.data,
    runAt: r.start_after.toISOString(),
    attempts: r.attempts,
    jobKey: r.job_key,
    group: r.group_key,
    leasedBy: running ? r.holder : null,
    leaseUntil: running && r.lease_until ? r.lease_until.toISOString() : null,
    lastError: r.last_error,
  } as AnyTask<M>;
}
