// The wrapper stack (src/storage/stack.ts) on a real filesystem backend: it keeps the storage
// contract (the conformance suite, with and without injected faults that never strike), retries
// transient failures and only those, bounds the operations in flight, and injects the faults a
// test asks for.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { DpError } from '../../src/domain/errors.ts';
import { FaultPlan, type Fault } from '../../src/storage/faults.ts';
import { FsStorage } from '../../src/storage/fs.ts';
import { LazyStorage } from '../../src/storage/lazy.ts';
import { stack, type StackOptions } from '../../src/storage/stack.ts';
import { isNotFound, isTransient, storageFailure, type ObjectInfo, type Storage } from '../../src/storage/storage.ts';
import { StorageWrapper } from '../../src/storage/wrapper.ts';
import { names, readAll, storageConformance } from './suite.ts';

const noWait = { attempts: 4, firstDelayMs: 1, sleep: async () => undefined };

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'dpv-stack-'));
}

storageConformance('fs with retry and limit', async () => {
  const dir = await tempDir();
  return { storage: stack(new FsStorage(dir)), cleanup: () => rm(dir, { recursive: true, force: true }) };
});

storageConformance('fs with retry, limit and faults that never strike', async () => {
  const dir = await tempDir();
  const faults = new FaultPlan([{ ops: ['put', 'get', 'getStream', 'stat', 'list', 'delete'], names: /^never$/, effect: 'fail' }]);
  return { storage: stack(new FsStorage(dir), { faults }), cleanup: () => rm(dir, { recursive: true, force: true }) };
});

describe('the storage stack', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir();
  });
  after(() => rm(dir, { recursive: true, force: true }));

  /** A fresh folder of the temp dir, stacked with `faults` and `opts`. */
  let n = 0;
  function open(faults: Fault[], opts: StackOptions = {}): { storage: Storage; plan: FaultPlan; backend: FsStorage } {
    const plan = new FaultPlan(faults);
    const backend = new FsStorage(join(dir, `s${n++}`));
    return { storage: stack(backend, { retry: noWait, ...opts, faults: plan }), plan, backend };
  }

  it('retries transient failures of every operation until they pass', async () => {
    const ops = ['put', 'get', 'getStream', 'stat', 'list', 'delete'] as const;
    const { storage, plan } = open(ops.map((op) => ({ ops: [op], effect: 'transient', times: 3 })));
    await storage.put('a/b', Buffer.from('bytes'));
    assert.equal((await storage.get('a/b')).toString(), 'bytes');
    assert.equal((await readAll(await storage.getStream('a/b', { offset: 1, length: 2 }))).toString(), 'yt');
    assert.equal((await storage.stat('a/b')).size, 5);
    assert.deepEqual(await names(storage, 'a/'), ['a/b']);
    await storage.delete('a/b');
    await assert.rejects(storage.get('a/b'), (e: unknown) => isNotFound(e));
    for (const op of ops) assert.equal(plan.hits.filter((h) => h.op === op).length, 3, `${op} failed three times, then passed`);
  });

  it('reports every failed attempt of every operation to onError, and no missing object', async () => {
    let errors = 0;
    const ops = ['put', 'get', 'getStream', 'stat', 'list', 'delete'] as const;
    const { storage } = open(ops.map((op) => ({ ops: [op], effect: 'transient', times: 2 })), { onError: () => errors++ });
    await storage.put('a/b', Buffer.from('bytes'));
    await storage.get('a/b');
    await readAll(await storage.getStream('a/b'));
    await storage.stat('a/b');
    await names(storage, 'a/');
    await storage.delete('a/b');
    assert.equal(errors, 12, 'two failed attempts of each of six operations, each cured by a retry');
    await assert.rejects(storage.get('a/b'), (e: unknown) => isNotFound(e));
    await assert.rejects(storage.stat('a/b'), (e: unknown) => isNotFound(e));
    assert.equal(errors, 12, 'a missing object is an answer, not a storage error');
  });

  it('gives up after the last attempt with the transient error', async () => {
    const { storage, plan } = open([{ ops: ['get'], effect: 'transient' }]);
    await storage.put('x', Buffer.from('1'));
    await assert.rejects(storage.get('x'), (e: unknown) => isTransient(e) && /injected transient failure/.test((e as DpError).message));
    assert.equal(plan.hits.length, noWait.attempts);
  });

  it('waits longer before each retry', async () => {
    const waits: number[] = [];
    const { storage } = open([{ ops: ['stat'], effect: 'transient', times: 3 }], { retry: { attempts: 4, firstDelayMs: 10, sleep: async (ms) => waits.push(ms) } });
    await storage.put('x', Buffer.from('1'));
    await storage.stat('x');
    assert.deepEqual(waits, [10, 20, 40]);
  });

  it('does not retry permanent failures, missing objects or a full store', async () => {
    for (const effect of ['fail', 'notFound', 'full'] as const) {
      const { storage, plan } = open([{ ops: ['put'], effect, times: 1 }]);
      await assert.rejects(storage.put('x', Buffer.from('1')));
      assert.equal(plan.hits.length, 1, `${effect} was tried once`);
      await storage.put('x', Buffer.from('1')); // the fault is spent: the storage works
    }
  });

  it('does not retry the put of a stream (it is spent), and destroys the stream it refuses', async () => {
    const { storage, plan } = open([{ ops: ['put'], effect: 'transient', times: 1 }]);
    const source = Readable.from([Buffer.from('data')]);
    await assert.rejects(storage.put('x', source), (e: unknown) => isTransient(e));
    assert.equal(plan.hits.length, 1);
    assert.equal(source.destroyed, true);
    await assert.rejects(storage.stat('x'), (e: unknown) => isNotFound(e));
  });

  it('does not retry a listing that has already handed out objects', async () => {
    const { storage } = open([]);
    await storage.put('l/1', Buffer.from('1'));
    await storage.put('l/2', Buffer.from('2'));
    // A backend below the retry whose listing fails after its first object.
    class BreaksMidList extends StorageWrapper {
      calls = 0;
      override async *list(prefix: string): AsyncIterable<ObjectInfo> {
        this.calls++;
        for await (const info of this.inner.list(prefix)) {
          yield info;
          throw storageFailure('list', prefix, 'connection reset', true);
        }
      }
    }
    const breaking = new BreaksMidList(storage);
    const retried = stack(breaking, { retry: noWait });
    const seen: string[] = [];
    await assert.rejects(async () => {
      for await (const info of retried.list('l/')) seen.push(info.name);
    }, (e: unknown) => isTransient(e));
    assert.equal(seen.length, 1, 'the object handed out is not handed out again');
    assert.equal(breaking.calls, 1);
  });

  it('keeps at most maxConcurrency operations in flight at the backend', async () => {
    // Counts the calls in flight just above the backend, below the limit.
    class InFlight extends StorageWrapper {
      now = 0;
      most = 0;
      async #count<T>(op: () => Promise<T>): Promise<T> {
        this.most = Math.max(this.most, ++this.now);
        try {
          await new Promise((r) => setImmediate(r));
          return await op();
        } finally {
          this.now--;
        }
      }
      override put(name: string, data: Buffer | Readable): Promise<void> {
        return this.#count(() => this.inner.put(name, data));
      }
      override get(name: string): Promise<Buffer> {
        return this.#count(() => this.inner.get(name));
      }
      protected override readIntoBelow(name: string, offset: number, target: Uint8Array): Promise<number> {
        return this.#count(() => super.readIntoBelow(name, offset, target));
      }
    }
    const counted = new InFlight(new FsStorage(join(dir, 'limited')));
    const limited = stack(counted);
    assert.equal(limited.properties.maxConcurrency, 4);
    await Promise.all(Array.from({ length: 24 }, (_, i) => limited.put(`o/${i}`, Buffer.from(String(i)))));
    const read = await Promise.all(Array.from({ length: 24 }, (_, i) => limited.get(`o/${i}`)));
    assert.deepEqual(read.map(String), Array.from({ length: 24 }, (_, i) => String(i)));
    assert.equal(counted.most, 4, 'never more than four at once, and four when there is work');
    counted.most = 0;
    const into = Array.from({ length: 24 }, () => Buffer.alloc(2));
    await Promise.all(into.map((b, i) => limited.readInto!(`o/${i}`, 0, b)));
    assert.deepEqual(into.map((b) => b.toString().replace(/\0/g, '')), Array.from({ length: 24 }, (_, i) => String(i)));
    assert.equal(counted.most, 4, 'positional reads share the same four slots');
    const unlimited = new InFlight(new FsStorage(join(dir, 'limited')));
    await Promise.all(Array.from({ length: 24 }, (_, i) => stack(unlimited, { limit: false }).get(`o/${i}`)));
    assert.ok(unlimited.most > 4, 'without the limit they all run at once');
  });

  it('injects damage: a get and a ranged read return a flipped byte, a corrupt put stores one', async () => {
    const data = Buffer.alloc(1000, 7);
    const { storage, backend, plan } = open([
      { ops: ['get', 'getStream'], names: /^bad$/, effect: 'corrupt' },
      { ops: ['put'], names: /^stored-bad$/, effect: 'corrupt' },
    ]);
    await storage.put('bad', data);
    await storage.put('good', data);
    await storage.put('stored-bad', data);
    assert.notDeepEqual(await storage.get('bad'), data);
    assert.deepEqual(await storage.get('good'), data);
    assert.notDeepEqual(await readAll(await storage.getStream('bad', { offset: 0, length: 1000 })), data);
    assert.deepEqual(await backend.get('bad'), data, 'the stored object is intact');
    assert.notDeepEqual(await backend.get('stored-bad'), data, 'the corrupt put stored damaged bytes');
    assert.deepEqual(plan.hits.map((h) => `${h.op} ${h.name}`), ['put stored-bad', 'get bad', 'getStream bad']);
  });

  it('offers positional reads through every wrapper: retried, counted and injected as the other operations are', async () => {
    let errors = 0;
    const { storage, backend, plan } = open([
      { ops: ['readInto'], names: /^a\/b$/, effect: 'transient', times: 3 },
      { ops: ['readInto'], names: /^perm$/, effect: 'fail', times: 1 },
      { ops: ['readInto'], names: /^bad$/, effect: 'corrupt' },
      // A plan for streams does not strike positional reads.
      { ops: ['getStream'], effect: 'fail' },
    ], { onError: () => errors++ });
    assert.equal(typeof storage.readInto, 'function');
    await storage.put('a/b', Buffer.from('bytes'));
    const into = Buffer.alloc(2);
    assert.equal(await storage.readInto!('a/b', 1, into), 2);
    assert.equal(into.toString(), 'yt');
    assert.equal(plan.hits.filter((h) => h.name === 'a/b').length, 3, 'failed three times, then passed');
    assert.equal(errors, 3, 'each failed attempt counted');
    await storage.put('perm', Buffer.from('p'));
    await assert.rejects(storage.readInto!('perm', 0, Buffer.alloc(1)), (e: unknown) => !isTransient(e) && /injected failure/.test((e as DpError).message));
    assert.equal(plan.hits.filter((h) => h.name === 'perm').length, 1, 'a permanent failure is not retried');
    const data = Buffer.alloc(1000, 7);
    await storage.put('bad', data);
    const damaged = Buffer.alloc(1000);
    assert.equal(await storage.readInto!('bad', 0, damaged), 1000);
    assert.notDeepEqual(damaged, data);
    assert.deepEqual(await backend.get('bad'), data, 'the stored object is intact');
    const before = errors;
    await assert.rejects(storage.readInto!('missing', 0, Buffer.alloc(1)), (e: unknown) => isNotFound(e));
    assert.equal(errors, before, 'a missing object is an answer, not a storage error');
    assert.deepEqual([...new Set(plan.hits.map((h) => h.op))], ['readInto']);
  });

  it('offers no positional reads over a backend without them, so callers stream', async () => {
    const lazy = new LazyStorage({ displayName: 'lazy', properties: { maxConcurrency: 4 }, tiers: null, load: async () => new FsStorage(join(dir, 'lazy')) });
    const { storage } = open([]);
    assert.equal(typeof storage.readInto, 'function', 'over the filesystem: offered');
    assert.equal(stack(lazy, { faults: new FaultPlan([]), onError: () => undefined }).readInto, undefined);
  });

  it('injects a full store the way the backend reports one', async () => {
    const { storage } = open([{ ops: ['put'], effect: 'full', skip: 1 }]);
    await storage.put('first', Buffer.from('1'));
    await assert.rejects(storage.put('second', Buffer.from('2')), { code: 'UserErrorStorageFull', kind: 'conflict' });
  });
});
