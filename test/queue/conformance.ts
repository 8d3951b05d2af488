// The task queue's contract (src/queue/queue.ts), as a suite any implementation must pass: the
// embedded SQLite one (sqlite.test.ts) and the PostgreSQL one (postgres.test.ts). Each test gets a
// fresh, empty queue from the factory. Times are instants on a timeline the test walks: for a
// queue on the caller's clock the timeline starts at T0 and moves only when the test says so
// (no waiting); for a queue on the database's clock (due times and retry backoffs are the
// database's) it starts at the real now, an hour of the test lasts DB_HOUR real milliseconds,
// and reaching a later instant waits for it. Every case runs in both modes.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { retryDelayMs, type QueueClock, type TaskQueue } from '../../src/queue/queue.ts';

/** The suite's own task map: kinds whose payloads say which task they are. */
export type ConformanceTasks = { send: { jobId?: string; n: number }; other: { n: number } };

export interface QueueUnderTest {
  queue: TaskQueue<ConformanceTasks>;
  /** Ends the queue and removes what the factory made. */
  dispose(): Promise<void>;
}

const T0 = '2026-01-01T00:00:00.000Z';
const HOUR = 3_600_000;
/** How long an hour of a test lasts on a database-clock queue (due times a second apart at least). */
const DB_HOUR = 1500;

/** The instants a test uses, and how it gets to them. */
export interface Timeline {
  /** The instant `ms` (test time) after the test's start. */
  at(ms: number): string;
  /** An instant before `ms` at which a task due at `ms` is not due yet (1 ms before; half an hour on the database's clock). */
  before(ms: number): string;
  /** The `now` to pass once the test's time is `ms`: on the database's clock, waits until then. */
  reach(ms: number): Promise<string>;
  /** The `now` to pass once the real instant `iso` has come (for due times the queue chose). */
  reachInstant(iso: string): Promise<string>;
}

export function timeline(clock: QueueClock): Timeline {
  if (clock === 'caller') {
    const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();
    return { at, before: (ms) => at(ms - 1), reach: async (ms) => at(ms), reachInstant: async (iso) => iso };
  }
  const start = Date.now();
  const at = (ms: number) => new Date(start + (ms * DB_HOUR) / HOUR).toISOString();
  const reachInstant = async (iso: string) => {
    await sleep(Math.max(0, Date.parse(iso) - Date.now() + 20));
    return iso;
  };
  return { at, before: (ms) => at(ms - HOUR / 2), reach: (ms) => reachInstant(at(ms)), reachInstant };
}

/** When a retried task may run: exactly retryDelayMs after `now` on the caller's clock, between that and twice that on the database's. */
function backoffWindow(clock: QueueClock, attempts: number, from: number, until: number): [number, number] {
  const d = retryDelayMs(attempts);
  return clock === 'caller' ? [from + d, from + d] : [from + d - 50, until + 2 * d + 50];
}

export function queueConformance(name: string, open: () => Promise<QueueUnderTest>): void {
  describe(`task queue conformance: ${name}`, () => {
    let subject: QueueUnderTest;
    let queue: TaskQueue<ConformanceTasks>;
    let tl: Timeline;
    let at: (ms: number) => string;
    beforeEach(async () => {
      subject = await open();
      queue = subject.queue;
      tl = timeline(queue.clock);
      at = tl.at;
    });
    afterEach(() => subject.dispose());
    /** Claims at `now` with a lease of `leaseMs` (test time). */
    const claim = (holder: string, now: string, leaseMs = HOUR, kinds?: ('send' | 'other')[]) =>
      queue.claim(holder, { now, leaseUntil: new Date(Date.parse(now) + (queue.clock === 'caller' ? leaseMs : (leaseMs * DB_HOUR) / HOUR)).toISOString(), kinds });
    /** On the database's clock a released task waits out its retry backoff before it is due again. */
    const afterRelease = async (attempts: number) => {
      if (queue.clock === 'database') await sleep(2 * retryDelayMs(attempts) + 50);
    };

    describe('unique job keys', () => {
      it('queue a task once per key, whatever became of the first', async () => {
        assert.equal(await queue.enqueue('send', { n: 1 }, { runAt: at(0), jobKey: 'once' }), true);
        assert.equal(await queue.enqueue('send', { n: 2 }, { runAt: at(0), jobKey: 'once' }), false);
        const t = await claim('w', at(0));
        await queue.complete(t!.id);
        assert.equal(await queue.enqueue('send', { n: 3 }, { runAt: at(0), jobKey: 'once' }), false);
        assert.equal(await queue.enqueue('send', { n: 4 }, { runAt: at(0) }), true);
        assert.equal(await queue.enqueue('send', { n: 5 }, { runAt: at(0) }), true, 'tasks without a key are never deduplicated');
        assert.deepEqual((await queue.list('queued')).map((q) => q.payload.n), [4, 5]);
        assert.deepEqual((await queue.list('done')).map((q) => [q.payload.n, q.jobKey]), [[1, 'once']]);
      });
    });

    describe('ordering by runAt', () => {
      it('claims only due tasks, the one due first first, then the one queued first', async () => {
        await queue.enqueue('send', { n: 1 }, { runAt: at(2 * HOUR) });
        await queue.enqueue('send', { n: 2 }, { runAt: at(HOUR) });
        await queue.enqueue('send', { n: 3 }, { runAt: at(HOUR) });
        assert.equal(await claim('w', tl.before(HOUR)), undefined, 'nothing due yet');
        assert.equal((await claim('w', await tl.reach(3 * HOUR)))?.payload.n, 2);
        assert.equal((await claim('w', at(3 * HOUR)))?.payload.n, 3);
        assert.equal((await claim('w', at(3 * HOUR)))?.payload.n, 1);
        assert.equal(await claim('w', at(3 * HOUR)), undefined);
      });

      it('claims only the kinds asked for', async () => {
        await queue.enqueue('other', { n: 1 }, { runAt: at(0) });
        await queue.enqueue('send', { n: 2 }, { runAt: at(0) });
        const t = await claim('w', at(0), HOUR, ['send']);
        assert.equal(t?.kind, 'send');
        assert.equal(await claim('w', at(0), HOUR, ['send']), undefined);
        assert.equal((await claim('w', at(0)))?.kind, 'other');
      });
    });

    describe('leases', () => {
      it('a claimed task runs for one holder, with its payload and attempt count', async () => {
        await queue.enqueue('send', { jobId: 'j', n: 1 }, { runAt: at(0), jobKey: 'k' });
        const t = await claim('w1', at(0));
        assert.deepEqual(
          { kind: t?.kind, payload: t?.payload, attempts: t?.attempts, jobKey: t?.jobKey, leasedBy: t?.leasedBy, leaseUntil: t?.leaseUntil && Date.parse(t.leaseUntil) },
          { kind: 'send', payload: { jobId: 'j', n: 1 }, attempts: 1, jobKey: 'k', leasedBy: 'w1', leaseUntil: Date.parse(at(HOUR)) },
        );
        assert.equal(await claim('w2', at(0)), undefined);
        assert.deepEqual((await queue.list('running')).map((r) => r.id), [t!.id]);
      });

      it('are claimed once by holders racing for one task', async () => {
        await queue.enqueue('send', { n: 1 }, { runAt: at(0) });
        const claims = await Promise.all(['a', 'b', 'c', 'd'].map((h) => claim(h, at(0))));
        assert.equal(claims.filter(Boolean).length, 1);
      });
    });

    describe('heartbeat', () => {
      it('extends the lease of its holder only', async () => {
        await queue.enqueue('send', { n: 1 }, { runAt: at(0) });
        const t = await claim('w1', at(0));
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
        await queue.enqueue('send', { n: 1 }, { runAt: at(0) });
        await queue.enqueue('send', { n: 2 }, { runAt: at(0) });
        const short = await claim('w1', at(0), HOUR);
        const long = await claim('w2', at(0), 10 * HOUR);
        assert.deepEqual(await queue.listExpired(at(HOUR - 1)), []);
        assert.deepEqual((await queue.listExpired(at(HOUR))).map((x) => x.id), [short!.id]);
        assert.equal(await queue.releaseExpiredLeases(at(2 * HOUR)), 1);
        assert.deepEqual((await queue.list('running')).map((x) => x.id), [long!.id]);
        await afterRelease(1);
        const again = await claim('w3', at(2 * HOUR));
        assert.equal(again?.id, short!.id);
        assert.equal(again?.attempts, 2);
      });

      it('ends the leases of holders outside a prefix at once', async () => {
        for (const n of [1, 2, 3]) await queue.enqueue('send', { n }, { runAt: at(0) });
        await claim('old-instance/worker-1', at(0), 10 * HOUR);
        await claim('old-instance/worker-2', at(0), 10 * HOUR);
        const mine = await claim('this-instance/worker-1', at(0), 10 * HOUR);
        assert.equal(await queue.expireLeases(at(1), 'this-instance/'), 2);
        assert.deepEqual((await queue.listExpired(at(1))).map((x) => x.payload.n).sort(), [1, 2]);
        assert.deepEqual((await queue.list('running')).map((x) => x.id).includes(mine!.id), true);
      });
    });

    describe('retry with backoff', () => {
      it('puts a task back after a delay that grows with its attempts, keeping the error', async () => {
        assert.ok(retryDelayMs(2) > retryDelayMs(1));
        await queue.enqueue('send', { n: 1 }, { runAt: at(0) });
        const first = await claim('w', at(0));
        const now1 = at(0);
        const from1 = Date.now();
        await queue.retry(first!.id, 'flaky', now1);
        const [queued] = await queue.list('queued');
        const [lo1, hi1] = backoffWindow(queue.clock, 1, queue.clock === 'caller' ? Date.parse(now1) : from1, queue.clock === 'caller' ? Date.parse(now1) : Date.now());
        const runAt1 = Date.parse(queued!.runAt);
        assert.ok(runAt1 >= lo1 && runAt1 <= hi1, `due again in [${lo1}, ${hi1}], not ${runAt1}`);
        assert.equal(queued!.lastError, 'flaky');
        assert.equal(queued!.leasedBy, null);
        assert.equal(await claim('w', queue.clock === 'caller' ? new Date(runAt1 - 1).toISOString() : at(0)), undefined, 'not before its backoff');
        const now2 = await tl.reachInstant(queued!.runAt);
        const second = await claim('w', now2);
        assert.equal(second?.attempts, 2);
        const from2 = Date.now();
        await queue.retry(second!.id, 'flaky again', now2);
        const [lo2, hi2] = backoffWindow(queue.clock, 2, queue.clock === 'caller' ? Date.parse(now2) : from2, queue.clock === 'caller' ? Date.parse(now2) : Date.now());
        const runAt2 = Date.parse((await queue.list('queued'))[0]!.runAt);
        assert.ok(runAt2 >= lo2 && runAt2 <= hi2, `due again in [${lo2}, ${hi2}], not ${runAt2}`);
      });
    });

    describe('groups', () => {
      it('run one task of a group at a time, other groups beside it', async () => {
        await queue.enqueue('send', { n: 1 }, { runAt: at(0), group: 'g' });
        await queue.enqueue('send', { n: 2 }, { runAt: at(0), group: 'g' });
        await queue.enqueue('send', { n: 3 }, { runAt: at(0), group: 'h' });
        await queue.enqueue('other', { n: 4 }, { runAt: at(0) });
        const a = await claim('w1', at(0));
        assert.deepEqual([a?.payload.n, a?.group], [1, 'g']);
        assert.equal((await claim('w2', at(0), HOUR, ['send']))?.payload.n, 3, 'the next of g waits; h runs');
        assert.equal((await claim('w3', at(0), HOUR, ['send'])), undefined);
        assert.equal((await claim('w3', at(0)))?.payload.n, 4, 'a task without a group is never held back');
        await queue.complete(a!.id);
        assert.equal((await claim('w3', at(0)))?.payload.n, 2, 'g is free once its task completed');
      });

      it('free a group when its running task fails, is retried or its lease expires', async () => {
        for (const n of [1, 2, 3, 4]) await queue.enqueue('send', { n }, { runAt: at(0), group: 'g' });
        const a = await claim('w1', at(0));
        assert.equal(await claim('w2', at(0)), undefined);
        await queue.fail(a!.id, 'broken');
        const b = await claim('w2', at(0));
        assert.equal(b?.payload.n, 2);
        await queue.retry(b!.id, 'flaky', at(0));
        const c = await claim('w3', at(0));
        assert.equal(c?.payload.n, 3, 'the retried task waits out its backoff; the next runs');
        assert.equal(await claim('w4', at(HOUR - 1)), undefined, 'its lease holds');
        const d = await claim('w4', at(HOUR));
        assert.ok(d && d.id !== c!.id && d.group === 'g', 'a lease over at now holds nothing back');
      });

      it('are claimed once by holders racing for one group', async () => {
        for (const n of [1, 2, 3]) await queue.enqueue('send', { n }, { runAt: at(0), group: 'g' });
        const claims = await Promise.all(['a', 'b', 'c', 'd'].map((h) => claim(h, at(0))));
        assert.equal(claims.filter(Boolean).length, 1);
      });
    });

    describe('completion and failure', () => {
      it('end a task for good with its lease, keeping a failure\'s error', async () => {
        await queue.enqueue('send', { n: 1 }, { runAt: at(0) });
        await queue.enqueue('send', { n: 2 }, { runAt: at(0) });
        const a = await claim('w', at(0));
        const b = await claim('w', at(0));
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
