// Where the service keeps its state: the embedded SQLite file (<data-dir>/catalog.sqlite, which
// the task queue shares so a transaction can span both), or a PostgreSQL catalog (--database or
// DPVAULT_DATABASE, issue 22). On PostgreSQL the task queue stays embedded for now, in
// <data-dir>/queue.sqlite of each server, until it moves onto PostgreSQL too (issue 22 item 2):
// a catalog transaction there does not take in the tasks it queues.
import { join } from 'node:path';
import type { Catalog } from '../catalog/catalog.ts';
import { PostgresCatalog } from '../catalog/postgres.ts';
import { SqliteCatalog } from '../catalog/sqlite.ts';
import { SqliteConnection } from '../catalog/sqlite-connection.ts';
import { SqliteTaskQueue } from '../queue/sqlite.ts';
import type { TaskQueue } from '../queue/queue.ts';

export const EMBEDDED_CATALOG_FILE = 'catalog.sqlite';
export const QUEUE_FILE = 'queue.sqlite';

export interface CatalogStore {
  catalog: Catalog;
  queue: TaskQueue;
  /** The PostgreSQL catalog's URL with its password hidden, or undefined for the embedded one. */
  database?: string;
}

/** Opens the catalog `database` names (a postgres:// URL), else the data directory's own. */
export async function openCatalogStore(dataDir: string, database: string | undefined, log?: (line: string) => void): Promise<CatalogStore> {
  if (database === undefined) {
    const db = new SqliteConnection(join(dataDir, EMBEDDED_CATALOG_FILE));
    return { catalog: new SqliteCatalog(db), queue: new SqliteTaskQueue(db) };
  }
  const catalog = await PostgresCatalog.open(database, { log, onClose: () => queueDb.close() });
  const queueDb = new SqliteConnection(join(dataDir, QUEUE_FILE));
  return { catalog, queue: new SqliteTaskQueue(queueDb), database: catalog.conn.redactedUrl };
}
