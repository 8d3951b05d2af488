// What a restore and an index load keep on the JS heap, which grows with the repository (issue 14,
// docs/benchmarks.md "A restore's memory on an aged repository, found"): a restore keeps the
// trailer of every pack it reads from, an index load reads index files that list every chunk. Both
// must hold that per chunk in compact buffers, not as an object per chunk. Measured with a forced
// garbage collection, as bytes of heap per chunk, never as times. And a restore's reads land in its
// pooled buffers, not in a new 64 KiB buffer per piece of a storage stream (counted, not timed).
// And restores on the server's small young generation (in a worker thread with its limits) keep
// the heap from filling with the dead records of the chunks they planned.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Transform, Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { forEachIndexFile } from '../../src/repository/chunk-index.ts';
import { INDEX_FILE_ENTRIES } from '../../src/repository/index-files.ts';
import { openConfig } from '../../src/repository/config-copies.ts';
import { ChunkPool } from '../../src/repository/chunk-pool.ts';
import { rangeBuffersKept } from '../../src/repository/range-buffers.ts';
import { Repository } from '../../src/repository/repository.ts';
import { stack } from '../../src/storage/stack.ts';
import type { ByteRange, Storage } from '../../src/storage/storage.ts';
import { StorageWrapper } from '../../src/storage/wrapper.ts';
import { streamOf, tempRepo, type RepoFixture } from './helpers.ts';

setFlagsFromString('--expose-gc');
// V8 drops the bytecode of functions idle for a few full collections, so code that ran before a
// baseline (the fixture's backup) could vanish from the heap mid-measurement and hide what a restore
// holds; keep it.
setFlagsFromString('--no-flush-bytecode');
const gc = runInNewContext('gc') as () => void;

/** The JS heap in use after a full collection. */
function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** 1 KiB chunks in small packs: many chunks and many packs from little data. */
const OPTS = { chunker: { min: 256, avg: 1024, max: 4096 }, packSize: 256 * 1024, frameBytes: 0 };
const BYTES = 40 * 1024 * 1024;

let fx: RepoFixture;
let manifestId: string;
let chunks: number;
/** The SHA-256 of the data backed up. */
let original: string;

before(async () => {
  fx = await tempRepo(OPTS);
  // Random bytes: every chunk distinct, none compressible.
  const data = randomBytes(BYTES);
  original = createHash('sha256').update(data).digest('hex');
  const r = await fx.repo.backup(streamOf(data), { recoveryPointId: 'rp' });
  manifestId = r.manifestId;
  chunks = (await fx.repo.stats()).chunks;
  assert.ok(chunks > 30_000, `${chunks} chunks`);
});
after(() => fx.cleanup());

test('a restore holds the trailers of the packs it read in buffers, not as an object per chunk on the heap', async () => {
  // A first restore, through a repository then dropped, compiles the code a restore runs: bytecode
  // and feedback live on the heap too, and would count against the chunks (measured: 20 to 70 bytes
  // a chunk of noise without it).
  const warm = await Repository.open(fx.storage, fx.master, { clock: fx.clock, restoreBudget: 256 * 1024 });
  await warm.restoreInto(manifestId, new Writable({ write: (_c, _e, cb) => cb() }));
  // A small budget: the windows' own plans stay small beside the trailers.
  const repo = await Repository.open(fx.storage, fx.master, { clock: fx.clock, restoreBudget: 256 * 1024 });
  let written = 0;
  let atEnd = 0;
  const base = heapUsed();
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      written += chunk.length;
      // The last write: every pack's trailer has been read and is still held by the restore.
      if (written === BYTES) atEnd = heapUsed();
      cb();
    },
  });
  await repo.restoreInto(manifestId, sink);
  assert.ok(atEnd > 0);
  const perChunk = (atEnd - base) / chunks;
  assert.ok(perChunk < 64, `the restore held ${perChunk.toFixed(1)} bytes of heap a chunk (${chunks} chunks)`);
});

test('an index load decodes an index file one pack record at a time', async () => {
  // The index as gc writes it: files of at most INDEX_FILE_ENTRIES entries.
  await fx.repo.gc({ graceMs: 0 });
  let perChunk = -1;
  let files = 0;
  const { keys } = await openConfig(fx.storage, fx.master);
  const base = heapUsed();
  await forEachIndexFile(fx.storage, keys.dataKey, (records) => {
    files++;
    for (const r of records) {
      // One record taken: the rest of the file is still bytes, not objects.
      if (perChunk < 0) perChunk = (heapUsed() - base - r.entries.length * 200) / chunks;
    }
  });
  assert.ok(files >= Math.ceil(chunks / INDEX_FILE_ENTRIES), `${files} index files for ${chunks} chunks`);
  assert.ok(perChunk < 16, `loading held ${perChunk.toFixed(1)} bytes of heap a chunk (${chunks} chunks)`);
});

test('a restore reads its ranges into shared buffers it uses again, so neither thread is left with a buffer per range to collect', async () => {
  const repo = await Repository.open(fx.storage, fx.master, { clock: fx.clock });
  // Every range the opener is given, by the memory it lies in.
  const buffers = new Set<ArrayBufferLike>();
  let ranges = 0;
  const open = ChunkPool.prototype.open;
  ChunkPool.prototype.open = function (this: ChunkPool, job, into) {
    ranges++;
    buffers.add(job.data.buffer);
    return open.call(this, job, into);
  };
  let restored = 0;
  try {
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        restored += chunk.length;
        cb();
      },
    });
    await repo.restoreInto(manifestId, sink);
    await repo.restoreInto(manifestId, sink);
  } finally {
    ChunkPool.prototype.open = open;
  }
  assert.equal(restored, 2 * BYTES);
  assert.ok([...buffers].every((b) => b instanceof SharedArrayBuffer), 'every range is read into shared memory');
  // Two restores of 40 MiB in ranges of up to 4 MiB: a pool's worth of buffers, used again and again.
  assert.ok(ranges > 40 && buffers.size <= ranges / 4, `${buffers.size} buffers for ${ranges} ranges`);
  assert.ok(rangeBuffersKept() > 0 && rangeBuffersKept() <= 16 * 2 ** 20);
});

/** Counts what reaches the backend: the pieces streams hand out (each a new buffer), and the bytes read in place. */
class ReadCounter extends StorageWrapper {
  pieces = 0;
  inPlace = 0;
  override async getStream(name: string, range?: ByteRange): Promise<Readable> {
    const counted = new Transform({
      transform: (piece: Buffer, _enc, done) => {
        this.pieces++;
        done(null, piece);
      },
    });
    return (await this.inner.getStream(name, range)).pipe(counted);
  }
  protected override async readIntoBelow(name: string, offset: number, target: Uint8Array): Promise<number> {
    const got = await super.readIntoBelow(name, offset, target);
    this.inPlace += got;
    return got;
  }
}

/** The SHA-256 of a restore of the point through `storage`. */
async function restoredDigest(storage: Storage): Promise<string> {
  const repo = await Repository.open(storage, fx.master, { clock: fx.clock });
  const hash = createHash('sha256');
  await repo.restoreInto(manifestId, new Writable({
    write(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb();
    },
  }));
  return hash.digest('hex');
}

test('a restore through the filesystem storage stack reads in place, not a new 64 KiB buffer per piece; without positional reads it streams the same bytes', async () => {
  const inPlace = new ReadCounter(fx.storage);
  const viaStack = await restoredDigest(stack(inPlace));
  // A storage without positional reads (as the object stores are): the stream path.
  const noReadInto: Storage = new Proxy(fx.storage, {
    get: (target, prop) => {
      if (prop === 'readInto') return undefined;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  const streamed = new ReadCounter(noReadInto);
  const viaStreams = await restoredDigest(stack(streamed));
  assert.equal(viaStack, viaStreams, 'the same bytes either way');
  assert.equal(viaStack, original);
  // 40 MiB of incompressible data: at least that much read, every byte of it in place.
  assert.ok(inPlace.inPlace >= BYTES, `${inPlace.inPlace} bytes read in place`);
  assert.equal(inPlace.pieces, 0, 'no stream piece (a new buffer each) reached the restore');
  assert.ok(streamed.pieces >= BYTES / (64 * 1024), `the stream path made ${streamed.pieces} pieces`);
});

test('a restore does not let the records of the chunks it planned pile up dead in the heap', async () => {
  // The server's young generation (2 MB semi-spaces: SERVER_NODE_FLAGS): a planned chunk's id and
  // place outlive it and die in the old generation, which V8 left to pile up (measured here: the
  // heap grew by 41-48 MiB over six restores without the restore's own collections, 16 with them).
  const worker = new Worker(new URL('./restore-heap-worker.ts', import.meta.url), {
    workerData: { dir: fx.dir, master: fx.master, manifestId, opts: OPTS },
    resourceLimits: { maxYoungGenerationSizeMb: 6 },
  });
  const [got] = (await once(worker, 'message')) as [{ before: number; highest: number; bytes: number }];
  await worker.terminate();
  assert.equal(got.bytes, 6 * BYTES);
  const grew = got.highest - got.before;
  console.log(`six restores of ${chunks} chunks: heap grew by at most ${(grew / 2 ** 20).toFixed(1)} MiB`);
  assert.ok(grew < 24 * 2 ** 20, `the heap grew by ${(grew / 2 ** 20).toFixed(1)} MiB during six restores of ${chunks} chunks`);
});
