// Writing one backup: the stream is chunked, and each chunk's id computed, as it is read on the
// main thread; new chunks are gathered into batches of about a MiB that worker threads compress
// and seal (chunk-pool.ts); their blobs go into a pack, and full packs are uploaded while reading
// goes on. When every worker already has its batches, this thread seals the next batch itself
// rather than wait: waiting, it would soon stop PostgreSQL on a full socket as well, and leave a
// core to the workers alone (docs/tuning.md). Batches and uploads in flight are bounded, and
// reading waits for uploads, so memory stays bounded (about packSize × (uploads + 2) + batch
// size × batches in flight × 2) whatever the stream's size. Order of durability: packs, then
// their index files, then the chunk list, then the manifest. A backup that fails gives back at
// once the packs no one else uses (release.ts); a backup killed leaves unreferenced packs and
// index entries, which gc removes after its grace period.
import { randomBytes } from 'node:crypto';
import { errors } from '../domain/errors.ts';
import { isolateDamage } from './isolate.ts';
import { findVanishedPacks } from './pack-presence.ts';
import { Chunker } from './chunker.ts';
import type { Lease } from './guard.ts';
import { writeIndexFile } from './chunk-index.ts';
import type { RepoContext } from './context.ts';
import { chunkIdHex, ID_BYTES } from './crypto.ts';
import { packName } from './layout.ts';
import { ChunkListWriter, MANIFEST_VERSION, StreamHash, writeManifest } from './manifest.ts';
import type { Manifest, ManifestMetadata } from './manifest.ts';
import { PackBuilder, sealBlobPlaintextPieces } from './pack.ts';
import type { PackRecord } from './pack.ts';
import { sealBatch, sealHeadroom } from './chunk-jobs.ts';
import type { SealedBatch, SealJob } from './chunk-jobs.ts';
import { ChunkPool } from './chunk-pool.ts';
import { releaseFailedBackup } from './release.ts';
import { adoptLeftovers, listStoredPacks } from './leftovers.ts';
import { isTransient } from '../storage/storage.ts';

/**
 * Packs uploaded before their index entries are written out to an index file, in the background
 * while reading goes on. With 64, a scale-10 backup wrote its one index file at the very end:
 * some 60 ms of encoding, writing and indexing 70,000 entries after the last byte.
 */
const PACKS_PER_INDEX_FILE = 16;
/** New chunks are handed to the chunk pool in batches of about this many bytes. */
const BATCH_BYTES = 1024 * 1024;
/**
 * Batches in the pool per worker thread: one being sealed, the rest waiting. Four rather than
 * two: the worker shares two cores with this thread and PostgreSQL, and with a deeper queue it
 * is less often left without work while this thread seals a batch itself (about 4 MiB more).
 */
const BATCHES_PER_WORKER = 4;
/**
 * Chunks of at least this average size are sealed on the main thread, straight into the pack;
 * smaller ones on the worker. Node allocates every cipher output anew, and a thread that makes
 * few objects collects those buffers late: with large chunks a worker held some 60 MB of them.
 * With small chunks the worker collects them promptly, and sealing them one by one on the main
 * thread would cost it several microseconds per chunk.
 */
const SEAL_ON_MAIN_FROM_AVG = 64 * 1024;

/**
 * New chunks waiting to be sealed, copied end to end into a buffer after room for their blobs'
 * overhead (chunk-jobs.ts). The buffer comes back from the worker holding the blobs and is used
 * again by a later batch.
 */
class Batch {
  readonly data: Uint8Array<ArrayBuffer>;
  readonly start: number;
  readonly hexIds: string[] = [];
  readonly lengths: number[] = [];
  bytes = 0;

  constructor(data: Uint8Array<ArrayBuffer>, start: number) {
    this.data = data;
    this.start = start;
  }

  add(id: string, pieces: readonly Buffer[]): void {
    const before = this.bytes;
    for (const p of pieces) {
      this.data.set(p, this.start + this.bytes);
      this.bytes += p.length;
    }
    this.hexIds.push(id);
    this.lengths.push(this.bytes - before);
  }

  /** The job for the chunk pool; its buffers are handed over, so the batch is spent. */
  toJob(level: number, frameBytes: number, seal: boolean, dataKey: Buffer): SealJob {
    const ids = Buffer.alloc(this.hexIds.length * ID_BYTES);
    this.hexIds.forEach((id, i) => ids.write(id, i * ID_BYTES, ID_BYTES, 'hex'));
    return { level, frameBytes, seal, dataKey: new Uint8Array(dataKey), data: this.data, start: this.start, lengths: Uint32Array.from(this.lengths), ids };
  }
}

export interface BackupMeta {
  /** The recovery point this backup becomes; stored in the manifest. */
  recoveryPointId?: string | null;
  metadata?: ManifestMetadata;
}

export interface BackupResult {
  manifestId: string;
  /** Bytes read from the stream. */
  size: number;
  /** Original bytes of the chunks this backup stored (the rest were already in the repository). */
  newBytes: number;
  /** Bytes those chunks take in packs (compressed and sealed). */
  storedBytes: number;
  /** Chunks in the stream, and how many of them were new. */
  chunks: number;
  newChunks: number;
}

function asBuffer(part: unknown): Buffer {
  if (Buffer.isBuffer(part)) return part;
  if (typeof part === 'string') return Buffer.from(part);
  if (part instanceof Uint8Array) return Buffer.from(part.buffer, part.byteOffset, part.byteLength);
  throw new TypeError('A backup source must yield Buffers, Uint8Arrays or strings.');
}

/**
 * Backs up the stream `source`. Each part is done with, and referred to by nothing here, by the
 * time the next part is asked for (the chunker copies what it keeps of it), so a source may
 * read over a part's bytes from then on.
 */
export async function runBackup(ctx: RepoContext, source: AsyncIterable<unknown>, meta: BackupMeta): Promise<BackupResult> {
  return new BackupRun(ctx).run(source, meta);
}

class BackupRun {
  readonly #ctx: RepoContext;
  readonly #lease: Lease;
  readonly #manifestId = randomBytes(16).toString('hex');
  readonly #chunker: Chunker;
  readonly #list: ChunkListWriter;
  readonly #streamHash = new StreamHash();
  /** Started with the second batch: a stream that fits in one batch is sealed inline. */
  #pool: ChunkPool | null = null;
  #batch: Batch | null = null;
  /** Batch buffers back from sealing, to be used again. */
  readonly #spare: Uint8Array<ArrayBuffer>[] = [];
  /** Whether batches come back sealed, or as blob plaintexts this thread seals. */
  readonly #sealInJob: boolean;
  /** Chunks this run stores and has not yet indexed (to deduplicate within the stream). */
  readonly #stored = new Set<string>();
  readonly #sealing = new Set<Promise<void>>();
  readonly #uploading = new Set<Promise<void>>();
  /** The index file being written in the background, if any (#indexSome). */
  readonly #indexing = new Set<Promise<void>>();
  #indexBusy = false;
  #unindexed: PackRecord[] = [];
  /** Packs holding chunks this run reused instead of storing them. */
  readonly #reusedPacks = new Set<string>();
  /** Every pack this run stored or began to store, with its size, and those handed to an index file. */
  readonly #packs = new Map<string, number>();
  readonly #maybeIndexed = new Set<string>();
  /** Buffers of stored packs, for the next packs. */
  readonly #spareBuffers: Buffer[] = [];
  #builder: PackBuilder;
  #failure: { error: unknown } | null = null;
  #size = 0;
  #newBytes = 0;
  #storedBytes = 0;
  #newChunks = 0;

  constructor(ctx: RepoContext) {
    this.#ctx = ctx;
    this.#chunker = new Chunker(ctx.config.chunker, ctx.gear);
    this.#builder = this.#newPack();
    this.#sealInJob = ctx.config.chunker.avg < SEAL_ON_MAIN_FROM_AVG;
    const list = new ChunkListWriter(ctx.storage, ctx.keys.dataKey, this.#manifestId);
    this.#list = list;
    this.#lease = ctx.guard.lease(() => list.ids());
    this.#lease.manifestId = this.#manifestId;
  }

  async run(source: AsyncIterable<unknown>, meta: BackupMeta): Promise<BackupResult> {
    try {
      // Packs that vanished or shrank since the index was read: quarantined before anything
      // deduplicates against them, so this backup stores their chunks again. Packs a failed
      // backup left unlisted are indexed, so this one resumes from them (leftovers.ts).
      const stored = await listStoredPacks(this.#ctx);
      await isolateDamage(this.#ctx, await findVanishedPacks(this.#ctx, undefined, stored));
      await adoptLeftovers(this.#ctx, stored, this.#lease);
      for await (const part of source) {
        const buf = asBuffer(part);
        this.#size += buf.length;
        for (const chunk of this.#chunker.pushPieces(buf)) {
          const wait = this.#addChunk(chunk);
          if (wait) await wait;
        }
      }
      const last = this.#chunker.finishPieces();
      if (last) await this.#addChunk(last);
      await this.#dispatch(true);
      await this.#settle(this.#sealing);
      if (this.#builder.count > 0) this.#upload();
      await this.#settle(this.#uploading);
      await this.#settle(this.#indexing);
      // The last index file and chunk-list part, side by side: the manifest needs both durable.
      const ends = await Promise.allSettled([this.#flushIndex(true), this.#list.finish()]);
      for (const end of ends) if (end.status === 'rejected') throw end.reason;
      await this.#checkReused();
      const manifest: Manifest = {
        version: MANIFEST_VERSION,
        id: this.#manifestId,
        recoveryPointId: meta.recoveryPointId ?? null,
        createdAt: this.#ctx.clock.now().toISOString(),
        size: this.#size,
        streamHash: this.#streamHash.hex(),
        chunkCount: this.#list.count,
        chunkListParts: this.#list.parts,
        newBytes: this.#newBytes,
        storedBytes: this.#storedBytes,
        metadata: meta.metadata ?? {},
      };
      await writeManifest(this.#ctx.storage, this.#ctx.keys.dataKey, manifest);
      return {
        manifestId: manifest.id,
        size: manifest.size,
        newBytes: manifest.newBytes,
        storedBytes: manifest.storedBytes,
        chunks: manifest.chunkCount,
        newChunks: this.#newChunks,
      };
    } catch (e) {
      // Let work in flight finish (a compression may start an upload) so nothing writes after
      // the caller has seen the failure. Tracked promises never reject.
      const busy = (): Promise<void>[] => [...this.#sealing, ...this.#uploading, ...this.#indexing];
      while (busy().length) await Promise.all(busy());
      // Its chunks are no longer this run's to protect; what no one else uses goes now. A release
      // that fails leaves the packs to gc, and the backup's own error is the one to report.
      // When the storage went away (a transient failure outlasted the retries), the packs stored
      // stay: a rerun indexes them and sends only the rest (leftovers.ts); gc takes them otherwise.
      this.#lease.release();
      if (!isTransient(e)) {
        await releaseFailedBackup(this.#ctx, { manifestId: this.#manifestId, packs: this.#packs, maybeIndexed: this.#maybeIndexed }).catch(() => undefined);
      }
      throw e;
    } finally {
      this.#lease.release();
      await this.#pool?.close();
    }
  }

  /**
   * Before the manifest: every pack this run reused must still be whole, and no chunk it reused may
   * have been quarantined meanwhile (a verify beside it). Otherwise the run fails, naming the packs,
   * and the damage is isolated so the next run stores those chunks again.
   */
  async #checkReused(): Promise<void> {
    const ctx = this.#ctx;
    const vanished = await findVanishedPacks(ctx, this.#reusedPacks);
    await isolateDamage(ctx, vanished);
    const suspect = [...this.#reusedPacks].filter((p) => ctx.quarantine.get(p));
    if (suspect.length === 0) return;
    let lost = 0;
    for await (const id of this.#list.ids()) if (!this.#stored.has(id) && !ctx.index.has(id)) lost++;
    if (lost === 0) return;
    throw errors.backupReusedDamagedData(lost, suspect.map((p) => `${packName(p)}: ${ctx.quarantine.get(p)!.problem}`).join('; '));
  }

  #check(): void {
    if (this.#failure) throw this.#failure.error;
  }

  /** Records one chunk; a promise when the caller must wait (a chunk-list part or a full batch). */
  #addChunk(pieces: Buffer[]): Promise<void> | undefined {
    const ctx = this.#ctx;
    const id = chunkIdHex(ctx.keys.idKey, pieces);
    this.#lease.noteChunk(id);
    this.#streamHash.add(id);
    const listed = this.#list.add(id);
    if (this.#stored.has(id)) return listed;
    const pack = ctx.index.packOf(id);
    if (pack !== undefined && !ctx.guard.isDoomed(id)) {
      this.#reusedPacks.add(pack);
      return listed;
    }
    this.#stored.add(id);
    this.#newChunks++;
    const batch = (this.#batch ??= this.#newBatch());
    const before = batch.bytes;
    batch.add(id, pieces);
    this.#newBytes += batch.bytes - before;
    if (batch.bytes < BATCH_BYTES) return listed;
    return listed ? listed.then(() => this.#dispatch(false)) : this.#dispatch(false);
  }

  /**
   * An empty batch. A batch is handed over once it holds BATCH_BYTES, so it never holds more
   * than BATCH_BYTES + max bytes in more than BATCH_BYTES / min + 2 chunks.
   */
  #newBatch(): Batch {
    const { min, max } = this.#ctx.config.chunker;
    const start = sealHeadroom(Math.floor(BATCH_BYTES / min) + 2);
    const size = start + BATCH_BYTES + max;
    const spare = this.#spare.pop();
    return new Batch(spare?.byteLength === size ? spare : new Uint8Array(size), start);
  }

  /**
   * Hands the current batch over to be sealed once the uploads have room: to the pool, or, when
   * the pool's workers have all the batches they take, sealed here and now.
   */
  async #dispatch(last: boolean): Promise<void> {
    const ctx = this.#ctx;
    const batch = this.#batch;
    if (!batch) return;
    this.#batch = null;
    const threads = Math.max(1, ctx.compressConcurrency);
    while (this.#uploading.size >= ctx.uploadConcurrency) {
      await Promise.race([...this.#sealing, ...this.#uploading]);
    }
    this.#check();
    const job = batch.toJob(ctx.config.compressionLevel, ctx.config.frameBytes, this.#sealInJob, ctx.keys.dataKey);
    // A worker's answer reaches this thread only through the event loop, which a reader with
    // data buffered may not have visited for a while: let any answer in before deciding.
    const poolFull = (): boolean => this.#sealing.size >= threads * BATCHES_PER_WORKER;
    if (poolFull()) await new Promise<void>((resolve) => setImmediate(resolve));
    if (poolFull()) {
      this.#addBlobs(batch, sealBatch(job));
      return;
    }
    let sealed: Promise<SealedBatch>;
    if (last && !this.#pool) {
      sealed = Promise.resolve().then(() => sealBatch(job));
    } else {
      this.#pool ??= new ChunkPool(threads, { background: true });
      sealed = this.#pool.seal(job);
    }
    this.#track(this.#sealing, sealed.then((out) => this.#addBlobs(batch, out)));
  }

  /** Adds `work` to `set` until it settles; a failure is kept and rethrown by the main loop. */
  #track(set: Set<Promise<void>>, work: Promise<void>): void {
    const p: Promise<void> = work
      .catch((error: unknown) => {
        this.#failure ??= { error };
      })
      .finally(() => set.delete(p));
    set.add(p);
  }

  async #settle(set: Set<Promise<void>>): Promise<void> {
    while (set.size) await Promise.all([...set]);
    this.#check();
  }

  #addBlobs(batch: Batch, out: SealedBatch): void {
    const ctx = this.#ctx;
    const blobs = Buffer.from(out.blobs.buffer, out.blobs.byteOffset, out.blobs.byteLength);
    let at = 0;
    let first = 0;
    for (let b = 0; b < out.lengths.length; b++) {
      const part = blobs.subarray(at, at + out.lengths[b]!);
      at += part.length;
      const end = first + out.counts[b]!;
      const chunks: { id: string; rawLength: number }[] = [];
      for (let i = first; i < end; i++) chunks.push({ id: batch.hexIds[i]!, rawLength: batch.lengths[i]! });
      const blob = this.#sealInJob ? part : sealBlobPlaintextPieces(ctx.keys.dataKey, Buffer.from(batch.hexIds.slice(first, end).join(''), 'hex'), part);
      first = end;
      const before = this.#builder.size;
      this.#builder.addBlob(chunks, blob);
      this.#storedBytes += this.#builder.size - before;
      if (this.#builder.size >= ctx.config.packSize) this.#upload();
    }
    if (this.#spare.length < 4) this.#spare.push(new Uint8Array(out.blobs.buffer));
  }

  #upload(): void {
    const { record, data } = this.#builder.finish(this.#ctx.keys.dataKey);
    this.#builder = this.#newPack();
    this.#lease.addPack(record.packId);
    this.#packs.set(record.packId, record.size);
    const put = this.#ctx.storage.put(packName(record.packId), data).then(() => {
      this.#unindexed.push(record);
      // Stored: its buffer can hold a later pack (fewer large allocations, less GC).
      this.#spareBuffers.push(Buffer.from(data.buffer, data.byteOffset));
      this.#indexSome();
    });
    this.#track(this.#uploading, put);
  }

  /**
   * Starts writing an index file when enough packs are stored and none is being written; when it
   * is written, looks again. The files are written one at a time, in order.
   */
  #indexSome(): void {
    if (this.#indexBusy || this.#failure || this.#unindexed.length < PACKS_PER_INDEX_FILE) return;
    this.#indexBusy = true;
    const flush = this.#flushIndex().finally(() => {
      this.#indexBusy = false;
    });
    this.#track(this.#indexing, flush.then(() => this.#indexSome()));
  }

  /**
   * A pack builder with room for a full pack: blobs up to packSize, one more of the largest
   * blob (a chunk or a frame), and the trailer of four times the chunks an average size would give.
   */
  #newPack(): PackBuilder {
    const { packSize, chunker, frameBytes } = this.#ctx.config;
    return new PackBuilder(packSize + Math.max(chunker.max, frameBytes) + 1024 + Math.ceil((4 * packSize) / chunker.avg) * (ID_BYTES + 12), this.#spareBuffers.pop());
  }

  /** Writes an index file for the packs uploaded so far; then other writers may reuse their chunks. */
  async #flushIndex(last = false): Promise<void> {
    if (this.#unindexed.length === 0) return;
    const records = this.#unindexed;
    this.#unindexed = [];
    for (const r of records) this.#maybeIndexed.add(r.packId);
    await writeIndexFile(this.#ctx.storage, this.#ctx.keys.dataKey, records);
    for (const r of records) {
      this.#ctx.index.add(r, true);
      // Found in the index from now on; after the last flush no chunk is looked up again.
      if (!last) for (const e of r.entries) this.#stored.delete(e.id);
    }
  }
}
