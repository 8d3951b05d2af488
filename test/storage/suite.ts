// The storage conformance suite: every backend's test file calls `storageConformance` with a
// factory for a fresh, empty storage. It checks the contract written in src/storage/storage.ts.
// A backend may skip a case only by giving the reason, which shows in the test output. The heavy
// cases (many thousands of objects, an object of several hundred MB) run a sample by default and
// in full with DPVAULT_FULL_SWEEPS=1.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { Storage } from '../../src/storage/storage.ts';
import { isNotFound, STORAGE_INVALID_NAME, STORAGE_INVALID_RANGE } from '../../src/storage/storage.ts';

export interface StorageFixture {
  storage: Storage;
  cleanup(): Promise<void>;
}

export type ConformanceCase =
  | 'roundTrip'
  | 'streamPut'
  | 'failedStreamPut'
  | 'notFound'
  | 'ranges'
  | 'list'
  | 'delete'
  | 'names'
  | 'concurrentPuts'
  | 'concurrentWriters'
  | 'manyObjects'
  | 'bigObject';

const FULL = process.env.DPVAULT_FULL_SWEEPS === '1';
/** Objects the listing case stores: more than a page of every backend in full, a sample by default. */
export const MANY_OBJECTS = FULL ? 12_000 : 1_200;
/** The big object's size: several hundred MB in full, a sample that stays well under 20 s by default. */
export const BIG_OBJECT_BYTES = FULL ? 400 * 1024 * 1024 : 40 * 1024 * 1024;

export interface ConformanceOptions {
  /** Cases this backend cannot run, each with the reason shown in the output. */
  skip?: Partial<Record<ConformanceCase, string>>;
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream as AsyncIterable<Buffer>) parts.push(part);
  return Buffer.concat(parts);
}

export async function names(storage: Storage, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const info of storage.list(prefix)) out.push(info.name);
  return out.sort();
}

/** `total` bytes of a pseudo-random sequence in 1 MiB chunks, generated as read (never held whole). */
export function generated(total: number, seed = 1): Readable {
  async function* gen(): AsyncGenerator<Buffer> {
    let x = seed >>> 0 || 1;
    for (let at = 0; at < total; ) {
      const n = Math.min(1024 * 1024, total - at);
      const chunk = Buffer.allocUnsafe(n);
      for (let i = 0; i + 4 <= n; i += 4) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        chunk.writeUInt32LE(x >>> 0, i);
      }
      chunk.fill(7, n - (n % 4));
      at += n;
      yield chunk;
    }
  }
  return Readable.from(gen());
}

/** SHA-256, length and last 1000 bytes of everything `stream` yields. */
export async function digest(stream: Readable): Promise<{ sha256: string; bytes: number; tail: Buffer }> {
  const hash = createHash('sha256');
  let bytes = 0;
  let tail = Buffer.alloc(0);
  for await (const part of stream as AsyncIterable<Buffer>) {
    hash.update(part);
    bytes += part.length;
    tail = Buffer.concat([tail, part.subarray(-1000)]).subarray(-1000);
  }
  return { sha256: hash.digest('hex'), bytes, tail };
}

/** Runs `fn` over `items`, `width` at a time. */
async function inParallel<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++] as T);
  }));
}

/** A readable that yields `parts` slowly and then fails with `error` (when given). */
function sourceOf(parts: Buffer[], error?: Error): Readable {
  async function* gen(): AsyncGenerator<Buffer> {
    for (const p of parts) {
      await new Promise((r) => setImmediate(r));
      yield p;
    }
    if (error) throw error;
  }
  return Readable.from(gen());
}

async function assertNotFound(p: Promise<unknown>): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isNotFound(e), `expected a not-found error, got ${String(e)}`);
    return true;
  });
}

export function storageConformance(label: string, create: () => Promise<StorageFixture>, opts: ConformanceOptions = {}): void {
  describe(`storage conformance: ${label}`, () => {
    let fx: StorageFixture;
    let s: Storage;
    before(async () => {
      fx = await create();
      s = fx.storage;
    });
    after(async () => fx.cleanup());
    const test = (name: ConformanceCase, title: string, fn: () => Promise<void>): void => {
      const reason = opts.skip?.[name];
      if (reason) it(title, { skip: reason }, () => undefined);
      else it(title, fn);
    };

    test('roundTrip', 'put then get returns the same bytes; put replaces; stat reports size', async () => {
      const data = randomBytes(100_003);
      await s.put('rt/one', data);
      assert.deepEqual(await s.get('rt/one'), data);
      assert.equal((await s.stat('rt/one')).size, data.length);
      await s.put('rt/empty', Buffer.alloc(0));
      assert.equal((await s.get('rt/empty')).length, 0);
      assert.equal((await s.stat('rt/empty')).size, 0);
      const replacement = randomBytes(17);
      await s.put('rt/one', replacement);
      assert.deepEqual(await s.get('rt/one'), replacement);
      const info = await s.stat('rt/one');
      assert.equal(info.name, 'rt/one');
      assert.ok(info.modified instanceof Date && !Number.isNaN(info.modified.getTime()));
    });

    test('streamPut', 'put from a multi-part stream stores the concatenation', async () => {
      const parts = Array.from({ length: 40 }, (_, i) => randomBytes(65_536 + i));
      await s.put('stream/big', sourceOf(parts));
      assert.deepEqual(await s.get('stream/big'), Buffer.concat(parts));
      assert.deepEqual(await readAll(await s.getStream('stream/big')), Buffer.concat(parts));
    });

    test('failedStreamPut', 'a put whose stream fails stores nothing and keeps the previous object', async () => {
      await assert.rejects(s.put('fail/new', sourceOf([randomBytes(1000), randomBytes(1000)], new Error('source broke'))));
      await assertNotFound(s.get('fail/new'));
      assert.deepEqual(await names(s, 'fail/'), []);
      const old = randomBytes(500);
      await s.put('fail/old', old);
      await assert.rejects(s.put('fail/old', sourceOf([randomBytes(3000)], new Error('source broke'))));
      assert.deepEqual(await s.get('fail/old'), old);
      assert.deepEqual(await names(s, 'fail/'), ['fail/old']);
    });

    test('notFound', 'missing objects give not-found errors from get, getStream and stat', async () => {
      await assertNotFound(s.get('missing/x'));
      await assertNotFound(s.getStream('missing/x'));
      await assertNotFound(s.getStream('missing/x', { offset: 0, length: 1 }));
      await assertNotFound(s.stat('missing/x'));
      assert.deepEqual(await names(s, 'missing/'), []);
    });

    test('ranges', 'getStream returns exactly the requested range and refuses ranges outside', async () => {
      const data = randomBytes(10_000);
      await s.put('range/obj', data);
      assert.deepEqual(await readAll(await s.getStream('range/obj', { offset: 0 })), data);
      assert.deepEqual(await readAll(await s.getStream('range/obj', { offset: 1234, length: 4321 })), data.subarray(1234, 5555));
      assert.deepEqual(await readAll(await s.getStream('range/obj', { offset: 9000 })), data.subarray(9000));
      assert.equal((await readAll(await s.getStream('range/obj', { offset: 10_000, length: 0 }))).length, 0);
      for (const bad of [{ offset: 9_999, length: 2 }, { offset: 10_001 }, { offset: -1, length: 1 }]) {
        await assert.rejects(s.getStream('range/obj', bad), { code: STORAGE_INVALID_RANGE });
      }
    });

    it('readInto, where the backend has it, fills the caller\'s buffer from an offset, short only at the end', async (t) => {
      const readInto = s.readInto?.bind(s);
      if (!readInto) {
        t.skip('the backend has no positional reads: callers read through getStream');
        return;
      }
      const data = randomBytes(3 * 1024 * 1024 + 17);
      await s.put('into/obj', data);
      // A view in the middle of shared memory, as a restore's pooled range buffers are: only it is written.
      const shared = Buffer.from(new SharedArrayBuffer(8192)).fill(0xee);
      assert.equal(await readInto('into/obj', 1234, shared.subarray(100, 100 + 4321)), 4321);
      assert.deepEqual(shared.subarray(100, 100 + 4321), data.subarray(1234, 1234 + 4321));
      assert.ok(shared.subarray(0, 100).every((b) => b === 0xee) && shared.subarray(100 + 4321).every((b) => b === 0xee), 'nothing outside the view');
      const whole = Buffer.alloc(data.length);
      assert.equal(await readInto('into/obj', 0, whole), data.length);
      assert.deepEqual(whole, data);
      const tail = Buffer.alloc(4096);
      assert.equal(await readInto('into/obj', data.length - 1000, tail), 1000, 'short only where the object ends');
      assert.deepEqual(tail.subarray(0, 1000), data.subarray(-1000));
      assert.equal(await readInto('into/obj', data.length, Buffer.alloc(10)), 0);
      assert.equal(await readInto('into/obj', 5, Buffer.alloc(0)), 0);
      for (const bad of [data.length + 1, -1, 0.5]) {
        await assert.rejects(readInto('into/obj', bad, Buffer.alloc(4)), { code: STORAGE_INVALID_RANGE });
      }
      await assert.rejects(readInto('into/obj', data.length + 1, Buffer.alloc(0)), { code: STORAGE_INVALID_RANGE });
      await assertNotFound(readInto('missing/x', 0, Buffer.alloc(4)));
    });

    test('list', 'list returns every object under a plain string prefix, once each', async () => {
      const all = ['l/a', 'l/ab', 'l/b/c', 'l/b/d/e', 'l/bc', 'lx'];
      await Promise.all(all.map((n) => s.put(n, Buffer.from(n))));
      assert.deepEqual(await names(s, 'l/'), ['l/a', 'l/ab', 'l/b/c', 'l/b/d/e', 'l/bc']);
      assert.deepEqual(await names(s, 'l/b'), ['l/b/c', 'l/b/d/e', 'l/bc']);
      assert.deepEqual(await names(s, 'l/b/'), ['l/b/c', 'l/b/d/e']);
      assert.deepEqual(await names(s, 'l/a'), ['l/a', 'l/ab']);
      assert.deepEqual(await names(s, 'l/zz'), []);
      const everything = await names(s, '');
      for (const n of all) assert.ok(everything.includes(n), `${n} listed with the empty prefix`);
      for await (const info of s.list('l/b/d')) {
        assert.equal(info.name, 'l/b/d/e');
        assert.equal(info.size, 'l/b/d/e'.length);
      }
    });

    test('delete', 'delete removes the object and is idempotent', async () => {
      await s.put('del/x', Buffer.from('x'));
      await s.delete('del/x');
      await assertNotFound(s.get('del/x'));
      assert.deepEqual(await names(s, 'del/'), []);
      await s.delete('del/x');
      await s.delete('del/never-existed');
    });

    test('names', 'invalid names are refused with StorageInvalidName', async () => {
      for (const bad of ['', '/abs', '../up', 'a/../b', 'a//b', '.hidden', 'a/.tmp', 'a/', 'sp ace', 'x'.repeat(1025)]) {
        await assert.rejects(s.put(bad, Buffer.from('x')), { code: STORAGE_INVALID_NAME }, `put '${bad}'`);
        await assert.rejects(s.get(bad), { code: STORAGE_INVALID_NAME }, `get '${bad}'`);
      }
      await s.put('ok/A-b_c.9', Buffer.from('fine'));
      assert.equal((await s.get('ok/A-b_c.9')).toString(), 'fine');
    });

    test('concurrentPuts', 'concurrent puts of one name leave one whole value, never a mix', async () => {
      const values = Array.from({ length: 8 }, () => randomBytes(200_000));
      await Promise.all(values.map((v) => s.put('conc/same', sourceOf([v.subarray(0, 100_000), v.subarray(100_000)]))));
      const got = await s.get('conc/same');
      assert.ok(values.some((v) => v.equals(got)), 'the stored value is one of the values put');
      assert.deepEqual(await names(s, 'conc/'), ['conc/same']);
    });

    test('concurrentWriters', 'many writers putting different objects at once each store theirs whole', async () => {
      const writers = Array.from({ length: 8 }, (_, w) => Array.from({ length: 6 }, (_, i) => ({ name: `writers/w${w}/o${i}`, data: randomBytes(1000 + w * 7919 + i * 104_729) })));
      await Promise.all(writers.map(async (objects, w) => {
        for (const o of objects) await s.put(o.name, w % 2 ? o.data : sourceOf([o.data.subarray(0, 500), o.data.subarray(500)]));
      }));
      const all = writers.flat();
      assert.deepEqual(await names(s, 'writers/'), all.map((o) => o.name).sort());
      for (const o of all) assert.ok((await s.get(o.name)).equals(o.data), `${o.name} is whole`);
    });

    test('manyObjects', `listing ${MANY_OBJECTS} objects pages through all of them, each once`, async () => {
      const all = Array.from({ length: MANY_OBJECTS }, (_, i) => `many/${(i % 16).toString(16)}/${i.toString().padStart(6, '0')}`);
      await inParallel(all, 16, (n) => s.put(n, Buffer.from(n)));
      const listed = await names(s, 'many/');
      assert.equal(listed.length, all.length);
      assert.deepEqual(listed, [...all].sort());
      const sub = await names(s, 'many/a/');
      assert.deepEqual(sub, all.filter((n) => n.startsWith('many/a/')).sort());
      let bytes = 0;
      for await (const info of s.list('many/3/')) bytes += info.size;
      assert.equal(bytes, all.filter((n) => n.startsWith('many/3/')).reduce((sum, n) => sum + n.length, 0));
    });

    test('bigObject', `an object of ${BIG_OBJECT_BYTES / 1024 / 1024} MiB written from a stream in parts reads back byte for byte`, async () => {
      const expected = await digest(generated(BIG_OBJECT_BYTES, 42));
      await s.put('big/object', generated(BIG_OBJECT_BYTES, 42));
      assert.equal((await s.stat('big/object')).size, BIG_OBJECT_BYTES);
      assert.deepEqual(await digest(await s.getStream('big/object')), expected);
      const tail = await readAll(await s.getStream('big/object', { offset: BIG_OBJECT_BYTES - 1000 }));
      assert.ok(tail.equals(expected.tail), 'a range at the end reads the last bytes');
    });
  });
}
