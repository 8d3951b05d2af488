// The PostgreSQL task queue (pg-boss underneath) passes the queue's conformance suite on a real
// cluster, on the database's clock (due times and backoffs waited for in real time).
import { PostgresTaskQueue } from '../../src/queue/postgres.ts';
import { queueConformance, type ConformanceTasks } from './conformance.ts';
import { freshQueueDatabase } from './fresh-database.ts';

queueConformance('PostgreSQL (pg-boss)', async () => {
  const queue = await PostgresTaskQueue.connect<ConformanceTasks>(await freshQueueDatabase());
  return { queue, dispose: () => queue.close() };
});
