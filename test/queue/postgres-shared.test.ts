// The PostgreSQL task queue as many processes share it: two queues on two pools (two processes as
// far as the database can tell) on one database; the service's PostgreSQL mode selecting it, with
// a catalog transaction taking in the tasks it queues; start-up recovery leaving other processes'
// leases alone; and the worker's concurrency limit holding on it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openContext } from '../../src/app.ts';
import { recoverInterruptedWork } from '../../src/jobs/recovery.ts';
import { Worker } from '../../src/jobs/worker.ts';
import { PostgresTaskQueue } from '../../src/queue/postgres.ts';
import type { TaskQueue } from '../../src/queue/queue.ts';
import { freshQueueDatabase } from './fresh-database.ts';

type Shared = { job: { n: number } };

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();

describe('the PostgreSQL task queue shared by two processes', () => {
  it('queues each job key once, runs each task once across four claimers, retries a lapsed lease and ends exhausted tasks failed', async () => {
    const url = await freshQueueDatabase();
    const a = await PostgresTaskQueue.connect<Shared>(url);
    const b = await PostgresTaskQueue.connect<Shared>(url);
    try {
      const keys = Array.from({ length: 200 }, (_, n) => n);
      const enqueues = keys.flatMap((n) => [a, b, n % 2 ? a : b].map((q) => q.enqueue('job', { n }, { runAt: inMs(0), jobKey: `k${n}` })));
      const queued = await Promise.all(enqueues);
      assert.equal(queued.filter(Boolean).length, 200, 'every key queued once, whichever process won');
      assert.equal((await a.list('queued')).length, 200);

      const completed = new Map<number, number>();
      const drain = async (q: TaskQueue<Shared>, holder: string) => {
        for (let task = await q.claim(holder, { now: inMs(0), leaseUntil: inMs(60_000) }); task; task = await q.claim(holder, { now: inMs(0), leaseUntil: inMs(60_000) })) {
          completed.set(task.payload.n, (completed.get(task.payload.n) ?? 0) + 1);
          await q.complete(task.id);
        }
      };
      await Promise.all([drain(a, 'a1'), drain(a, 'a2'), drain(b, 'b1'), drain(b, 'b2')]);
      assert.equal(completed.size, 200);
      assert.deepEqual([...new Set(completed.values())], [1], 'each task completed exactly once');
      assert.equal((await b.list('done')).length, 200);
      assert.equal(await a.enqueue('job', { n: 0 }, { runAt: inMs(0), jobKey: 'k0' }), false, 'a done key stays taken');

      // A holder that stops heart-beating: its lease lapses, another process releases and claims it.
      await a.enqueue('job', { n: 1000 }, { runAt: inMs(0), jobKey: 'lapsed' });
      const held = await a.claim('a-dead', { now: inMs(0), leaseUntil: inMs(200) });
      assert.equal(held?.payload.n, 1000);
      assert.equal(await b.claim('b1', { now: inMs(0), leaseUntil: inMs(60_000) }), undefined);
      await sleep(250);
      assert.deepEqual((await b.listExpired(inMs(0))).map((t) => t.leasedBy), ['a-dead']);
      assert.equal(await b.releaseExpiredLeases(inMs(0)), 1);
      let again;
      for (let i = 0; i < 100 && !again; i++, await sleep(100)) again = await b.claim('b1', { now: inMs(0), leaseUntil: inMs(60_000) });
      assert.deepEqual([again?.id, again?.attempts, again?.leasedBy], [held!.id, 2, 'b1'], 'retried by the other process after its backoff');
      assert.equal(await a.heartbeat(held!.id, 'a-dead', inMs(60_000)), false, 'the lapsed holder holds it no longer');
      await b.complete(again!.id);

      // A task that keeps failing: retried until its attempts are spent, then failed for good, with its error.
      await b.enqueue('job', { n: 2000 }, { runAt: inMs(0), jobKey: 'doomed' });
      for (let done = false, polls = 0; !done && polls < 200; polls++) {
        const t = await (polls % 2 ? a : b).claim(`c${polls}`, { now: inMs(0), leaseUntil: inMs(60_000) });
        if (!t) {
          await sleep(100);
          continue;
        }
        const q: TaskQueue<Shared> = polls % 2 ? a : b;
        if (t.attempts < 2) await q.retry(t.id, `attempt ${t.attempts} broke`, inMs(0));
        else {
          await q.fail(t.id, `attempt ${t.attempts} broke; giving up`);
          done = true;
        }
      }
      const failed = await a.list('failed');
      assert.deepEqual(failed.map((t) => [t.jobKey, t.attempts, t.lastError, t.leasedBy]), [['doomed', 2, 'attempt 2 broke; giving up', null]]);
      assert.equal(await b.claim('b1', { now: inMs(0), leaseUntil: inMs(60_000) }), undefined, 'a failed task is not claimed again');
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('the service on a PostgreSQL catalog', () => {
  it('queues on the shared PostgreSQL queue, inside the catalog transaction that queues', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dpvault-pgqueue-'));
    const ctx = await openContext({ dataDir, database: await freshQueueDatabase() });
    try {
      assert.ok(ctx.queue instanceof PostgresTaskQueue);
      assert.equal(ctx.queue.shared, true);
      const runAt = new Date().toISOString();
      await ctx.catalog
        .transaction(async () => {
          await ctx.catalog.putResource({ id: '/x/job', type: 'T/jobs', parentId: null, body: {} });
          assert.equal(await ctx.queue.enqueue('verify', { jobId: 'j1', samplePercent: 1 }, { runAt, jobKey: 'rolled-back' }), true);
          throw new Error('abort');
        })
        .catch(() => undefined);
      assert.deepEqual(await ctx.queue.list('queued'), [], 'the task went with the transaction');
      assert.equal(await ctx.catalog.getResource('/x/job'), undefined);
      await ctx.catalog.transaction(() => ctx.queue.enqueue('verify', { jobId: 'j2', samplePercent: 1 }, { runAt, jobKey: 'rolled-back' }));
      assert.deepEqual((await ctx.queue.list('queued')).map((t) => t.kind === 'verify' && t.payload.jobId), ['j2'], 'its key was free again; a commit keeps the task');
    } finally {
      await ctx.catalog.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('leaves the leases of other processes alone at start-up, and runs no more tasks at once than its concurrency', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dpvault-pgqueue-'));
    const ctx = await openContext({ dataDir, database: await freshQueueDatabase() });
    const queue = ctx.queue as unknown as TaskQueue<Shared>;
    try {
      await queue.enqueue('job', { n: 0 }, { runAt: inMs(0) });
      const other = await queue.claim('other-server/worker-1', { now: inMs(0), leaseUntil: inMs(600_000) });
      assert.equal(await recoverInterruptedWork(ctx, ctx.placement!, 'this-server/'), 0);
      assert.deepEqual((await queue.list('running')).map((t) => [t.id, t.leasedBy]), [[other!.id, 'other-server/worker-1']], 'another process may be running it');
      await queue.complete(other!.id);

      let running = 0;
      let most = 0;
      const worker = new Worker<Shared>(ctx, queue, {
        job: async () => {
          most = Math.max(most, ++running);
          await sleep(150);
          running--;
        },
      }, { concurrency: 2, pollMs: 20 });
      for (let n = 1; n <= 6; n++) await queue.enqueue('job', { n }, { runAt: inMs(0) });
      worker.start();
      await worker.drain();
      await worker.stop();
      assert.equal(most, 2, 'two at a time, never more');
      assert.equal((await queue.list('done')).length, 7);
    } finally {
      await ctx.catalog.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
