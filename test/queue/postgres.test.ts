// The PostgreSQL task queue (pg-boss underneath) passes the queue's conformance suite on a real
// cluster, on the database's clock (due times and backoffs waited for in real time).
import { after } from 'node:test';
import { randomUUID } from 'node:crypto';
import { PostgresTaskQueue } from '../../src/queue/postgres.ts';
import { startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { queueConformance, type ConformanceTasks } from './conformance.ts';

let cluster: PgCluster;
const started = startCluster().then((c) => (cluster = c));
after(() => cluster?.stop());

/** A new, empty database on the cluster; its URL. */
export async function freshQueueDatabase(): Promise<string> {
  await started;
  const name = `queue_${randomUUID().replaceAll('-', '')}`;
  await cluster.createDatabase(name);
  return cluster.connectionString(name);
}

queueConformance('PostgreSQL (pg-boss)', async () => {
  const queue = await PostgresTaskQueue.connect<ConformanceTasks>(await freshQueueDatabase());
  return { queue, dispose: () => queue.close() };
});
