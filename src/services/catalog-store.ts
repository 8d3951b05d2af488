// Where the service keeps its state: the embedded SQLite file (<data-dir>/catalog.sqlite, which
// the task queue shares so a transaction can span both), or a PostgreSQL catalog (--database or
// DPVAULT_DATABASE, issue 22) with the shared task queue on the same database (queue/postgres.ts,
// pg-boss): every server and worker on the catalog claims from it, and a catalog transaction
// takes in the tasks it queues (the queue runs on the transaction's client).
import { join } from 'node:path';
import type { Catalog } from '../catalog/catalog.ts';
import { PostgresCatalog } from '../catalog/postgres.ts';
import { SqliteCatalog } from '../catalog/sqlite.ts';
import { SqliteConnection } from '../catalog/sqlite-connection.ts';
import { SqliteTaskQueue } from '../queue/sqlite.ts';
import { PostgresTaskQueue } from '../queue/postgres.ts';
import type { TaskQueue } from '../queue/queue.ts';

export const EMBEDDED_CATALOG_FILE = 'catalog.sqlite';

export interface CatalogStore {
  catalog: Catalog;
  queue: TaskQueue;
  /** The PostgreSQL catalog's URL with its password hidden, or undefined for the embedded one. */
  database?: string;
}

/** Opens the catalog `database` names (a postgres:// URL) and its queue, else the data directory's own. */
export async function openCatalogStore(dataDir: string, database: string | undefined, log?: (line: string) => void): Promise<CatalogStore> {
  if (database === undefined) {
    const db = new SqliteConnection(join(dataDir, EMBEDDED_CATALOG_FILE));
    return { catalog: new SqliteCatalog(db), queue: new SqliteTaskQueue(db) };
  }
  let queue: PostgresTaskQueue | undefined;
  const catalog = await PostgresCatalog.open(database, { log, onClose: () => void queue?.close() });
  try {
    queue = await PostgresTaskQueue.open(catalog.conn.pool, { joins: catalog.conn, log });
  } catch (e) {
    await catalog.close();
    throw e;
  }
  return { catalog, queue, database: catalog.conn.redactedUrl };
}
