// Reading one backup back. The chunk list is walked in order; runs of chunks that sit next to
// each other in a pack are fetched as one range (a segment), a few segments ahead, and each
// segment's chunks are authenticated and decompressed together (chunk-jobs.ts) before they are
// passed on. Two ways out: a stream (restoreStream; segments opened on this thread, each into a
// buffer of its own, for consumers such as a copy into another datastore that may keep them), and
// restoreInto a sink (pg_restore's stdin, a file), where segments are opened on a worker thread
// into a few buffers that go back and forth, so this thread keeps the sink fed and no garbage
// piles up (docs/benchmarks.md). Each pack's trailer is authenticated once and must agree with
// the index; every chunk's bytes must hash to its id (the chunk list, sealed, fixes their order),
// and the size of everything produced must be the manifest's, as must the hash of the whole
// stream (from version 3 the hash of the chunk list, checked as it is read; for version 1 the
// SHA-256 of the bytes). Any failure names the recovery point and the pack; bad bytes are never
// passed on.
import { createHash } from 'node:crypto';
import { Readable, type Writable } from 'node:stream';
import { DpError } from '../domain/errors.ts';
import { isNotFound } from '../storage/storage.ts';
import type { RepoContext } from './context.ts';
import { corrupt } from './errors.ts';
import type { Lease } from './guard.ts';
import { readRange } from './io.ts';
import { packName } from './layout.ts';
import { isolateDamage } from './isolate.ts';
import { readChunkList } from './manifest.ts';
import type { Manifest } from './manifest.ts';
import { openBatch, openedSize, type OpenedBatch } from './chunk-jobs.ts';
import { ChunkPool } from './chunk-pool.ts';
import type { OpenJob } from './chunk-jobs.ts';
import { ID_BYTES, type RepositoryKeys } from './crypto.ts';
import { blobsOf, readTrailer } from './pack.ts';
import type { PackEntry } from './pack.ts';

/**
 * Largest stored and original sizes of one fetched segment. With readAhead segments in flight,
 * each read, opened and handed on, these bound most of a restore's memory.
 */
const SEGMENT_STORED_MAX = 2 * 1024 * 1024;
const SEGMENT_RAW_MAX = 4 * 1024 * 1024;
/** Bytes between two chunks of a pack that are read rather than split into two requests. */
const SEGMENT_GAP_MAX = 256 * 1024;

/** A chunk to produce, where the index says it is: its blob's offset and length, its own length. */
interface Item {
  id: string;
  offset: number;
  length: number;
  rawLength: number;
}

/** A range of a pack to read, and the chunks to take from its blobs, in order. */
interface Segment {
  packId: string;
  start: number;
  end: number;
  raw: number;
  items: Item[];
}

/** A pack's blobs by offset, each with its chunks in order, from its authenticated trailer. */
type Trailer = Map<number, PackEntry[]>;

function label(m: Manifest): string {
  return m.recoveryPointId ? `recovery point '${m.recoveryPointId}' (manifest '${m.id}')` : `recovery point manifest '${m.id}'`;
}

/** A stream of the original bytes of `manifest`. */
export function restoreStream(ctx: RepoContext, manifest: Manifest): Readable {
  return Readable.from(restoreChunks(ctx, manifest), { objectMode: false, highWaterMark: 1 });
}

/**
 * Buffers for opened segments, used again once the sink has written them. A restore that
 * allocated a new multi-MiB buffer per segment spent about a third of its CPU on page faults
 * and garbage collection.
 */
class SegmentBuffers {
  readonly #free: Buffer[] = [];
  readonly #waiting: ((b: Buffer) => void)[] = [];
  #made = 0;
  readonly #max: number;
  readonly #size: number;

  constructor(max: number, size: number) {
    this.#max = max;
    this.#size = size;
  }

  /** A buffer of at least `bytes`; waits while all are out. A larger one is made for the occasion. */
  take(bytes: number): Promise<Buffer> {
    if (bytes > this.#size) return Promise.resolve(Buffer.allocUnsafeSlow(bytes));
    const free = this.#free.pop();
    if (free) return Promise.resolve(free);
    if (this.#made < this.#max) {
      this.#made++;
      return Promise.resolve(Buffer.allocUnsafeSlow(this.#size));
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  give(buf: Buffer): void {
    if (buf.length !== this.#size) return;
    const next = this.#waiting.shift();
    if (next) next(buf);
    else this.#free.push(buf);
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
export async function restoreInto(ctx: RepoContext, manifest: Manifest, sink: Writable, onBytes?: (total: number) => void): Promise<void> {
  const pool = new SegmentBuffers(ctx.readAhead + 2, SEGMENT_RAW_MAX);
  // Segments are opened on a worker thread, so this one is free to keep the sink fed: a pipe
  // holds 64 KiB, which pg_restore empties long before a 4 MiB segment is opened.
  const opener = new ChunkPool(1);
  const open: SegmentOpener = { buffer: (bytes) => pool.take(bytes), open: (job, into) => opener.open(job, into) };
  const writes = new PendingWrites(sink);
  let total = 0;
  try {
    for await (const part of restoreChunks(ctx, manifest, open)) {
      writes.check();
      const whole = Buffer.from(part.buffer);
      const more = writes.write(part, () => pool.give(whole));
      total += part.length;
      onBytes?.(total);
      if (!more) await writes.drained();
    }
    // Small buffers may still wait in the sink: a caller that ended it now would have them
    // written after the end (ERR_STREAM_WRITE_AFTER_END).
    await writes.settled();
  } finally {
    writes.close();
    await opener.close();
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
    sink.on('error', this.#onError).on('close', this.#onEvent).on('drain', this.#onEvent);
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

  /** Resolves when the sink drains; rejects if a write failed or the sink closed first. */
  drained(): Promise<void> {
    return this.#until(() => !this.#sink.writableNeedDrain);
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
    this.#sink.off('error', this.#onError).off('close', this.#onEvent).off('drain', this.#onEvent);
  }
}

/** How restoreInto opens segments: into buffers it lends, on a worker thread. */
interface SegmentOpener {
  buffer(bytes: number): Promise<Buffer>;
  open(job: OpenJob, into: Buffer): Promise<OpenedBatch>;
}

async function* restoreChunks(ctx: RepoContext, manifest: Manifest, opener?: SegmentOpener): AsyncGenerator<Buffer> {
  const inFlight = new Map<string, number>();
  const lease = ctx.guard.lease(async function* () {
    yield* [...inFlight.keys()];
  });
  const trailers = new Map<string, Promise<Trailer>>();
  const queue: { ids: string[]; data: Promise<Buffer[]> }[] = [];
  const segments = planSegments(ctx, manifest, lease, inFlight)[Symbol.asyncIterator]();
  let planned = false;
  const sha = manifest.sha256 === undefined ? null : createHash('sha256');
  let size = 0;
  try {
    for (;;) {
      while (!planned && queue.length < ctx.readAhead) {
        const next = await segments.next();
        if (next.done) {
          planned = true;
          break;
        }
        const data = fetchSegment(ctx, manifest, next.value, trailers, opener);
        data.catch(() => undefined); // awaited below, in order
        queue.push({ ids: next.value.items.map((i) => i.id), data });
      }
      const head = queue.shift();
      if (!head) break;
      const parts = await head.data;
      for (const id of head.ids) {
        const n = (inFlight.get(id) ?? 1) - 1;
        if (n > 0) inFlight.set(id, n);
        else inFlight.delete(id);
      }
      for (const part of parts) {
        sha?.update(part);
        size += part.length;
        yield part;
      }
    }
    if (size !== manifest.size) {
      throw corrupt(`Restoring ${label(manifest)} produced ${size} bytes, not the backup's ${manifest.size}.`);
    }
    if (sha && sha.digest('hex') !== manifest.sha256) {
      throw corrupt(`Restoring ${label(manifest)} produced data whose SHA-256 differs from the backup's stream hash.`);
    }
  } finally {
    lease.release();
  }
}

/** Groups the chunk list into segments, leasing each chunk as it is planned. */
async function* planSegments(
  ctx: RepoContext,
  manifest: Manifest,
  lease: Lease,
  inFlight: Map<string, number>,
): AsyncGenerator<Segment> {
  let seg: Segment | null = null;
  for await (const id of readChunkList(ctx.storage, ctx.keys.dataKey, manifest)) {
    lease.noteChunk(id);
    inFlight.set(id, (inFlight.get(id) ?? 0) + 1);
    const loc = ctx.index.get(id);
    if (!loc) {
      throw corrupt(`${label(manifest)} needs chunk ${id}, which no index file lists; verify or recover the repository.`);
    }
    const item: Item = { id, offset: loc.offset, length: loc.length, rawLength: loc.rawLength };
    const last = seg?.items[seg.items.length - 1];
    // Another chunk of the segment's last blob (a frame), or a blob further on in the same pack.
    const fits =
      seg !== null &&
      seg.packId === loc.packId &&
      seg.raw + loc.rawLength <= SEGMENT_RAW_MAX &&
      ((last!.offset === loc.offset && last!.length === loc.length) ||
        (loc.offset >= seg.end && loc.offset - seg.end <= SEGMENT_GAP_MAX && loc.offset + loc.length - seg.start <= SEGMENT_STORED_MAX));
    if (seg && fits) {
      seg.items.push(item);
      seg.end = loc.offset + loc.length;
      seg.raw += loc.rawLength;
    } else {
      if (seg) yield seg;
      seg = { packId: loc.packId, start: loc.offset, end: loc.offset + loc.length, raw: loc.rawLength, items: [item] };
    }
  }
  if (seg) yield seg;
}

async function fetchSegment(
  ctx: RepoContext,
  manifest: Manifest,
  seg: Segment,
  trailers: Map<string, Promise<Trailer>>,
  opener?: SegmentOpener,
): Promise<Buffer[]> {
  const name = packName(seg.packId);
  const where = `${label(manifest)}: pack '${name}'`;
  try {
    let trailer = trailers.get(seg.packId);
    if (!trailer) {
      trailer = packTrailer(ctx, seg.packId);
      trailers.set(seg.packId, trailer);
    }
    const blobs = await trailer;
    for (const item of seg.items) {
      const t = blobs.get(item.offset)?.find((e) => e.id === item.id);
      if (!t || t.length !== item.length || t.rawLength !== item.rawLength) {
        throw corrupt(`Restoring ${where} failed: the pack does not hold chunk ${item.id} where the index says.`);
      }
    }
    const job = openJob(ctx.keys, seg, blobs, await readRange(ctx.storage, name, seg.start, seg.end - seg.start));
    const opened = opener ? await opener.open(job, await opener.buffer(openedSize(job))) : openBatch(job);
    if (opened.bad >= 0) {
      throw corrupt(`Restoring ${where} failed: the pack is damaged (chunk ${seg.items[opened.bad]!.id} does not authenticate or does not match its id).`);
    }
    return [Buffer.from(opened.data.buffer, opened.data.byteOffset, opened.data.byteLength)];
  } catch (e) {
    let err = e;
    if (isNotFound(e)) err = corrupt(`Restoring ${where} failed: the pack is missing from storage.`);
    else if (e instanceof DpError && e.code === 'RepositoryDataCorrupt' && !e.message.startsWith('Restoring')) {
      err = corrupt(`Restoring ${label(manifest)} failed: ${e.message}`);
    }
    // Damage a restore runs into is isolated as verify would: no backup builds on it from now on.
    if (err instanceof DpError && err.code === 'RepositoryDataCorrupt') {
      const problem = isNotFound(e) ? 'the index lists it but storage does not hold it' : `found by a restore: ${(e as Error).message}`;
      await isolateDamage(ctx, [{ packId: seg.packId, problem, lost: seg.items.map((i) => i.id), packGone: isNotFound(e) }]).catch(() => undefined);
    }
    throw err;
  }
}

/** The job of opening a segment's blobs, read from `start` of its pack, and taking its chunks. */
function openJob(keys: RepositoryKeys, seg: Segment, blobs: Trailer, bytes: Buffer): OpenJob {
  // The segment's blobs in order, and where each one's chunks start among all their chunks.
  const first = new Map<number, number>();
  const chosen: PackEntry[][] = [];
  let chunks = 0;
  for (const item of seg.items) {
    if (first.has(item.offset)) continue;
    const entries = blobs.get(item.offset)!;
    first.set(item.offset, chunks);
    chosen.push(entries);
    chunks += entries.length;
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
    picks: new Uint32Array(seg.items.length),
  };
  let c = 0;
  chosen.forEach((entries, b) => {
    job.offsets[b] = entries[0]!.offset - seg.start;
    job.lengths[b] = entries[0]!.length;
    job.counts[b] = entries.length;
    for (const e of entries) {
      job.ids.write(e.id, c * ID_BYTES, 'hex');
      job.rawLengths[c++] = e.rawLength;
    }
  });
  seg.items.forEach((item, i) => {
    job.picks[i] = first.get(item.offset)! + blobs.get(item.offset)!.findIndex((e) => e.id === item.id);
  });
  return job;
}

async function packTrailer(ctx: RepoContext, packId: string): Promise<Trailer> {
  const size = ctx.index.packSize(packId) ?? (await ctx.storage.stat(packName(packId))).size;
  const entries = await readTrailer(ctx.storage, ctx.keys.dataKey, packId, size);
  return new Map(blobsOf(entries).map((b) => [b.offset, b.entries]));
}
