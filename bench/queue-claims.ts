// The PostgreSQL task queue's claim rate and the cost of an idle poll, on a throwaway cluster:
//   scripts/with-node.sh node bench/queue-claims.ts [--tasks 2000]
// Four claimers (two processes' pools, two claimers each) drain the queued tasks (claim, then
// complete); then, with every task done, idle claims (nothing due) are timed one after another.
// Prints the figures docs/architecture.md quotes ("The task queue on PostgreSQL").
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { PostgresTaskQueue } from '../src/queue/postgres.ts';
import { startCluster } from '../test/support/pg-cluster.ts';

type BenchTasks = { job: { n: number } };
const { values } = parseArgs({ options: { tasks: { type: 'string', default: '2000' }, idle: { type: 'string', default: '300' } } });
const tasks = Number(values.tasks);
const cluster = await startCluster();
try {
  await cluster.createDatabase('bench');
  const url = cluster.connectionString('bench');
  const [a, b] = [await PostgresTaskQueue.connect<BenchTasks>(url), await PostgresTaskQueue.connect<BenchTasks>(url)];
  const now = () => new Date().toISOString();
  const lease = () => new Date(Date.now() + 60_000).toISOString();
  let t = performance.now();
  for (let n = 0; n < tasks; n++) await (n % 2 ? a : b).enqueue('job', { n }, { runAt: now(), jobKey: `k${n}` });
  const enqueueMs = (performance.now() - t) / tasks;
  const drain = async (q: PostgresTaskQueue<BenchTasks>, holder: string) => {
    let done = 0;
    for (let task = await q.claim(holder, { now: now(), leaseUntil: lease() }); task; task = await q.claim(holder, { now: now(), leaseUntil: lease() })) {
      await q.complete(task.id);
      done++;
    }
    return done;
  };
  t = performance.now();
  const counts = await Promise.all([drain(a, 'a1'), drain(a, 'a2'), drain(b, 'b1'), drain(b, 'b2')]);
  const drainS = (performance.now() - t) / 1000;
  const idle = Number(values.idle);
  t = performance.now();
  for (let i = 0; i < idle; i++) await a.claim('idle', { now: now(), leaseUntil: lease() });
  const idleMs = (performance.now() - t) / idle;
  console.log(`enqueue: ${enqueueMs.toFixed(2)} ms per task (one at a time)`);
  console.log(`4 claimers: ${tasks} tasks claimed and completed in ${drainS.toFixed(1)} s = ${(tasks / drainS).toFixed(0)} tasks/s (per claimer: ${counts.join(', ')})`);
  console.log(`idle claim (nothing due, ${tasks} done tasks stored): ${idleMs.toFixed(2)} ms, 5 statements (BEGIN, lock, busy groups, next due, COMMIT)`);
  await a.close();
  await b.close();
} finally {
  await cluster.stop();
}
