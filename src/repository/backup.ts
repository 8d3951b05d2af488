// Writing one backup: the stream is chunked and hashed as it is read; each new chunk is
// compressed on the thread pool, sealed and added to a pack; full packs are uploaded while
// reading goes on. Compressions and uploads in flight are bounded, and reading waits for them,
// so memory stays bounded (about packSize × (uploads + 1) + maxChunk × compressions) whatever
// the stream's size. Order of durability: packs, then their index files, then the chunk list,
// then the manifest. A backup that fails leaves only unreferenced packs and index entries, which
// gc removes.
import { createHash, randomBytes } from 'node:crypto';
import { Chunker } from './chunker.ts';
import type { Lease } from './guard.ts';
import { writeIndexFile } from './chunk-index.ts';
import type { RepoContext } from './context.ts';
import { chunkId } from './crypto.ts';
import { packName } from './layout.ts';
import { ChunkListWriter, writeManifest } from './manifest.ts';
import type { Manifest, ManifestMetadata } from './manifest.ts';
import { PackBuilder, sealChunk } from './pack.ts';
import type { PackRecord } from './pack.ts';
import { ZstdCompressor } from './zstd.ts';

/** Packs uploaded before their index entries are written out to an index file. */
const PACKS_PER_INDEX_FILE = 64;

export interface BackupMeta {
  /** The recovery point this backup becomes; stored in the manifest. */
  recoveryPointId?: string | null;
  metadata?: ManifestMetadata;
}

export interface BackupResult {
  manifestId: string;
  /** Bytes read from the stream. */
  size: number;
  /** SHA-256 of the stream, hex. */
  sha256: string;
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

export async function runBackup(ctx: RepoContext, source: AsyncIterable<unknown>, meta: BackupMeta): Promise<BackupResult> {
  return new BackupRun(ctx).run(source, meta);
}

class BackupRun {
  readonly #ctx: RepoContext;
  readonly #lease: Lease;
  readonly #manifestId = randomBytes(16).toString('hex');
  readonly #chunker: Chunker;
  readonly #sha = createHash('sha256');
  readonly #list: ChunkListWriter;
  readonly #zstd: ZstdCompressor;
  /** Chunks this run stores and has not yet indexed (to deduplicate within the stream). */
  readonly #stored = new Set<string>();
  readonly #compressing = new Set<Promise<void>>();
  readonly #uploading = new Set<Promise<void>>();
  #unindexed: PackRecord[] = [];
  #builder = new PackBuilder();
  #failure: { error: unknown } | null = null;
  #size = 0;
  #newBytes = 0;
  #storedBytes = 0;
  #newChunks = 0;

  constructor(ctx: RepoContext) {
    this.#ctx = ctx;
    this.#chunker = new Chunker(ctx.config.chunker, ctx.gear);
    this.#zstd = new ZstdCompressor(ctx.config.compressionLevel, ctx.compressConcurrency);
    const list = new ChunkListWriter(ctx.storage, ctx.keys.dataKey, this.#manifestId);
    this.#list = list;
    this.#lease = ctx.guard.lease(() => list.ids());
    this.#lease.manifestId = this.#manifestId;
  }

  async run(source: AsyncIterable<unknown>, meta: BackupMeta): Promise<BackupResult> {
    try {
      for await (const part of source) {
        const buf = asBuffer(part);
        this.#sha.update(buf);
        this.#size += buf.length;
        for (const chunk of this.#chunker.push(buf)) await this.#addChunk(chunk);
      }
      const last = this.#chunker.finish();
      if (last) await this.#addChunk(last);
      await this.#settle(this.#compressing);
      if (this.#builder.count > 0) this.#upload();
      await this.#settle(this.#uploading);
      await this.#flushIndex();
      await this.#list.finish();
      const manifest: Manifest = {
        version: 1,
        id: this.#manifestId,
        recoveryPointId: meta.recoveryPointId ?? null,
        createdAt: this.#ctx.clock.now().toISOString(),
        size: this.#size,
        sha256: this.#sha.digest('hex'),
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
        sha256: manifest.sha256,
        newBytes: manifest.newBytes,
        storedBytes: manifest.storedBytes,
        chunks: manifest.chunkCount,
        newChunks: this.#newChunks,
      };
    } catch (e) {
      // Let work in flight finish (a compression may start an upload) so nothing writes after
      // the caller has seen the failure. Tracked promises never reject.
      while (this.#compressing.size || this.#uploading.size) await Promise.all([...this.#compressing, ...this.#uploading]);
      throw e;
    } finally {
      this.#lease.release();
      this.#zstd.close();
    }
  }

  #check(): void {
    if (this.#failure) throw this.#failure.error;
  }

  async #addChunk(chunk: Buffer): Promise<void> {
    const ctx = this.#ctx;
    const idBuf = chunkId(ctx.keys.idKey, chunk);
    const id = idBuf.toString('hex');
    this.#lease.noteChunk(id);
    await this.#list.add(idBuf);
    if (this.#stored.has(id) || (ctx.index.has(id) && !ctx.guard.isDoomed(id))) return;
    this.#stored.add(id);
    this.#newChunks++;
    this.#newBytes += chunk.length;
    while (this.#compressing.size >= ctx.compressConcurrency || this.#uploading.size >= ctx.uploadConcurrency) {
      await Promise.race([...this.#compressing, ...this.#uploading]);
    }
    this.#check();
    if (this.#unindexed.length >= PACKS_PER_INDEX_FILE) await this.#flushIndex();
    this.#track(this.#compressing, this.#seal(idBuf, id, chunk));
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

  async #seal(idBuf: Buffer, id: string, chunk: Buffer): Promise<void> {
    const ctx = this.#ctx;
    const compressed = await this.#zstd.compress(chunk);
    const blob = sealChunk(ctx.keys.dataKey, idBuf, compressed ?? chunk, compressed !== null);
    this.#builder.add(id, blob, chunk.length);
    this.#storedBytes += blob.length;
    if (this.#builder.size >= ctx.config.packSize) this.#upload();
  }

  #upload(): void {
    const { record, data } = this.#builder.finish(this.#ctx.keys.dataKey);
    this.#builder = new PackBuilder();
    this.#lease.addPack(record.packId);
    const put = this.#ctx.storage.put(packName(record.packId), data).then(() => {
      this.#unindexed.push(record);
    });
    this.#track(this.#uploading, put);
  }

  /** Writes an index file for the packs uploaded so far; then other writers may reuse their chunks. */
  async #flushIndex(): Promise<void> {
    if (this.#unindexed.length === 0) return;
    const records = this.#unindexed;
    this.#unindexed = [];
    await writeIndexFile(this.#ctx.storage, this.#ctx.keys.dataKey, records);
    for (const r of records) {
      this.#ctx.index.add(r, true);
      for (const e of r.entries) this.#stored.delete(e.id);
    }
  }
}
