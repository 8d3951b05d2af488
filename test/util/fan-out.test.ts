// One stream into several sinks: every sink gets every byte in order; a write waits while any
// live sink holds more than the window (so a slow sink bounds memory), and a sink that fails is
// dropped without stopping the others.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { FanOut } from '../../src/util/fan-out.ts';

/** A sink that takes a write only when `release()` is called (or at once when not gated). */
function sink(gated: boolean): Writable & { got: Buffer[]; release(): void; waiting: number } {
  const queue: (() => void)[] = [];
  const w = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _e, cb) {
      w.got.push(Buffer.from(chunk));
      if (gated) queue.push(cb);
      else cb();
    },
  }) as Writable & { got: Buffer[]; release(): void; waiting: number };
  w.got = [];
  w.release = () => queue.splice(0).forEach((cb) => cb());
  Object.defineProperty(w, 'waiting', { get: () => queue.length });
  return w;
}

test('every sink gets every byte, and the caller may reuse its buffer', async () => {
  const a = sink(false);
  const b = sink(false);
  const fan = new FanOut([a, b], 1024);
  const buf = Buffer.alloc(100);
  for (let i = 0; i < 5; i++) {
    buf.fill(i);
    await fan.write(buf);
  }
  const expect = Buffer.concat([0, 1, 2, 3, 4].map((i) => Buffer.alloc(100, i)));
  assert.deepEqual(Buffer.concat(a.got), expect);
  assert.deepEqual(Buffer.concat(b.got), expect);
});

test('a write waits while a slow sink holds more than the window', async () => {
  const fast = sink(false);
  const slow = sink(true);
  const fan = new FanOut([fast, slow], 250);
  await fan.write(Buffer.alloc(100));
  await fan.write(Buffer.alloc(100));
  let done = false;
  const third = fan.write(Buffer.alloc(100)).then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(done, false, 'the third write waits: 300 bytes pending on the slow sink exceed the window');
  slow.release();
  await new Promise((r) => setImmediate(r));
  slow.release();
  await third;
  assert.equal(done, true);
});

test('a failed sink is dropped and the others go on', async () => {
  const ok = sink(false);
  const broken = new Writable({ write: (_c, _e, cb) => cb(new Error('EPIPE')) });
  broken.on('error', () => {});
  const fan = new FanOut([ok, broken], 0);
  await fan.write(Buffer.from('one'));
  await fan.write(Buffer.from('two'));
  assert.equal(fan.live, 1);
  assert.equal(Buffer.concat(ok.got).toString(), 'onetwo');
});
