// The bandwidth limit on writes to storage (--max-upload-mbps): its schedule's arithmetic, checked
// with an injected clock (no test waits on the wall clock), and puts through the storage stack
// against a real filesystem storage, whole and streamed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { Bandwidth, mbpsToBytesPerSecond, reserve, type BandwidthTime } from '../../src/storage/bandwidth.ts';
import { FsStorage } from '../../src/storage/fs.ts';
import { stack } from '../../src/storage/stack.ts';

/** A clock that only moves when something sleeps; every sleep is recorded. */
function fakeTime(): BandwidthTime & { t: number; sleeps: number[] } {
  const time = {
    t: 1000,
    sleeps: [] as number[],
    now: () => time.t,
    sleep: async (ms: number) => {
      time.sleeps.push(ms);
      time.t += ms;
    },
  };
  return time;
}

const MB = 1_000_000;

describe('bandwidth limit', () => {
  it('converts megabits to bytes per second', () => {
    assert.equal(mbpsToBytesPerSecond(8), MB);
    assert.equal(mbpsToBytesPerSecond(0.5), 62_500);
  });

  it('reserves each write the interval its bytes need, after every earlier reservation', () => {
    assert.deepEqual(reserve(-Infinity, 0, MB, MB), { start: 0, nextFree: 1000 });
    assert.deepEqual(reserve(1000, 200, MB / 2, MB), { start: 1000, nextFree: 1500 });
    // After an idle spell no credit piles up: the next write starts now, not in the past.
    assert.deepEqual(reserve(1500, 9000, 2 * MB, MB), { start: 9000, nextFree: 11_000 });
  });

  it('keeps writes at the rate on average, however many are under way at once', async () => {
    const time = fakeTime();
    const bw = new Bandwidth(MB, time);
    await bw.take(MB); // the first goes at once
    assert.deepEqual(time.sleeps, []);
    // Three at once, taken before any has waited: each waits for the ones before it.
    const before = time.t;
    const starts: number[] = [];
    const frozen = { ...time, now: () => before, sleep: async (ms: number) => void starts.push(before + ms) };
    const together = new Bandwidth(MB, frozen);
    await Promise.all([together.take(MB / 4), together.take(MB / 4), together.take(MB / 2)]);
    assert.deepEqual(starts, [before + 250, before + 500]);
    // 10 MB in 1 MB writes at 1 MB/s: 9 waits of a second after the first.
    await bw.take(MB);
    for (let i = 0; i < 8; i++) await bw.take(MB);
    assert.equal(time.sleeps.reduce((a, b) => a + b, 0), 9000);
  });

  it('paces puts through the storage stack, buffers and streams alike, storing every byte', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dpv-bandwidth-'));
    try {
      const time = fakeTime();
      const storage = stack(new FsStorage(dir), { upload: new Bandwidth(MB, time), retry: false });
      const data = Buffer.alloc(MB / 2, 7);
      await storage.put('a', data);
      await storage.put('b', data);
      await storage.put('c', data);
      assert.deepEqual(time.sleeps, [500, 500]);
      const parts = [Buffer.alloc(MB / 4, 1), Buffer.alloc(MB / 4, 2), Buffer.alloc(MB / 4, 3)];
      await storage.put('s', Readable.from(parts));
      assert.deepEqual(time.sleeps, [500, 500, 500, 250, 250]);
      assert.ok((await storage.get('s')).equals(Buffer.concat(parts)));
      assert.equal((await storage.get('c')).length, MB / 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lets positional reads through the limited stack without taking from the upload budget', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dpv-bandwidth-'));
    try {
      const time = fakeTime();
      const storage = stack(new FsStorage(dir), { upload: new Bandwidth(MB, time), retry: false });
      const data = Buffer.alloc(MB, 9);
      await storage.put('a', data);
      const into = Buffer.alloc(MB);
      for (let i = 0; i < 3; i++) assert.equal(await storage.readInto!('a', 0, into), MB);
      assert.ok(into.equals(data));
      assert.deepEqual(time.sleeps, [], 'reads are not paced');
      await storage.put('b', data);
      assert.deepEqual(time.sleeps, [1000], 'the next put still waits its turn');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a rate that is not above zero', () => {
    assert.throws(() => new Bandwidth(0), RangeError);
  });
});
