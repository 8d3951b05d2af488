// The worker runs each claimed task through the handler of its kind and keeps the task's lease
// alive while the handler runs: a heartbeat moves the lease on from the service clock's now.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openContext } from '../../src/app.ts';
import { SqliteConnection } from '../../src/catalog/sqlite-connection.ts';
import { Worker } from '../../src/jobs/worker.ts';
import { SqliteTaskQueue } from '../../src/queue/sqlite.ts';
import { ManualClock } from '../../src/util/clock.ts';

type WorkerTasks = { long: { n: number }; short: { n: number } };

test('a running task is handled by its kind and its lease is extended until it ends', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dpvault-worker-'));
  const clock = new ManualClock('2026-01-01T00:00:00.000Z');
  const ctx = await openContext({ dataDir, clock });
  const connection = new SqliteConnection(join(dataDir, 'worker-queue.sqlite'));
  const queue = new SqliteTaskQueue<WorkerTasks>(connection);
  const handled: string[] = [];
  let extended = false;
  const worker = new Worker<WorkerTasks>(ctx, queue, {
    long: async (payload, task) => {
      handled.push(`long ${payload.n}`);
      const first = Date.parse(task.leaseUntil!);
      clock.advance(3_600_000);
      // Ends once a heartbeat has moved the lease on from the advanced clock, or after many polls.
      for (let polls = 0; polls < 2000 && !extended; polls++) {
        const [running] = await queue.list('running');
        extended = Date.parse(running!.leaseUntil!) >= first + 3_600_000;
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    short: async (payload) => void handled.push(`short ${payload.n}`),
  }, { leaseMs: 60_000, heartbeatMs: 10, pollMs: 10, idPrefix: 'test-instance/' });
  try {
    await queue.enqueue('long', { n: 1 }, { runAt: clock.now().toISOString() });
    await queue.enqueue('short', { n: 2 }, { runAt: clock.now().toISOString() });
    worker.start();
    await worker.drain();
    assert.deepEqual(handled.sort(), ['long 1', 'short 2']);
    assert.equal(extended, true, 'a heartbeat extended the lease while the task ran');
    assert.deepEqual((await queue.list('done')).map((t) => t.kind).sort(), ['long', 'short']);
    assert.ok(worker.id.startsWith('test-instance/worker-'));
  } finally {
    await worker.stop();
    connection.close();
    await ctx.catalog.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('after each task the worker collects garbage, so what a task dropped is not held until the next allocation', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dpvault-worker-gc-'));
  const ctx = await openContext({ dataDir, clock: new ManualClock('2026-01-01T00:00:00.000Z') });
  const connection = new SqliteConnection(join(dataDir, 'worker-queue.sqlite'));
  const queue = new SqliteTaskQueue<WorkerTasks>(connection);
  const MiB = 2 ** 20;
  // Array buffers held after a task that used 96 MiB of them and dropped them all.
  const heldAfter = async (collectAfterTask: boolean): Promise<number> => {
    const worker = new Worker<WorkerTasks>(ctx, queue, {
      long: async () => {
        const used = Array.from({ length: 6 }, () => Buffer.alloc(16 * MiB, 1));
        await new Promise((r) => setTimeout(r, 5));
        assert.equal(used.length, 6);
      },
      short: async () => undefined,
    }, { pollMs: 10, collectAfterTask });
    try {
      await queue.enqueue('long', { n: 1 }, { runAt: new Date(0).toISOString() });
      worker.start();
      await worker.drain();
      // Backing stores are released by V8's sweeper shortly after a collection; an idle process runs none.
      await new Promise((r) => setTimeout(r, 200));
      return process.memoryUsage().arrayBuffers;
    } finally {
      await worker.stop();
    }
  };
  try {
    // Without the collection (the control): the dropped buffers are still counted.
    const kept = await heldAfter(false);
    assert.ok(kept >= 90 * MiB, `${(kept / MiB).toFixed(1)} MiB held without a collection`);
    const freed = await heldAfter(true);
    assert.ok(freed < 32 * MiB, `${(freed / MiB).toFixed(1)} MiB held after the worker's collection`);
  } finally {
    connection.close();
    await ctx.catalog.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
