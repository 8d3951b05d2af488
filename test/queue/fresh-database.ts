// A throwaway cluster for a test file's PostgreSQL queues (stopped when the file's tests end), and
// a new, empty database on it for each queue.
import { after } from 'node:test';
import { randomUUID } from 'node:crypto';
import { startCluster, type PgCluster } from '../support/pg-cluster.ts';

let cluster: PgCluster | undefined;
let started: Promise<PgCluster> | undefined;
after(() => cluster?.stop());

/** A new, empty database on this file's cluster (started on first use); its URL. */
export async function freshQueueDatabase(): Promise<string> {
  if (!started) {
    started = startCluster().then((c) => (cluster = c));
  }
  const c = await started;
  const name = `queue_${randomUUID().replaceAll('-', '')}`;
  await c.createDatabase(name);
  return c.connectionString(name);
}
