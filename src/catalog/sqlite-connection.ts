// One SQLite file in WAL mode, through node:sqlite, shared by the catalog (sqlite.ts) and the task
// queue (queue/sqlite.ts) of the embedded service, so that a transaction can write resources and
// queue a task atomically (the scheduler does). It runs the schema migrations once when opened.
import { AsyncLocalStorage } from 'node:async_hooks';
import { DatabaseSync } from 'node:sqlite';
import { MIGRATIONS } from './migrations.ts';

export class SqliteConnection {
  readonly db: DatabaseSync;
  /**
   * node:sqlite has one connection, so a transaction must not interleave with other writes: every
   * write runs inside a transaction, and transactions run one after another. `#tx` tells whether
   * the current async context is already inside one.
   */
  #chain: Promise<unknown> = Promise.resolve();
  readonly #tx = new AsyncLocalStorage<true>();

  constructor(path: string) {
    this.db = new DatabaseSync(path);
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
    this.#migrate();
  }

  #migrate(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const row = this.db.prepare('SELECT max(version) AS v FROM schema_version').get() as { v: number | null };
    const current = row.v ?? 0;
    for (let v = current; v < MIGRATIONS.length; v++) {
      this.db.exec('BEGIN');
      try {
        this.db.exec(MIGRATIONS[v]!);
        this.db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(v + 1);
        this.db.exec('COMMIT');
      } catch (e) {
        this.db.exec('ROLLBACK');
        throw e;
      }
    }
  }

  /** Runs fn with its writes applied atomically; inside a transaction already, joins it. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#tx.getStore()) return fn();
    const run = (): Promise<T> =>
      this.#tx.run(true, async () => {
        this.db.exec('BEGIN IMMEDIATE');
        try {
          const out = await fn();
          this.db.exec('COMMIT');
          return out;
        } catch (e) {
          this.db.exec('ROLLBACK');
          throw e;
        }
      });
    const p = this.#chain.then(run, run);
    this.#chain = p.catch(() => undefined);
    return p;
  }

  /** Runs a write in a transaction of its own unless one is open in this async context. */
  write<T>(fn: () => T): Promise<T> {
    return this.transaction(async () => fn());
  }

  close(): void {
    this.db.close();
  }
}
