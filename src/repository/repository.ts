// The repository API: one deduplicating, compressed, encrypted store of backup streams per
// (vault, datastore), over any Storage. The format is described in docs/repository-format.md.
//
//   const repo = await Repository.init(storage, masterKey, { clock });
//   const { manifestId } = await repo.backup(dumpStream, { recoveryPointId });
//   (await repo.restore(manifestId)).pipe(target);
//
// Concurrency: any number of backups and restores may run at once in one process, and gc may
// run beside them (see guard.ts). Across processes, backups may run at once; gc must either be
// given the chunk ids other processes' running backups reference (`protect`) or be kept from
// running beside them by the job layer, and other processes should `refresh()` after a gc.
import type { Readable, Writable } from 'node:stream';
import type { Storage } from '../storage/storage.ts';
import { isNotFound } from '../storage/storage.ts';
import { runBackup } from './backup.ts';
import type { BackupMeta, BackupResult } from './backup.ts';
import { buildIndex, ChunkIndex, loadIndex } from './chunk-index.ts';
import { newConfig, resolveParams, writeNewConfig } from './config.ts';
import { checkConfigCopies, openConfig, writeConfigs } from './config-copies.ts';
import type { RepositoryConfig, RepositoryParams } from './config.ts';
import type { RepoContext, RuntimeOptions } from './context.ts';
import { checkMasterKey, gearTable, newKeys, wrapKeys } from './crypto.ts';
import type { RepositoryKeys } from './crypto.ts';
import { errors } from '../domain/errors.ts';
import type { StreamPart } from '../domain/recovery-point-store.ts';
import { assertRestorable, checkHealth } from './health.ts';
import type { ManifestHealth } from './health.ts';
import { runGc } from './gc.ts';
import type { GcOptions, GcReport } from './gc.ts';
import { ChunkGuard } from './guard.ts';
import { RepositoryLocks } from './locks.ts';
import { defaultBudget, runLocalityRepack } from './locality.ts';
import type { LocalityOptions, LocalityReport } from './locality.ts';
import { listAll, mapLimit } from './io.ts';
import { CHUNKLIST_PREFIX, INDEX_PREFIX, isManifestId, manifestName, packName } from './layout.ts';
import { readAllManifests, readChunkList, readManifest } from './manifest.ts';
import type { Manifest } from './manifest.ts';
import { Quarantine, readQuarantine } from './quarantine.ts';
import { rebuildIndex } from './rebuild.ts';
import type { RebuildReport } from './rebuild.ts';
import { restoreInto, restoreStream } from './restore.ts';
import { defaultPoolThreads } from './chunk-pool.ts';
import { runRepair } from './repair.ts';
import { deleteNote, putNote, readNotes } from './notes.ts';
import type { RepairReport } from './repair.ts';
import { runVerify } from './verify.ts';
import type { VerifyOptions, VerifyReport } from './verify.ts';

export interface InitOptions extends RuntimeOptions, Partial<RepositoryParams> {}

export interface RepositoryStats {
  manifests: number;
  /** Sum of the sizes of all backed-up streams. */
  logicalBytes: number;
  chunks: number;
  /** Original and stored bytes of the distinct chunks the index lists. */
  chunkBytes: number;
  chunkStoredBytes: number;
  packs: number;
  packBytes: number;
  indexFiles: number;
}

export class Repository {
  readonly #ctx: RepoContext;
  /** Garbage collections called and not yet settled. */
  #gcs = 0;

  private constructor(ctx: RepoContext) {
    this.#ctx = ctx;
  }

  /** Creates a repository in empty storage; fails if one exists there already. */
  static async init(storage: Storage, masterKey: Buffer, opts: InitOptions): Promise<Repository> {
    checkMasterKey(masterKey);
    const keys = newKeys();
    const config = newConfig(resolveParams(opts), masterKey, keys);
    await writeNewConfig(storage, config);
    await writeConfigs(storage, config, keys);
    return new Repository(context(storage, config, keys, new ChunkIndex(opts.index), opts));
  }

  /** Opens an existing repository and loads its index. */
  static async open(storage: Storage, masterKey: Buffer, opts: RuntimeOptions): Promise<Repository> {
    const { config, keys, damaged, copyMissing } = await openConfig(storage, masterKey);
    // A config written before copies existed gets its copy now; a damaged one is left to repair.
    if (copyMissing && damaged.length === 0) await writeConfigs(storage, config, keys);
    const repo = new Repository(context(storage, config, keys, new ChunkIndex(opts.index), opts));
    await repo.refresh();
    return repo;
  }

  /**
   * Opens a repository from its storage and master key alone, ignoring the index files: the
   * index is rebuilt from the packs' trailers and written anew (for `dpvault vault recover`).
   */
  static async recover(storage: Storage, masterKey: Buffer, opts: RuntimeOptions): Promise<{ repository: Repository; report: RebuildReport }> {
    // It replaces every index file: as gc, never beside another process's backup or restore.
    return new RepositoryLocks(storage, opts.clock, opts.locks).with('exclusive', 'index rebuild (vault recover)', () => Repository.#recover(storage, masterKey, opts));
  }

  static async #recover(storage: Storage, masterKey: Buffer, opts: RuntimeOptions): Promise<{ repository: Repository; report: RebuildReport }> {
    const { config, keys, damaged } = await openConfig(storage, masterKey);
    if (damaged.length > 0) await writeConfigs(storage, config, keys);
    const { records, report } = await rebuildIndex(storage, keys.dataKey);
    const quarantine = await readQuarantine(storage, keys.dataKey);
    const ctx = context(storage, config, keys, buildIndex(records, quarantine, opts.index), opts);
    ctx.quarantine = quarantine;
    return { repository: new Repository(ctx), report };
  }

  /** Re-wraps the repository keys under a new master key; data is not re-encrypted. */
  static async rewrapKeys(storage: Storage, oldMasterKey: Buffer, newMasterKey: Buffer): Promise<void> {
    checkMasterKey(newMasterKey);
    const { config, keys } = await openConfig(storage, oldMasterKey);
    const next: RepositoryConfig = { ...config, wrappedKeys: wrapKeys(newMasterKey, config.id, keys).toString('base64') };
    await writeConfigs(storage, next, keys);
  }

  get id(): string {
    return this.#ctx.config.id;
  }

  get params(): RepositoryParams {
    const { chunker, packSize, compressionLevel, frameBytes } = this.#ctx.config;
    return { chunker: { ...chunker }, packSize, compressionLevel, frameBytes };
  }

  /** Reloads the index from storage (after another process wrote or collected). */
  async refresh(): Promise<void> {
    const { storage, keys } = this.#ctx;
    const quarantine = await readQuarantine(storage, keys.dataKey);
    const { index, damaged, indexIds } = await loadIndex(storage, keys.dataKey, quarantine, this.#ctx.indexOptions);
    this.#ctx.loadedIndexIds = new Set(indexIds);
    this.#ctx.quarantine = quarantine;
    this.#ctx.damagedIndexFiles = damaged;
    this.#ctx.damagedConfig = await checkConfigCopies(storage, this.#ctx.config, keys);
    this.#ctx.index = index;
  }

  /**
   * Stores a stream as a new recovery point. Resolves once its manifest is durable; if the
   * stream errors, rejects with that error and writes no manifest.
   */
  backup(source: AsyncIterable<unknown>, meta: BackupMeta = {}): Promise<BackupResult> {
    const holder = `backup${meta.recoveryPointId ? ` of recovery point ${meta.recoveryPointId}` : ''}`;
    return this.#ctx.locks.with('shared', holder, async () => {
      await this.#refreshIfRewritten();
      return runBackup(this.#ctx, source, meta);
    });
  }

  /**
   * Reloads the index when an index file it was loaded from is gone: a gc or repair (here or in
   * another process sharing the repository) rewrote it, and packs may have moved or gone.
   */
  async #refreshIfRewritten(): Promise<void> {
    const now = new Set((await listAll(this.#ctx.storage, INDEX_PREFIX)).map((o) => o.name.slice(INDEX_PREFIX.length)));
    for (const id of this.#ctx.loadedIndexIds) {
      if (!now.has(id)) return this.refresh();
    }
  }

  /**
   * The original bytes of a recovery point. Rejects at once if the manifest does not exist; any
   * damage found while streaming errors the stream (never silent bad data).
   */
  async restore(manifestId: string): Promise<Readable> {
    const lock = await this.#ctx.locks.acquire('shared', `restore of manifest ${manifestId}`);
    try {
      const manifest = await this.#restorable(manifestId);
      const stream = restoreStream(this.#ctx, manifest);
      stream.once('close', () => void lock.release().catch(() => undefined));
      return stream;
    } catch (e) {
      await lock.release().catch(() => undefined);
      throw e;
    }
  }

  /**
   * Writes the original bytes of a recovery point to `sink`, verified as `restore` does, with
   * less garbage (restore.ts); with `part`, only those byte ranges. The caller ends or destroys the sink.
   */
  async restoreInto(manifestId: string, sink: Writable, onBytes?: (total: number) => void, part?: StreamPart): Promise<void> {
    await this.#ctx.locks.with('shared', `restore of manifest ${manifestId}`, async () => {
      const manifest = part?.checked ? await this.getManifest(manifestId) : await this.#restorable(manifestId);
      await restoreInto(this.#ctx, manifest, sink, onBytes, part);
    });
  }

  /**
   * The manifest, once every chunk it needs is located: a recovery point that needs a chunk known
   * lost fails here, before a byte is written, naming the pack it was lost in.
   */
  async #restorable(manifestId: string): Promise<Manifest> {
    const manifest = await readManifest(this.#ctx.storage, this.#ctx.keys.dataKey, manifestId);
    const label = manifest.recoveryPointId ? `recovery point ${manifest.recoveryPointId} (manifest ${manifest.id})` : `manifest ${manifest.id}`;
    await assertRestorable(this.#ctx, manifest, (problem) => errors.repositoryDataCorrupt(`Restoring ${label} is not possible: ${problem}.`));
    return manifest;
  }

  /** Whether each recovery point can be restored (reads manifests and chunk lists, not data). */
  health(): Promise<ManifestHealth[]> {
    return checkHealth(this.#ctx);
  }

  getManifest(manifestId: string): Promise<Manifest> {
    return readManifest(this.#ctx.storage, this.#ctx.keys.dataKey, manifestId);
  }

  /** The chunk ids a recovery point uses, in stream order (for gc's `protect` across processes). */
  async *chunkIds(manifestId: string): AsyncGenerator<string> {
    const manifest = await readManifest(this.#ctx.storage, this.#ctx.keys.dataKey, manifestId);
    yield* readChunkList(this.#ctx.storage, this.#ctx.keys.dataKey, manifest);
  }

  /**
   * The storage names of the packs a recovery point reads, each once: what must be readable
   * (rehydrated from an archive tier) before it can be restored.
   */
  async packsOf(manifestId: string): Promise<string[]> {
    const packs = new Set<string>();
    for await (const id of this.chunkIds(manifestId)) {
      const packId = this.#ctx.index.packOf(id);
      if (packId !== undefined) packs.add(packName(packId));
    }
    return [...packs].sort();
  }

  /** Every manifest, oldest first. */
  listManifests(): Promise<Manifest[]> {
    return readAllManifests(this.#ctx.storage, this.#ctx.keys.dataKey);
  }

  /** Keeps a small sealed note under `key` beside the data (replacing one of the same key); notes.ts. */
  putNote(key: string, value: Buffer): Promise<void> {
    return putNote(this.#ctx.storage, this.#ctx.keys.dataKey, key, value);
  }

  deleteNote(key: string): Promise<void> {
    return deleteNote(this.#ctx.storage, key);
  }

  /** Every note's value. */
  notes(): Promise<Buffer[]> {
    return readNotes(this.#ctx.storage, this.#ctx.keys.dataKey);
  }

  /** Deletes a recovery point's manifest and chunk list; its data goes at the next gc. */
  async deleteManifest(manifestId: string): Promise<void> {
    const { storage } = this.#ctx;
    if (!isManifestId(manifestId)) throw errors.repositoryManifestNotFound(manifestId);
    try {
      await storage.stat(manifestName(manifestId));
    } catch (e) {
      if (isNotFound(e)) throw errors.repositoryManifestNotFound(manifestId);
      throw e;
    }
    await storage.delete(manifestName(manifestId));
    const parts = await listAll(storage, `${CHUNKLIST_PREFIX}${manifestId}/`);
    await mapLimit(parts, storage.properties.maxConcurrency, (p) => storage.delete(p.name));
  }

  /** Garbage collection, holding the repository's exclusive lock (waits for other processes' backups and restores, then fails naming them). */
  gc(opts: GcOptions = {}): Promise<GcReport> {
    // Refused at once, as before the lock: a second gc here must not wait for the lock to learn it.
    if (this.#gcs > 0 && opts.wait !== true) return Promise.reject(errors.repositoryGcRunning());
    this.#gcs++;
    return this.#ctx.locks.with('exclusive', 'garbage collection', () => runGc(this.#ctx, opts)).finally(() => this.#gcs--);
  }

  /**
   * Copies the blobs the newest recovery point of each stream reads scattered into new packs in
   * its stream order, within a byte budget; the old copies go at the next gc (locality.ts).
   */
  repackForLocality(opts: LocalityOptions = {}): Promise<LocalityReport> {
    return this.#ctx.locks.with('exclusive', 'locality repack', () => runLocalityRepack(this.#ctx, opts));
  }

  /** The locality repack's default budget: min(10% of the stored packs, 1 GiB). */
  async defaultRepackBudget(): Promise<number> {
    return defaultBudget(this.#ctx.storage);
  }

  verify(opts: VerifyOptions = {}): Promise<VerifyReport> {
    return this.#ctx.locks.with('shared', 'verify', () => runVerify(this.#ctx, opts));
  }

  /** Verifies and quarantines, rebuilds the index from the packs, salvages damaged packs (repair.ts). */
  async repair(): Promise<RepairReport> {
    return this.#ctx.locks.with('exclusive', 'repair', () => this.#repair());
  }

  async #repair(): Promise<RepairReport> {
    const report = await runRepair(this.#ctx);
    const { storage, config, keys } = this.#ctx;
    if (this.#ctx.damagedConfig.length > 0) {
      await writeConfigs(storage, config, keys);
      report.configCopiesRewritten = this.#ctx.damagedConfig.map((d) => d.name);
      this.#ctx.damagedConfig = [];
    }
    return report;
  }

  async stats(): Promise<RepositoryStats> {
    const { storage, index } = this.#ctx;
    const manifests = await this.listManifests();
    let chunkBytes = 0;
    let chunkStoredBytes = 0;
    for (const [, loc] of index.locations()) {
      chunkBytes += loc.rawLength;
      chunkStoredBytes += loc.length;
    }
    const packs = await listAll(storage, 'packs/');
    return {
      manifests: manifests.length,
      logicalBytes: manifests.reduce((n, m) => n + m.size, 0),
      chunks: index.size,
      chunkBytes,
      chunkStoredBytes,
      packs: packs.length,
      packBytes: packs.reduce((n, p) => n + p.size, 0),
      indexFiles: (await listAll(storage, INDEX_PREFIX)).length,
    };
  }
}

function context(storage: Storage, config: RepositoryConfig, keys: RepositoryKeys, index: ChunkIndex, opts: RuntimeOptions): RepoContext {
  return {
    storage,
    config,
    keys,
    gear: gearTable(keys.idKey),
    index,
    indexOptions: opts.index ?? {},
    quarantine: new Quarantine(),
    damagedIndexFiles: [],
    damagedConfig: [],
    guard: new ChunkGuard(),
    loadedIndexIds: new Set(),
    locks: new RepositoryLocks(storage, opts.clock, opts.locks),
    clock: opts.clock,
    compressConcurrency: opts.compressConcurrency ?? defaultPoolThreads(),
    uploadConcurrency: opts.uploadConcurrency ?? 4,
    readAhead: opts.readAhead ?? 4,
    restoreBudget: opts.restoreBudget ?? 16 * 1024 * 1024,
  };
}
