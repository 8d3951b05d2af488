// The task queue's contract (src/queue/queue.ts), as a suite any implementation must pass: the
// embedded SQLite one (sqlite.test.ts) and a PostgreSQL one next. Each test gets a fresh, empty
// queue from the factory; times are instants the test chooses (the queue reads no clock).
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { retryDelayMs, type TaskQueue } from '../../src/queue/queue.ts';

/** The suite's own task map: kinds whose payloads say which task they are. */
export type ConformanceTasks = { send: { jobId?: string; n: number }; other: { n: number } };

export interface QueueUnderTest {
  queue: TaskQueue<ConformanceTasks>;
  /** Ends the queue and removes what the factory made. */
  dispose(): Promise<void>;
}

const T0 = '2026-01-01T00:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();
const HOUR = 3_600_000;

export function queueConformance(name: string, open: () => Promise<QueueUnderTest>): void {
  describe(`task queue conformance: ${name}`, () => {
    let subject: QueueUnderTest;
    let queue: TaskQueue<ConformanceTasks>;
    beforeEach(async () => {
      subject = await open();
      queue = subject.queue;
    });
    afterEach(() => subject.dispose());
    const claim = (holder: string, now: string, leaseMs = HOUR, kinds?: ('send' | 'other')[]) => queue.claim(holder, { now, leaseUntil: at(Date.parse(now) - Date.parse(T0) + leaseMs), kinds });

    describe('unique job keys', () => {
      it('queue a task once per key, whatever became of the first', async () => {
        assert.equal(await queue.enqueue('send', { n: 1 }, { runAt: T0, jobKey: 'once' }), true);
        assert.equal(await queue.enqueue('send', { n: 2 }, { runAt: T0, jobKey: 'once' }), false);
        const t = await claim('w', T0);
        await queue.complete(t!.id);
        assert.equal(await queue.enqueue('send', { n: 3 }, { runAt: T0, jobKey: 'once' }), false);
        assert.equal(await queue.enqueue('send', { n: 4 }, { runAt: T0 }), true);
        assert.equal(await queue.enqueue('send', { n: 5 }, { runAt: T0 }), true, 'tasks without a key are never deduplicated');
        assert.deepEqual((await queue.list('queued')).map((q) => q.payload.n), [4, 5]);
        assert.deepEqual((await queue.list('done')).map((q) => [q.payload.n, q.jobKey]), [[1, 'once']]);
      });
    });

    describe('ordering by runAt', () => {
      it('claims only due tasks, the one due first first, then the one queued first', async () => {
        await queue.enqueue('send', { n: 1 }, { runAt: at(2 * HOUR) });
        await queue.enqueue('send', { n: 2 }, { runAt: at(HOUR) });
        await queue.enqueue('send', { n: 3 }, { runAt: at(HOUR) });
        assert.equal(await claim('w', at(HOUR - 1)), undefined, 'nothing due yet');
        assert.equal((await claim('w', at(3 * HOUR)))?.payload.n, 2);
        assert.equal((await claim('w', at(3 * HOUR)))?.payload.n, 3);
        assert.equal((await claim('w', at(3 * HOUR)))?.payload.n, 1);
        assert.equal(await claim('w', at(3 * HOUR)), undefined);
      });

      it('claims only the kinds asked for', async () => {
        await queue.enqueue('other', { n: 1 }, { runAt: T0 });
        await queue.enqueue('send', { n: 2 }, { runAt: T0 });
        const t = await claim('w', T0, HOUR, ['send']);
        assert.equal(t?.kind, 'send');
        assert.equal(await claim('w', T0, HOUR, ['send']), undefined);
        assert.equal((await claim('w', T0))?.kind, 'other');
      });
    });

    describe('leases', () => {
      it('a claimed task runs for one holder, with its payload and attempt count', async () => {
        await queue.enqueue('send', { jobId: 'j', n: 1 }, { runAt: T0, jobKey: 'k' });
        const t = await claim('w1', T0);
        assert.deepEqual(
          { kind: t?.kind, payload: t?.payload, attempts: t?.attempts, jobKey: t?.jobKey, leasedBy: t?.leasedBy, leaseUntil: t?.leaseUntil && Date.parse(t.leaseUntil) },
          { kind: 'send', payload: { jobId: 'j', n: 1 }, attempts: 1, jobKey: 'k', leasedBy: 'w1', leaseUntil: Date.parse(at(HOUR)) },
        );
        assert.equal(await claim('w2', T0), undefined);
        assert.deepEqual((await queue.list('running')).map((r) => r.id), [t!.id]);
      });

      it('are claimed once by holders racing for one task', async () => {
        await queue.enqueue('send', { n: 1 }, { runAt: T0 });
        const claims = await Promise.all(['a', 'b', 'c', 'd'].map((h) => claim(h, T0)));
        assert.equal(claims.filter(Boolean).length, 1);
      });
    });

    describe('heartbeat', () => {
      it('extends the lease of its holder only', async () => {
        await queue.enqueue('send', { n: 1 }, { runAt: T0 });
        const t = await claim('w1', T0);
        assert.equal(await queue.heartbeat(t!.id, 'w2', at(5 * HOUR)), false, 'another holder');
        assert.equal(await queue.heartbeat(t!.id, 'w1', at(3 * HOUR)), true);
        assert.deepEqual(await queue.listExpired(at(2 * HOUR)), [], 'the extended lease holds');
        assert.deepEqual((await queue.listExpired(at(3 * HOUR))).map((x) => x.id), [t!.id]);
        await queue.complete(t!.id);
        assert.equal(await queue.heartbeat(t!.id, 'w1', at(9 * HOUR)), false, 'a task no longer running');
      });
    });

    describe('expiry', () => {
      it('lists running tasks whose lease is over, and puts them back in the queue', async () => {
        await queue.enqueue('send', { n: 1 }, { runAt: T0 });
        await queue.enqueue('send', { n: 2 }, { runAt: T0 });
        const short = await claim('w1', T0, HOUR);
        const long = await claim('w2', T0, 10 * HOUR);
        assert.deepEqual(await queue.listExpired(at(HOUR - 1)), []);
        assert.deepEqual((await queue.listExpired(at(HOUR))).map((x) => x.id), [short!.id]);
        assert.equal(await queue.releaseExpiredLeases(at(2 * HOUR)), 1);
        assert.deepEqual((await queue.list('running')).map((x) => x.id), [long!.id]);
        const again = await claim('w3', at(2 * HOUR));
        assert.equal(again?.id, short!.id);
        assert.equal(again?.attempts, 2);
      });

      it('ends the leases of holders outside a prefix at once', async () => {
        for (const n of [1, 2, 3]) await queue.enqueue('send', { n }, { runAt: T0 });
        await claim('old-instance/worker-1', T0, 10 * HOUR);
        await claim('old-instance/worker-2', T0, 10 * HOUR);
        const mine = await claim('this-instance/worker-1', T0, 10 * HOUR);
        assert.equal(await queue.expireLeases(at(1), 'this-instance/'), 2);
        assert.deepEqual((await queue.listExpired(at(1))).map((x) => x.payload.n).sort(), [1, 2]);
        assert.deepEqual((await queue.list('running')).map((x) => x.id).includes(mine!.id), true);
      });
    });

    describe('retry with backoff', () => {
      it('puts a task back after a delay that grows with its attempts, keeping the error', async () => {
        assert.ok(retryDelayMs(2) > retryDelayMs(1));
        await queue.enqueue('send', { n: 1 }, { runAt: T0 });
        const first = await claim('w', T0);
        await queue.retry(first!.id, 'flaky', T0);
        const [queued] = await queue.list('queued');
        assert.equal(Date.parse(queued!.runAt), Date.parse(T0) + retryDelayMs(1));
        assert.equal(queued!.lastError, 'flaky');
        assert.equal(queued!.leasedBy, null);
        assert.equal(await claim('w', at(retryDelayMs(1) - 1)), undefined, 'not before its backoff');
        const second = await claim('w', at(retryDelayMs(1)));
        assert.equal(second?.attempts, 2);
        await queue.retry(second!.id, 'flaky again', at(retryDelayMs(1)));
        assert.equal(Date.parse((await queue.list('queued'))[0]!.runAt), Date.parse(T0) + retryDelayMs(1) + retryDelayMs(2));
      });
    });

    describe('completion and failure', () => {
      it('end a task for good with its lease, keeping a failure\'s error', async () => {
        await queue.enqueue('send', { n: 1 }, { runAt: T0 });
        await queue.enqueue('send', { n: 2 }, { runAt: T0 });
        const a = await claim('w', T0);
        const b = await claim('w', T0);
        await queue.complete(a!.id);
        await queue.fail(b!.id, 'broken');
        assert.deepEqual((await queue.list('done')).map((x) => [x.payload.n, x.leasedBy, x.leaseUntil]), [[1, null, null]]);
        assert.deepEqual((await queue.list('failed')).map((x) => [x.payload.n, x.lastError, x.leasedBy]), [[2, 'broken', null]]);
        assert.deepEqual(await queue.list('running'), []);
        assert.deepEqual(await queue.listExpired(at(100 * HOUR)), []);
        assert.equal(await claim('w', at(100 * HOUR)), undefined);
      });
    });
  });
}
