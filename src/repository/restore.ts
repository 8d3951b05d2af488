// Reading one backup back, in pack order. The chunk list is cut into windows of a few MiB of the
// stream (read-plan.ts); each window's blobs are read as a few coalesced ranges, grouped by pack
// and sorted by offset, several at once, and each range's blobs are opened once on a worker
// thread (chunk-jobs.ts), which writes every chunk straight to its place in the window (shared
// memory). Windows are filled ahead of the writer within a budget of bytes (read and not yet
// opened, and windows not yet written) and of reads in flight, so memory stays flat however
// scattered the packs of a recovery point are (docs/benchmarks.md: the latest point of a
// repository that has lived for weeks reads from packs written weeks apart). Two ways out: a
// stream (restoreStream; a window of its own per piece, for consumers such as a copy into
// another datastore that may keep them), and restoreInto a sink (pg_restore's stdin, a file),
// whose window buffers are used again once the sink's write callback says it is done with them. Each pack's trailer is authenticated when read (a restore keeps
// the last few MiB of them: TrailerCache) and must agree with the index; every chunk's bytes must hash to its id (the chunk list, sealed, fixes their order),
// and the size of everything produced must be the manifest's, as must the hash of the whole
// stream (from version 3 the hash of the chunk list, checked as it is read; for version 1 the
// SHA-256 of the bytes). Any failure names the recovery point and the pack; bad bytes are never
// passed on.
import { createHash } from 'node:crypto';
import { Readable, type Writable } from 'node:stream';
import { DpError, REPOSITORY_DATA_CORRUPT } from '../domain/errors.ts';
import type { StreamPart, StreamRange } from '../domain/recovery-point-store.ts';
import { isNotFound } from '../storage/storage.ts';
import type { RepoContext } from './context.ts';
import { errors } from '../domain/errors.ts';
import type { Lease } from './guard.ts';
import { readRangeInto } from './io.ts';
import { collectEvery } from '../util/full-gc.ts';
import { giveRangeBuffer, takeRangeBuffer } from './range-buffers.ts';
import { packName } from './layout.ts';
import { isolateDamage } from './isolate.ts';
import { readChunkList } from './manifest.ts';
import type { Manifest } from './manifest.ts';
import { ByteBudget } from './byte-budget.ts';
import { type ChunkPool, SharedChunkPool } from './chunk-pool.ts';
import type { OpenJob } from './chunk-jobs.ts';
import { ID_BYTES, type RepositoryKeys } from './crypto.ts';
import { readTrailer } from './pack.ts';
import { TrailerCache, TrailerTable } from './trailer-table.ts';
import { planWindows, WINDOW_STRETCH, type PlannedChunk, type RangeRead, type WindowPlan } from './read-plan.ts';

/** Bytes between two blobs of a pack that are read rather than split into two reads. */
const RANGE_GAP_MAX = 256 * 1024;
/** Largest single read. */
const RANGE_MAX = 4 * 1024 * 1024;
/** Windows filled ahead of the writer; each is at most this share of the budget. */
const WINDOW_SHARE = 4;
/**
 * The thread that opens chunks for every restore in this process at once (the sessions of a
 * parallel restore among them): one thread's isolate rather than one per reader, and no thread
 * started per read. One is enough for two sessions on two cores (each keeps it busy ~1.6 of ~7 s
 * at scale 10: docs/benchmarks.md).
 */
const openers = new SharedChunkPool(1);
/**
 * A regular full collection every this many chunks planned, by all the restores of the process
 * together. A chunk's id and place are held until its window is written, long enough for the
 * server's small young generation (2 MB semi-spaces) to move them to the old one, where they die:
 * ~300 bytes a chunk, which V8 let pile up for a whole restore before it collected (the main
 * heap went from 25 to 85 MB during the latest point's restore at scale 10: docs/benchmarks.md,
 * "The restore's peak, taken apart"). ~10 MB between collections of ~10-20 ms each.
 */
const COLLECT_EVERY_CHUNKS = 1 << 15;
const collectAsPlanned = collectEvery(COLLECT_EVERY_CHUNKS);
/** Trailers a restore keeps (trailer-table.ts TrailerCache): ~200 packs' at 8 KiB chunks. */
const TRAILER_CACHE_BYTES = 8 * 1024 * 1024;

function label(m: Manifest): string {
  return m.recoveryPointId ? `recovery point '${m.recoveryPointId}' (manifest '${m.id}')` : `recovery point manifest '${m.id}'`;
}

/** A filled window and what to call once its bytes are no longer needed. */
interface Filled {
  data: Buffer;
  /** The window's wanted bytes: `[data]`, or parts of it when only byte ranges of the stream are read. */
  parts: Buffer[];
  done: () => void;
}

/** A stream of the original bytes of `manifest`. */
export function restoreStream(ctx: RepoContext, manifest: Manifest): Readable {
  async function* pieces(): AsyncGenerator<Buffer> {
    // The consumer may keep what it is given: each window is a buffer of its own.
    for await (const w of restoreWindows(ctx, manifest, false)) {
      // Released when the consumer asks for more, which is when this generator resumes.
      try {
        yield w.data;
      } finally {
        w.done();
      }
    }
  }
  return Readable.from(pieces(), { objectMode: false, highWaterMark: 1 });
}

/**
 * Window buffers, used again once the sink has written them: a restore that allocated a new
 * multi-MiB buffer per piece spent about a third of its CPU on page faults and garbage
 * collection. Shared memory, so the worker writes chunks into them in place. Free buffers are
 * kept for the whole process (a few per size), so one restore after another takes the same
 * memory again instead of leaving the last one's to a lazy collector: four restores on one
 * server peaked at 322 MiB with a pool per restore (docs/benchmarks.md).
 */
class WindowBuffers {
  static readonly #free = new Map<number, Buffer[]>();
  /** Free buffers kept per size: the windows of about two restores at once. */
  static readonly #keep = 2 * (WINDOW_SHARE + 1);
  readonly #size: number;
  readonly #reuse: boolean;

  constructor(size: number, reuse: boolean) {
    this.#size = size;
    this.#reuse = reuse;
  }

  /** A buffer of at least `bytes` (the budget bounds how many are out at once). */
  take(bytes: number): Buffer {
    if (this.#reuse && bytes <= this.#size) {
      const free = WindowBuffers.#free.get(this.#size)?.pop();
      if (free) return free;
    }
    return Buffer.from(new SharedArrayBuffer(Math.max(bytes, this.#size)));
  }

  give(buf: Buffer): void {
    if (!this.#reuse || buf.length !== this.#size) return;
    let free = WindowBuffers.#free.get(this.#size);
    if (!free) WindowBuffers.#free.set(this.#size, (free = []));
    if (free.length < WindowBuffers.#keep) free.push(buf);
  }
}

/**
 * Writes the original bytes of `manifest` to `sink` (pg_restore's stdin, a file), each buffer
 * used again only after the sink's write callback: unlike a stream's consumer, a sink is known
 * to be done with a buffer then. Resolves only once the sink has taken every buffer (each write's
 * callback has run), so the caller may end it at once. Rejects, leaving the sink open, on damage
 * or a write error; the caller ends or destroys the sink. The sink's errors are listened to while
 * this runs, so none of them goes unhandled.
 */
export async function restoreInto(ctx: RepoContext, manifest: Manifest, sink: Writable, onBytes?: (total: number) => void, part?: StreamPart): Promise<void> {
  const writes = new PendingWrites(sink);
  let total = 0;
  try {
    for await (const w of restoreWindows(ctx, manifest, true, part)) {
      try {
        writes.check();
      } catch (e) {
        w.done();
        throw e;
      }
      // The window goes back to the pool once the sink is done with its last part. No wait for
      // the sink to drain: the next window is queued behind this one at once, so a pipe into
      // pg_restore never runs dry while this thread is busy elsewhere; the budget, which a window
      // gives back only once written, bounds what waits in the sink.
      w.parts.forEach((piece, i) => {
        writes.write(piece, i === w.parts.length - 1 ? w.done : () => {});
        total += piece.length;
      });
      if (w.parts.length === 0) w.done();
      onBytes?.(total);
    }
    // Small buffers may still wait in the sink: a caller that ended it now would have them
    // written after the end (ERR_STREAM_WRITE_AFTER_END).
    await writes.settled();
  } finally {
    writes.close();
  }
  writes.check();
}

/** The writes made into a sink that have not completed yet, and the first error any of them had. */
class PendingWrites {
  readonly #sink: Writable;
  #pending = 0;
  #failed: Error | null = null;
  #wake: (() => void) | null = null;
  readonly #onError = (e: Error): void => this.#fail(e);
  readonly #onEvent = (): void => this.#wake?.();

  constructor(sink: Writable) {
    this.#sink = sink;
    sink.on('error', this.#onError).on('close', this.#onEvent);
  }

  #fail(e: Error): void {
    this.#failed ??= e;
    this.#wake?.();
  }

  /** Writes `part`; `then` runs when the sink has written it (or failed to). */
  write(part: Buffer, then: () => void): boolean {
    this.#pending++;
    return this.#sink.write(part, (err) => {
      if (err) this.#fail(err);
      then();
      this.#pending--;
      this.#wake?.();
    });
  }

  /** Throws the first error a write had. */
  check(): void {
    if (this.#failed) throw this.#failed;
  }

  /** Resolves when every write has completed; rejects if one failed or the sink closed first. */
  settled(): Promise<void> {
    return this.#until(() => this.#pending === 0);
  }

  async #until(done: () => boolean): Promise<void> {
    while (!done() && !this.#failed && !this.#sink.closed && !this.#sink.destroyed) {
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = null;
    }
    if (!done()) this.#failed ??= new Error('The restore target closed before it took all the data.');
    this.check();
  }

  close(): void {
    this.#sink.off('error', this.#onError).off('close', this.#onEvent);
  }
}

/** One restore's reading machinery: budgets, the opening thread, trailers, window buffers. */
interface Reader {
  ctx: RepoContext;
  manifest: Manifest;
  bytes: ByteBudget;
  reads: ByteBudget;
  opener: ChunkPool;
  trailers: TrailerCache;
  buffers: WindowBuffers;
}

/**
 * The windows of `manifest`, filled, in stream order; each window's `done` must be called once
 * its bytes are written. Checks size and stream hash at the end.
 */
async function* restoreWindows(ctx: RepoContext, manifest: Manifest, reuse: boolean, part?: StreamPart): AsyncGenerator<Filled> {
  const ranges = part ? checkRanges(part.ranges, manifest) : null;
  // Readers at once share the budget, the reads in flight and the trailers kept, so a parallel
  // restore holds about what one stream would (docs/benchmarks.md: two sessions with a budget each
  // took the server from 234.7 to 274.5 MiB on an aged repository).
  const share = Math.max(1, part?.share ?? 1);
  const budget = Math.max(1024 * 1024, Math.floor((part?.budget ?? ctx.restoreBudget) / share));
  const inFlight = new Map<string, number>();
  const lease = ctx.guard.lease(async function* () {
    yield* [...inFlight.keys()];
  });
  // Stretched to keep a frame whole, a window is at most a WINDOW_SHARE-th of the budget.
  const windowBytes = Math.max(1, Math.floor(budget / WINDOW_SHARE / WINDOW_STRETCH));
  const reader: Reader = {
    ctx,
    manifest,
    bytes: new ByteBudget(budget),
    reads: new ByteBudget(Math.max(2, Math.floor(ctx.readAhead / share))),
    opener: openers.take(),
    trailers: new TrailerCache(Math.floor(TRAILER_CACHE_BYTES / share)),
    buffers: new WindowBuffers(Math.ceil(windowBytes * WINDOW_STRETCH), reuse),
  };
  const plans = planWindows(locatedChunks(ctx, manifest, lease, inFlight, ranges), windowBytes, { gapMax: RANGE_GAP_MAX, rangeMax: Math.min(RANGE_MAX, windowBytes) });
  const queue: { plan: WindowPlan; filled: Promise<Buffer> }[] = [];
  // Windows are started one after another: a window asks for its budget only once the one before
  // it has all of its own, so the head of the queue always gets what it needs.
  let started: Promise<unknown> = Promise.resolve();
  let planned = false;
  // Version 1's stream hash covers the whole stream: a read of some ranges cannot check it (each chunk is still checked).
  const sha = manifest.sha256 === undefined || ranges ? null : createHash('sha256');
  let size = 0;
  const forget = (plan: WindowPlan): void => {
    for (const c of plan.chunks) {
      const n = (inFlight.get(c.id) ?? 1) - 1;
      if (n > 0) inFlight.set(c.id, n);
      else inFlight.delete(c.id);
    }
  };
  try {
    for (;;) {
      while (!planned && queue.length < WINDOW_SHARE) {
        const next = await plans.next();
        if (next.done) {
          planned = true;
          break;
        }
        const plan = next.value;
        const filled = started.then(() => startWindow(reader, plan));
        started = filled.then((w) => w.allAsked, () => undefined);
        const data = filled.then((w) => w.data);
        data.catch(() => undefined); // awaited below, in order
        queue.push({ plan, filled: data });
      }
      const head = queue.shift();
      if (!head) break;
      const data = await head.filled;
      const parts = ranges ? wantedParts(head.plan, data) : [data];
      sha?.update(data);
      for (const p of parts) size += p.length;
      let released = false;
      yield {
        data,
        parts,
        done: () => {
          if (released) return;
          released = true;
          forget(head.plan);
          reader.bytes.release(head.plan.raw);
          reader.buffers.give(Buffer.from(data.buffer, 0, data.buffer.byteLength));
        },
      };
    }
    const expected = ranges ? ranges.reduce((n, [a, b]) => n + b - a, 0) : manifest.size;
    if (size !== expected) {
      throw errors.repositoryDataCorrupt(`Restoring ${label(manifest)} produced ${size} bytes, not the ${ranges ? 'ranges asked for' : "backup's"} ${expected}.`);
    }
    if (sha && sha.digest('hex') !== manifest.sha256) {
      throw errors.repositoryDataCorrupt(`Restoring ${label(manifest)} produced data whose SHA-256 differs from the backup's stream hash.`);
    }
  } finally {
    // Stopped early (damage, or the consumer gave up): nothing more starts; reads out finish.
    const stopped = new Error('The restore stopped.');
    reader.bytes.close(stopped);
    reader.reads.close(stopped);
    await started.catch(() => undefined);
    await Promise.allSettled(queue.map((q) => q.filled));
    await openers.give(reader.opener);
    lease.release();
  }
}

/** `ranges` if they are sorted, apart, non-empty and inside the stream; else a bad-argument error. */
function checkRanges(ranges: readonly StreamRange[], manifest: Manifest): readonly StreamRange[] {
  let at = 0;
  for (const [a, b] of ranges) {
    if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || a < at || b <= a || b > manifest.size) {
      throw new RangeError(`Byte ranges of ${label(manifest)} must be sorted, apart and within its ${manifest.size} bytes.`);
    }
    at = b;
  }
  return ranges;
}

/**
 * The chunk list with each chunk's place, leasing each chunk as it is planned. With `ranges`,
 * only the chunks that hold some of their bytes, each with the parts wanted, and the list is read
 * only as far as the last range: each of its parts authenticates on its own, sealed with the
 * manifest's id and its place (manifest.ts), so a prefix is as trustworthy as the whole; a read
 * whose ranges reach the stream's end (the last session of a ranged restore) reads it all and
 * checks its count and hash. The sessions of a parallel restore each read the list once: the
 * head read and a session with tables early in the stream stopped short of the end, and read
 * it all for nothing.
 */
async function* locatedChunks(ctx: RepoContext, manifest: Manifest, lease: Lease, inFlight: Map<string, number>, ranges: readonly StreamRange[] | null): AsyncGenerator<PlannedChunk> {
  let pos = 0;
  let r = 0;
  for await (const id of readChunkList(ctx.storage, ctx.keys.dataKey, manifest)) {
    if (ranges && r >= ranges.length) break;
    collectAsPlanned(1);
    const loc = ctx.index.get(id);
    if (!loc) {
      throw errors.repositoryDataCorrupt(`${label(manifest)} needs chunk ${id}, which no index file lists; verify or recover the repository.`);
    }
    const start = pos;
    pos += loc.rawLength;
    let keep: [number, number][] | undefined;
    if (ranges) {
      keep = [];
      while (r < ranges.length && ranges[r]![0] < pos) {
        const [a, b] = ranges[r]!;
        if (b > start) keep.push([Math.max(a, start) - start, Math.min(b, pos) - start]);
        if (b > pos) break;
        r++;
      }
      if (keep.length === 0) continue;
      if (keep.length === 1 && keep[0]![0] === 0 && keep[0]![1] === loc.rawLength) keep = undefined;
    }
    lease.noteChunk(id);
    inFlight.set(id, (inFlight.get(id) ?? 0) + 1);
    yield { id, packId: loc.packId, offset: loc.offset, length: loc.length, rawLength: loc.rawLength, ...(keep ? { keep } : {}) };
  }
}

/** The wanted bytes of a filled window, as views of it: whole chunks, and the kept parts of the others, adjacent ones joined. */
function wantedParts(plan: WindowPlan, data: Buffer): Buffer[] {
  const spans: [number, number][] = [];
  let at = 0;
  for (const c of plan.chunks) {
    for (const [from, to] of c.keep ?? [[0, c.rawLength]]) {
      const last = spans[spans.length - 1];
      if (last && last[1] === at + from) last[1] = at + to;
      else spans.push([at + from, at + to]);
    }
    at += c.rawLength;
  }
  return spans.map(([a, b]) => data.subarray(a, b));
}

/**
 * Takes the window's share of the budget and a buffer, then starts its reads, each once the
 * budget allows. `allAsked` resolves once every read has its budget; `data` once all are opened.
 */
async function startWindow(r: Reader, plan: WindowPlan): Promise<{ allAsked: Promise<void>; data: Promise<Buffer> }> {
  await r.bytes.acquire(plan.raw);
  const window = r.buffers.take(plan.raw).subarray(0, plan.raw);
  const reads: Promise<void>[] = [];
  const allAsked = (async () => {
    for (const range of plan.ranges) {
      const stored = range.end - range.start;
      await r.bytes.acquire(stored);
      await r.reads.acquire(1);
      const read = fetchRange(r, range, window).finally(() => r.bytes.release(stored));
      read.catch(() => undefined); // awaited below
      reads.push(read);
    }
  })();
  const data = allAsked.then(async () => {
    // Every read of the window runs to its end even when one fails, so all the damage a window
    // runs into is found and isolated, not only the first to come back.
    const failed = (await Promise.allSettled(reads)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return window;
  });
  data.catch(() => r.bytes.release(plan.raw));
  return { allAsked: allAsked.catch(() => undefined), data };
}

/** Reads one range and opens its blobs into their places in `window`. */
async function fetchRange(r: Reader, range: RangeRead, window: Buffer): Promise<void> {
  const { ctx, manifest } = r;
  const name = packName(range.packId);
  const where = `${label(manifest)}: pack '${name}'`;
  /** Every chunk of a blob that failed to open: all of them are lost with it, not only those this read wanted. */
  const lostWithBlob: string[] = [];
  try {
    const table = await r.trailers.get(range.packId, () => packTrailer(ctx, range.packId));
    const entries = range.picks.map(({ chunk }) => {
      const i = table.find(chunk.id, chunk.offset, chunk.length, chunk.rawLength);
      if (i < 0) throw errors.repositoryDataCorrupt(`Restoring ${where} failed: the pack does not hold chunk ${chunk.id} where the index says.`);
      return i;
    });
    // Shared memory from a pool: the opener reads it in place, and it is used again once opened.
    const bytes = takeRangeBuffer(range.end - range.start);
    try {
      let got: number;
      try {
        got = await readRangeInto(ctx.storage, name, range.start, bytes);
      } finally {
        r.reads.release(1);
      }
      const opened = await r.opener.open(openJob(ctx.keys, range, entries, table, bytes.subarray(0, got)), window);
      if (opened.bad >= 0) {
        const blob = table.blobAt(range.picks[opened.bad]!.chunk.offset)!;
        const id = Buffer.alloc(ID_BYTES);
        for (let i = blob.first; i < blob.first + blob.count; i++) {
          table.copyId(i, id, 0);
          lostWithBlob.push(id.toString('hex'));
        }
        throw errors.repositoryDataCorrupt(`Restoring ${where} failed: the pack is damaged (chunk ${range.picks[opened.bad]!.chunk.id} does not authenticate or does not match its id).`);
      }
    } finally {
      giveRangeBuffer(bytes);
    }
  } catch (e) {
    let err = e;
    if (isNotFound(e)) err = errors.repositoryDataCorrupt(`Restoring ${where} failed: the pack is missing from storage.`);
    else if (e instanceof DpError && e.code === REPOSITORY_DATA_CORRUPT && !e.message.startsWith('Restoring')) {
      err = errors.repositoryDataCorrupt(`Restoring ${label(manifest)} failed: ${e.message}`);
    }
    // Damage a restore runs into is isolated as verify would: no backup builds on it from now on.
    if (err instanceof DpError && err.code === REPOSITORY_DATA_CORRUPT) {
      const problem = isNotFound(e) ? 'the index lists it but storage does not hold it' : `found by a restore: ${(e as Error).message}`;
      const lost = [...new Set([...range.picks.map((p) => p.chunk.id), ...lostWithBlob])];
      await isolateDamage(ctx, [{ packId: range.packId, problem, lost, packGone: isNotFound(e) }]).catch(() => undefined);
    }
    throw err;
  }
}

/**
 * The job of opening a range's blobs, read from `start` of its pack, and placing its picks;
 * `entries` holds each pick's entry in the pack's trailer `table`.
 */
function openJob(keys: RepositoryKeys, range: RangeRead, entries: readonly number[], table: TrailerTable, bytes: Buffer): OpenJob {
  // The range's blobs in order (picks are grouped by blob), and where each one's chunks start among all their chunks.
  const first = new Map<number, number>();
  const chosen: { first: number; count: number }[] = [];
  let chunks = 0;
  for (const { chunk } of range.picks) {
    if (first.has(chunk.offset)) continue;
    const blob = table.blobAt(chunk.offset)!;
    first.set(chunk.offset, chunks - blob.first);
    chosen.push(blob);
    chunks += blob.count;
  }
  const job: OpenJob = {
    dataKey: keys.dataKey,
    idKey: keys.idKey,
    data: bytes,
    offsets: new Uint32Array(chosen.length),
    lengths: new Uint32Array(chosen.length),
    counts: new Uint32Array(chosen.length),
    ids: Buffer.alloc(chunks * ID_BYTES),
    rawLengths: new Uint32Array(chunks),
    picks: new Uint32Array(range.picks.length),
    dests: new Uint32Array(range.picks.length),
  };
  let c = 0;
  chosen.forEach((blob, b) => {
    job.offsets[b] = table.offset(blob.first) - range.start;
    job.lengths[b] = table.length(blob.first);
    job.counts[b] = blob.count;
    for (let i = blob.first; i < blob.first + blob.count; i++) {
      table.copyId(i, job.ids, c * ID_BYTES);
      job.rawLengths[c++] = table.rawLength(i);
    }
  });
  range.picks.forEach(({ chunk, dest }, i) => {
    job.picks[i] = first.get(chunk.offset)! + entries[i]!;
    job.dests![i] = dest;
  });
  return job;
}

async function packTrailer(ctx: RepoContext, packId: string): Promise<TrailerTable> {
  const size = ctx.index.packSize(packId) ?? (await ctx.storage.stat(packName(packId))).size;
  return new TrailerTable(await readTrailer(ctx.storage, ctx.keys.dataKey, packId, size));
}
