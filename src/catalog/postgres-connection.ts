// A pool of connections to the PostgreSQL catalog (postgres.ts), its schema migrations, and its
// transactions.
//
// Transactions: `transaction(fn)` takes a client from the pool, BEGINs, and runs fn in an
// AsyncLocalStorage context holding that client: every catalog call fn makes (at any depth of
// awaits) runs on it, and a transaction opened inside fn joins it. Once the transaction ends the
// context is marked closed, so work fn started in the background and that outlives it runs on
// the pool again, never on a released client.
//
// Writers run one at a time, as in the SQLite catalog: a transaction takes a transaction-level
// advisory lock (WRITE_LOCK) before anything else, across every process on the catalog, and
// within one process transactions queue in order so only one holds a pooled client while
// waiting for the lock. A read-modify-write inside `transaction` therefore never loses an
// update and never needs a retry (fn runs once: it may have effects outside the catalog).
// Writes outside a transaction take the lock in a transaction of their own; reads take none.
//
// Migrations run under a session-level advisory lock (MIGRATE_LOCK), so two servers starting at
// once do not both migrate; a catalog at a schema version newer than this code knows is refused.
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { errors, DpError } from '../domain/errors.ts';
import { checkDatabaseUrl, withoutSecret } from './database-url.ts';
import { PG_MIGRATIONS, PG_SCHEMA } from './postgres-migrations.ts';
import { inPgTransaction } from '../util/pg-transaction.ts';

/** Advisory lock keys (pg_advisory_lock's bigint space), fixed for dpvault's catalog. */
const MIGRATE_LOCK = 7480_0001;
const WRITE_LOCK = 7480_0002;

interface TxState {
  client: pg.PoolClient;
  open: boolean;
}

export interface PgCatalogOptions {
  /** How long a connection attempt may take before the catalog is called unreachable (default 10 s). */
  connectTimeoutMs?: number;
  /** Connections in the pool (default 10). */
  maxConnections?: number;
  /** Where a lost idle connection is reported (never with the URL's password). */
  log?: (line: string) => void;
}

export class PgCatalogConnection {
  readonly pool: pg.Pool;
  /** The URL as it may be shown (password hidden). */
  readonly redactedUrl: string;
  readonly #url: string;
  readonly #tx = new AsyncLocalStorage<TxState>();
  #chain: Promise<unknown> = Promise.resolve();

  private constructor(url: string, opts: PgCatalogOptions) {
    this.redactedUrl = checkDatabaseUrl(url);
    this.#url = url;
    this.pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000, max: opts.maxConnections ?? 10 });
    this.pool.on('error', (e) => opts.log?.(`catalog connection lost: ${this.#clean(e)}`));
  }

  /**
   * Connects to `url` and brings its schema up to date; a bad URL, an unreachable or refusing
   * server and a newer schema are refused with an error naming the setting, never the password.
   */
  static async open(url: string, opts: PgCatalogOptions = {}): Promise<PgCatalogConnection> {
    const conn = new PgCatalogConnection(url, opts);
    try {
      await conn.#migrate();
    } catch (e) {
      await conn.pool.end().catch(() => undefined);
      if (e instanceof DpError) throw e;
      throw errors.catalogUnreachable(conn.redactedUrl, conn.#clean(e));
    }
    return conn;
  }

  /** The schema version this code brings a catalog to. */
  static get schemaVersion(): number {
    return PG_MIGRATIONS.length;
  }

  async #migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATE_LOCK]);
      try {
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${PG_SCHEMA}`);
        await client.query(`CREATE TABLE IF NOT EXISTS ${PG_SCHEMA}.schema_version (version INTEGER NOT NULL)`);
        const current = Number((await client.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${PG_SCHEMA}.schema_version`)).rows[0]?.v ?? 0);
        if (current > PG_MIGRATIONS.length) throw errors.catalogSchemaNewer(current, PG_MIGRATIONS.length);
        for (let v = current; v < PG_MIGRATIONS.length; v++) {
          await client.query('BEGIN');
          try {
            await client.query(PG_MIGRATIONS[v]!);
            await client.query(`INSERT INTO ${PG_SCHEMA}.schema_version (version) VALUES ($1)`, [v + 1]);
            await client.query('COMMIT');
          } catch (e) {
            await client.query('ROLLBACK');
            throw e;
          }
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATE_LOCK]);
      }
    } finally {
      client.release();
    }
  }

  /** Runs one statement: on the transaction's client inside `transaction`, else on the pool. */
  async query<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, args: unknown[] = []): Promise<pg.QueryResult<R>> {
    const st = this.#tx.getStore();
    return (st?.open ? st.client : this.pool).query<R>(sql, args);
  }

  /** Whether the calling async context is inside an open transaction. */
  inTransaction(): boolean {
    return this.#tx.getStore()?.open === true;
  }

  /** Runs fn with its catalog writes applied atomically, one writer at a time; inside a transaction already, joins it. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inTransaction()) return fn();
    const run = (): Promise<T> => inPgTransaction(this.pool, async (client) => {
      const state: TxState = { client, open: true };
      try {
        await client.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
        return await this.#tx.run(state, fn);
      } finally {
        state.open = false;
      }
    });
    const p = this.#chain.then(run, run);
    this.#chain = p.catch(() => undefined);
    return p;
  }

  /** A message of a pg error without the URL's password. */
  #clean(e: unknown): string {
    return withoutSecret(describe(e) || 'no answer', this.#url);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** What went wrong, from a pg or socket error (an AggregateError of every address tried says the first). */
function describe(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length) return describe(e.errors[0]);
  if (e instanceof Error) return e.message || String((e as NodeJS.ErrnoException).code ?? e.name);
  return String(e);
}
