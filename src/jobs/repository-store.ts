// Recovery point data in deduplicating repositories: one repository per vault and datastore, its
// storage opened through the storage factory (src/storage/factory.ts), each repository opened (or
// created) on first use with the server's master key. A recovery point's ref is
// `<vaultKey>/<datastore>/<manifestId>`. Deleting a recovery point removes its manifest;
// `collectGarbage` releases the chunks no manifest needs any more.
import { Readable, type Writable } from 'node:stream';
import { DpError, errors, REPOSITORY_DATA_CORRUPT, REPOSITORY_MANIFEST_NOT_FOUND, REPOSITORY_NOT_FOUND, toDpError } from '../domain/errors.ts';
import type { DumpLocation, RecoveredDump, RecoveryPointStore, StoreMaintenanceReport, StoreRepairReport, StoredHealth, StoreVerifyReport, StoredDump, StreamPart } from '../domain/recovery-point-store.ts';
import type { ManifestHealth } from '../repository/health.ts';
import { chunkerForDataSize } from '../repository/chunker.ts';
import type { LockOptions } from '../repository/locks.ts';
import { Repository } from '../repository/repository.ts';
import { StorageFactory } from '../storage/factory.ts';
import type { StoragePlacement } from '../storage/placement.ts';
import { ObjectRehydrations, type RehydrateOptions, type Release } from '../storage/rehydrate-objects.ts';
import type { Storage } from '../storage/storage.ts';
import { datastoreTiers } from './datastore-tiers.ts';
import type { Clock } from '../util/clock.ts';
import { recyclerOf } from '../util/recycle.ts';
import type { CreateOnce } from '../services/create-once.ts';

/** Where a vault's notes live: the datastore every backup writes first. */
const NOTES_DATASTORE = 'VaultStore';


export class RepositoryStore implements RecoveryPointStore {
  readonly #placement: Pick<StoragePlacement, 'forVault' | 'place'>;
  readonly #masterKey: Buffer;
  readonly #clock: Clock;
  readonly #repos = new Map<string, Promise<Repository>>();
  /** The repositories whose packs sit in an archive tier (`vaultKey/datastore`): gc never repacks there. */
  readonly #archived = new Set<string>();
  readonly #rehydrations = new ObjectRehydrations();
  /** Per vault, the gc work under way: the next waits for it (never two at once for one vault). */
  readonly #gcChains = new Map<string, Promise<unknown>>();

  readonly #repackBudgetBytes: number | undefined;
  readonly #locks: LockOptions | undefined;
  readonly #create: boolean;
  readonly #createOnce: CreateOnce | undefined;

  /** `repackBudgetBytes`: what one maintenance may write per datastore repacking for locality (default 0: off). */
  /** `storage`: where vaults' data goes, one storage for all or placed per vault (storage/placement.ts). */
  /** `create`: whether a repository is made where none is yet (default); false for copies made elsewhere (a geo-redundant vault's pair). */
  constructor(
    storage: StorageFactory | Pick<StoragePlacement, 'forVault' | 'place'>, masterKey: Buffer, clock: Clock,
    opts: { repackBudgetBytes?: number; locks?: LockOptions; create?: boolean; createOnce?: CreateOnce } = {},
  ) {
    this.#createOnce = opts.createOnce;
    this.#placement = storage instanceof StorageFactory ? { forVault: () => Promise.resolve(storage), place: () => Promise.resolve() } : storage;
    this.#create = opts.create ?? true;
    this.#masterKey = masterKey;
    this.#clock = clock;
    this.#repackBudgetBytes = opts.repackBudgetBytes;
    this.#locks = opts.locks;
  }

  /**
   * The repository of one vault's datastore, created on first use with chunk sizes fit for
   * `sizeHint` bytes of data (chunker.ts chunkerForDataSize).
   */
  repository(vaultKey: string, datastore: string, sizeHint = 0): Promise<Repository> {
    const key = `${vaultKey}/${datastore}`;
    let repo = this.#repos.get(key);
    if (!repo) {
      const opts = { clock: this.#clock, locks: this.#locks };
      repo = this.#open(vaultKey, datastore).then((storage) => {
        this.#noteArchived(key, datastore, storage);
        const open = () => Repository.open(storage, this.#masterKey, opts);
        const notFound = (e: unknown) => (e as DpError).code === REPOSITORY_NOT_FOUND;
        return open().catch((e: unknown) => {
          if (!notFound(e) || !this.#create) throw e;
          // Opened again first: another process may have made it meanwhile (its keys are the ones to use).
          const create = () => open().catch((again: unknown) => {
            if (notFound(again)) return Repository.init(storage, this.#masterKey, { ...opts, chunker: chunkerForDataSize(sizeHint) });
            throw again;
          });
          return this.#createOnce ? this.#createOnce(`repository:${key}`, create) : create();
        });
      });
      repo.catch(() => this.#repos.delete(key));
      this.#repos.set(key, repo);
    }
    return repo;
  }

  async write(loc: DumpLocation, input: Readable, onBytes?: (total: number) => void): Promise<StoredDump> {
    const repo = await this.repository(loc.vaultKey, loc.datastore, loc.sizeHint);
    // Counted as the backup reads, buffer by buffer. A byte-mode Transform here would join the
    // buffers it holds into new ones on every read: a copy of the whole dump and its garbage.
    // A backup refers to no part once it asks for the next (runBackup), so a part goes back to
    // an input that takes them back (a dump's socket buffers) as soon as this generator resumes.
    const recycle = recyclerOf(input);
    async function* metered(): AsyncGenerator<Buffer> {
      let total = 0;
      for await (const chunk of input as AsyncIterable<Buffer>) {
        total += chunk.length;
        onBytes?.(total);
        yield chunk;
        recycle?.(chunk);
      }
    }
    const result = await repo.backup(metered(), { recoveryPointId: loc.recoveryPointId, metadata: loc.metadata ?? {} });
    return { ref: `${loc.vaultKey}/${loc.datastore}/${result.manifestId}`, size: result.size };
  }

  /**
   * The recovery point's bytes. Nothing is read until the consumer asks for data, so an error
   * (damage found in a pack) always reaches a consumer that is listening.
   */
  read(stored: StoredDump, recoveryPointId: string): Readable {
    const { vaultKey, datastore, manifestId } = parseRef(stored.ref);
    let source: Readable | undefined;
    let started = false;
    const out: Readable = new Readable({
      read: () => {
        if (started) {
          source?.resume();
          return;
        }
        started = true;
        void (async () => {
          const repo = await this.repository(vaultKey, datastore);
          source = await repo.restore(manifestId);
          source.on('data', (chunk: Buffer) => {
            if (!out.push(chunk)) source!.pause();
          });
          source.on('end', () => out.push(null));
          source.on('error', fail);
        })().catch(fail);
      },
      destroy: (err, cb) => {
        source?.destroy();
        cb(err);
      },
    });
    const fail = (e: unknown) => out.destroy(asRecoveryPointError(e, recoveryPointId));
    return out;
  }

  async readInto(stored: StoredDump, recoveryPointId: string, sink: Writable, onBytes?: (total: number) => void, part?: StreamPart): Promise<void> {
    const { vaultKey, datastore, manifestId } = parseRef(stored.ref);
    try {
      const repo = await this.repository(vaultKey, datastore);
      await repo.restoreInto(manifestId, sink, onBytes, part);
    } catch (e) {
      // The sink's own errors (EPIPE from a pg_restore that stopped) pass as they are.
      throw e instanceof DpError ? asRecoveryPointError(e, recoveryPointId) : e;
    }
  }

  async delete(stored: StoredDump): Promise<void> {
    const { vaultKey, datastore, manifestId } = parseRef(stored.ref);
    const repo = await this.repository(vaultKey, datastore);
    try {
      await repo.deleteManifest(manifestId);
    } catch (e) {
      if ((e as DpError).code !== REPOSITORY_MANIFEST_NOT_FOUND) throw e;
    }
  }

  /**
   * The recovery point's bytes written into another datastore. The read checks every chunk
   * against its id and the total against the manifest, and fails the copy on any difference.
   */
  async copy(stored: StoredDump, to: DumpLocation): Promise<StoredDump> {
    return this.write({ sizeHint: stored.size, ...to }, this.read(stored, to.recoveryPointId));
  }

  /**
   * Makes the packs a stored recovery point reads readable, on a store that keeps them in an
   * archive tier (rehydrate-objects.ts), and waits until they are; the release lets them go back.
   */
  async rehydrate(stored: StoredDump, opts: RehydrateOptions): Promise<Release> {
    const { vaultKey, datastore, manifestId } = parseRef(stored.ref);
    const storage = await this.#open(vaultKey, datastore);
    if (!storage.tiers) return () => Promise.resolve();
    const repo = await this.repository(vaultKey, datastore);
    return this.#rehydrations.rehydrate(storage, await repo.packsOf(manifestId), opts);
  }

  async recover(vaultKey: string): Promise<RecoveredDump[]> {
    const out: RecoveredDump[] = [];
    for (const datastore of await this.#datastores(vaultKey)) {
      const storage = await this.#open(vaultKey, datastore);
      const { repository } = await Repository.recover(storage, this.#masterKey, { clock: this.#clock, locks: this.#locks });
      this.#noteArchived(`${vaultKey}/${datastore}`, datastore, storage);
      this.#repos.set(`${vaultKey}/${datastore}`, Promise.resolve(repository));
      for (const m of await repository.listManifests()) {
        out.push({
          datastore,
          stored: { ref: `${vaultKey}/${datastore}/${m.id}`, size: m.size },
          recoveryPointId: m.recoveryPointId,
          createdAt: m.createdAt,
          metadata: m.metadata,
        });
      }
    }
    return out;
  }

  async setNote(vaultKey: string, key: string, value: Record<string, unknown> | null): Promise<void> {
    const repo = await this.repository(vaultKey, NOTES_DATASTORE);
    if (value === null) await repo.deleteNote(key);
    else await repo.putNote(key, Buffer.from(JSON.stringify(value)));
  }

  async notes(vaultKey: string): Promise<Record<string, unknown>[]> {
    if (!(await this.#datastores(vaultKey)).includes(NOTES_DATASTORE)) return [];
    const repo = await this.repository(vaultKey, NOTES_DATASTORE);
    return (await repo.notes()).map((b) => JSON.parse(b.toString('utf8')) as Record<string, unknown>);
  }

  async placeVault(vaultKey: string, azureLocation: string, secondaryRegion?: string): Promise<void> {
    // A vault made again under a deleted one's name starts in its location's storage now.
    this.forgetVault(vaultKey);
    await this.#placement.place(vaultKey, azureLocation, secondaryRegion);
  }

  /** Remembers the repository `key` as one whose packs sit in an archive tier, when they do. */
  #noteArchived(key: string, datastore: string, storage: Storage): void {
    if (storage.tiers && datastoreTiers(datastore)) this.#archived.add(key);
  }

  /** What gc may do in a repository: no repack where the packs are archived (it would read them). */
  #gcOptions(key: string): { repackDeadRatio?: null } {
    return this.#archived.has(key) ? { repackDeadRatio: null } : {};
  }

  /** The storage of one vault's datastore (for copies of it made elsewhere: repository/replicate.ts). */
  async storageOf(vaultKey: string, datastore: string): Promise<Storage> {
    return (await this.#placement.forVault(vaultKey)).open(vaultKey, datastore, { tiers: datastoreTiers(datastore) });
  }

  /** Drops what is open of a vault's datastore, so the next use reads its storage anew (after another writer added to it). */
  forget(vaultKey: string, datastore: string): void {
    this.#repos.delete(`${vaultKey}/${datastore}`);
  }

  /** Drops what is open of every datastore of a vault. */
  forgetVault(vaultKey: string): void {
    for (const key of [...this.#repos.keys()]) if (key.startsWith(`${vaultKey}/`)) this.#repos.delete(key);
  }

  /** Every recovery point stored in the vault's datastores (from the manifests, not rebuilding the index). */
  async storedPoints(vaultKey: string): Promise<RecoveredDump[]> {
    const out: RecoveredDump[] = [];
    for (const datastore of await this.#datastores(vaultKey)) {
      const repo = await this.repository(vaultKey, datastore);
      for (const m of await repo.listManifests()) {
        out.push({ datastore, stored: { ref: `${vaultKey}/${datastore}/${m.id}`, size: m.size }, recoveryPointId: m.recoveryPointId, createdAt: m.createdAt, metadata: m.metadata });
      }
    }
    return out;
  }

  #open(vaultKey: string, datastore: string): Promise<Storage> {
    return this.storageOf(vaultKey, datastore);
  }

  async #datastores(vaultKey: string): Promise<string[]> {
    return (await this.#placement.forVault(vaultKey)).datastores(vaultKey);
  }

  async storedBytes(vaultKey: string): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const datastore of await this.#datastores(vaultKey)) out[datastore] = (await (await this.repository(vaultKey, datastore)).stats()).packBytes;
    return out;
  }

  async health(vaultKey: string): Promise<StoredHealth[]> {
    const out: StoredHealth[] = [];
    for (const datastore of await this.#datastores(vaultKey)) {
      const repo = await this.repository(vaultKey, datastore);
      out.push(...storedHealth(vaultKey, datastore, await repo.health()));
    }
    return out;
  }

  async verify(vaultKey: string, samplePercent: number): Promise<StoreVerifyReport> {
    const out: StoreVerifyReport = { ok: true, datastores: [], packsChecked: 0, packsTotal: 0, chunksChecked: 0, bytesRead: 0, problems: [], health: [] };
    for (const datastore of await this.#datastores(vaultKey)) {
      const repo = await this.repository(vaultKey, datastore);
      await repo.refresh();
      // Archived packs are not read (that would need a rehydration); their index, manifests and chunk lists are checked.
      const report = await repo.verify({ samplePercent: this.#archived.has(`${vaultKey}/${datastore}`) ? 0 : samplePercent, quarantine: true });
      out.health.push(...storedHealth(vaultKey, datastore, report.health));
      out.datastores.push(datastore);
      out.ok &&= report.ok;
      out.packsChecked += report.packsChecked;
      out.packsTotal += report.packsTotal;
      out.chunksChecked += report.chunksChecked;
      out.bytesRead += report.bytesRead;
      const rpOf = async (manifests: string[]) =>
        Promise.all(manifests.map(async (m) => (await repo.getManifest(m).catch(() => null))?.recoveryPointId ?? `manifest ${m}`));
      for (const p of report.damagedPacks) out.problems.push({ datastore, pack: p.pack, problem: p.problem, recoveryPoints: await rpOf(p.manifests) });
      for (const c of report.damagedChunks) out.problems.push({ datastore, pack: c.pack, problem: `chunk ${c.chunk}: ${c.problem}`, recoveryPoints: await rpOf(c.manifests) });
      for (const d of report.damagedObjects) out.problems.push({ datastore, pack: d.name, problem: d.problem, recoveryPoints: [] });
      for (const d of report.damagedManifests) out.problems.push({ datastore, pack: `manifests/${d.manifest}`, problem: d.problem, recoveryPoints: [`manifest ${d.manifest}`] });
      const unlisted = new Map<string, Set<string>>();
      for (const c of report.missingChunks) {
        const key = c.unlistedPack ?? '';
        const set = unlisted.get(key) ?? new Set<string>();
        for (const m of c.manifests) set.add(m);
        unlisted.set(key, set);
      }
      for (const [pack, ms] of unlisted) {
        out.problems.push({
          datastore,
          pack: pack || 'none',
          problem: pack ? 'holds chunks that recovery points need, but no index file lists it (an index file was lost): run vault repair' : 'chunks recovery points need are in no pack',
          recoveryPoints: await rpOf([...ms]),
        });
      }
    }
    return out;
  }

  async repair(vaultKey: string): Promise<StoreRepairReport> {
    const out: StoreRepairReport = { datastores: [], indexFilesWritten: 0, indexFilesRemoved: 0, packsSalvaged: 0, chunksSaved: 0, chunksLost: 0, unsaved: [], health: [] };
    for (const datastore of await this.#datastores(vaultKey)) {
      const repo = await this.repository(vaultKey, datastore);
      await repo.refresh();
      const report = await repo.repair();
      out.datastores.push(datastore);
      out.indexFilesWritten += report.indexFilesWritten;
      out.indexFilesRemoved += report.indexFilesRemoved;
      out.packsSalvaged += report.packsSalvaged.length;
      out.chunksSaved += report.chunksSaved;
      out.chunksLost += report.chunksLost;
      for (const p of report.packsUnreadable) out.unsaved.push(`${datastore} pack ${p}: nothing in it could be read (no readable trailer or index record); left in place`);
      for (const m of report.verify.damagedManifests) out.unsaved.push(`${datastore} manifest ${m.manifest}: ${m.problem}`);
      for (const h of report.health) if (!h.restorable) out.unsaved.push(`${datastore} recovery point ${h.recoveryPointId ?? `manifest ${h.manifestId}`}: ${h.problem}`);
      out.health.push(...storedHealth(vaultKey, datastore, report.health));
    }
    return out;
  }

  /** Releases chunks that no manifest references, in every repository opened so far. */
  async collectGarbage(): Promise<void> {
    for (const [key, repo] of [...this.#repos]) {
      await this.#serialGc(key.split('/')[0]!, async () => (await repo).gc({ wait: true, ...this.#gcOptions(key) }));
    }
  }

  async maintain(vaultKey: string, opts: { graceMs?: number } = {}): Promise<StoreMaintenanceReport> {
    return this.#serialGc(vaultKey, async () => {
      const out: StoreMaintenanceReport = {
        datastores: [], packsDeleted: 0, packsRepacked: 0, unfinishedBackupPacksDeleted: 0, packsKeptYoung: 0,
        indexFilesReplaced: 0, chunkListsDeleted: 0, bytesFreed: 0, storedBytes: 0, problems: [],
        localityBytesWritten: 0, localityBudgetBytes: 0, localityRunsBefore: 0, localityRunsAfter: 0,
      };
      for (const datastore of await this.#datastores(vaultKey)) {
        const repo = await this.repository(vaultKey, datastore);
        const r = await repo.gc({ graceMs: opts.graceMs, wait: true, ...this.#gcOptions(`${vaultKey}/${datastore}`) });
        // gc first, so the space of deleted points comes back before anything is written; what
        // gc's repack wrote counts against the budget. The copies the locality repack leaves
        // dead come back at the next maintenance. Off unless a budget is set: over twelve weekly
        // backups at scale 10 it took the stored bytes from 480 to 1081 MiB for no restore
        // measurably faster (docs/benchmarks.md, "Locality repack over twelve weeks").
        const budget = this.#repackBudgetBytes ?? 0;
        if (budget > 0 && !this.#archived.has(`${vaultKey}/${datastore}`)) {
          const loc = await repo.repackForLocality({ maxBytes: Math.max(0, budget - r.bytesWritten), wait: true });
          out.localityBytesWritten += loc.bytesWritten;
          out.localityBudgetBytes += budget;
          for (const st of loc.streams) {
            out.localityRunsBefore += st.before.runs;
            out.localityRunsAfter += st.after.runs;
          }
          for (const p of loc.damagedPacks) out.problems.push(`${datastore}: pack ${p} is damaged`);
        }
        out.datastores.push(datastore);
        out.packsDeleted += r.packsDeleted;
        out.packsRepacked += r.packsRepacked;
        out.unfinishedBackupPacksDeleted += r.orphanPacksDeleted;
        out.packsKeptYoung += r.packsKeptYoung;
        out.indexFilesReplaced += r.indexFilesReplaced;
        out.chunkListsDeleted += r.chunkListsDeleted;
        out.bytesFreed += r.bytesFreed;
        out.storedBytes += (await repo.stats()).packBytes;
        for (const p of [...r.missingPacks, ...r.damagedPacks]) out.problems.push(`${datastore}: pack ${p} is missing or damaged`);
        if (r.liveChunksMissing > 0) out.problems.push(`${datastore}: ${r.liveChunksMissing} chunks recovery points use are in no stored pack`);
      }
      return out;
    });
  }

  /** Runs `fn` after the gc work already under way for `vaultKey`. */
  #serialGc<T>(vaultKey: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#gcChains.get(vaultKey) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.#gcChains.set(vaultKey, tail);
    void tail.then(() => {
      if (this.#gcChains.get(vaultKey) === tail) this.#gcChains.delete(vaultKey);
    });
    return next;
  }
}

function storedHealth(vaultKey: string, datastore: string, health: readonly ManifestHealth[]): StoredHealth[] {
  return health.map((h) => ({ datastore, ref: `${vaultKey}/${datastore}/${h.manifestId}`, restorable: h.restorable, problem: h.problem }));
}

export function parseRef(ref: string): { vaultKey: string; datastore: string; manifestId: string } {
  const [vaultKey, datastore, manifestId] = ref.split('/');
  if (!vaultKey || !datastore || !manifestId) throw errors.recoveryPointRefInvalid(`'${ref}' is not a repository reference.`);
  return { vaultKey, datastore, manifestId };
}

/** Damage found while reading becomes the recovery point's error, naming it. */
function asRecoveryPointError(e: unknown, recoveryPointId: string): DpError {
  const err = toDpError(e);
  if (err.code === REPOSITORY_DATA_CORRUPT) return errors.recoveryPointDataCorrupt(recoveryPointId, err.message);
  if (err.code === REPOSITORY_MANIFEST_NOT_FOUND) return errors.recoveryPointDataMissing(recoveryPointId, err.message);
  return err;
}
