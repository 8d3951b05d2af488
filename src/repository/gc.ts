// Garbage collection, mark and sweep. Mark: every chunk named by a manifest (re-listing until no
// new manifest appears), by a running backup or restore in this process, or by the caller's
// `protect` list is live. Sweep (see gc-plan.ts): packs with no live chunk are deleted; packs
// mostly dead are repacked (live blobs copied, still sealed, into new packs after checking their
// tags); packs younger than the grace period, or uploaded by a running backup, are left alone.
// Order of effects, so a crash at any point leaves a readable repository: new packs, then every
// new index file (of at most INDEX_FILE_ENTRIES entries), then deletion of the old index files,
// then deletion of packs (test/repository/gc-crash.test.ts kills gc at each).
// Memory: the live set and each chunk's kept copy are one fingerprint table (id-fingerprints.ts), and
// the index files' records pass through one at a time (docs/repository-format.md, "Garbage collection").
import type { ObjectInfo } from '../storage/storage.ts';
import { forEachIndexFile, listIndexIds, withoutLost } from './chunk-index.ts';
import type { RepoContext } from './context.ts';
import { GcPlanner } from './gc-plan.ts';
import { IdFingerprints } from './id-fingerprints.ts';
import { INDEX_FILE_ENTRIES, IndexFilePacking, IndexFileWriter } from './index-files.ts';
import type { RepackItem } from './gc-plan.ts';
import { listAll, mapLimit } from './io.ts';
import { collectEvery } from '../util/full-gc.ts';
import { CHUNKLIST_PREFIX, chunkListOwner, indexName, PACK_PREFIX, packIdOf, packName } from './layout.ts';
import { collectChunkIds, listManifestIds, readAllManifests } from './manifest.ts';
import { blobsOf, openPackBlob, readTrailer } from './pack.ts';
import { PackWriter } from './pack-writer.ts';
import type { PackRecord } from './pack.ts';

export const DEFAULT_GRACE_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_REPACK_DEAD_RATIO = 0.5;

export interface GcOptions {
  /** Chunk ids in use by backups running in other processes. */
  protect?: Iterable<string>;
  /** Packs and chunk lists written less than this long before gc starts are left alone. */
  graceMs?: number;
  /** Repack packs whose dead share of bytes reaches this; null never repacks. Default 0.5. */
  repackDeadRatio?: number | null;
  /** Wait for a gc already running on this repository to end instead of failing with RepositoryGcRunning. */
  wait?: boolean;
}

export interface GcReport {
  manifests: number;
  liveChunks: number;
  packsDeleted: number;
  packsRepacked: number;
  packsWritten: number;
  /** Bytes of the packs the repack wrote. */
  bytesWritten: number;
  orphanPacksDeleted: number;
  packsKeptYoung: number;
  /** Packs left in place because a backup or restore started using them during gc. */
  packsDeferred: number;
  indexFilesReplaced: number;
  chunkListsDeleted: number;
  bytesFreed: number;
  /** Packs the index listed that storage no longer holds (dropped from the index). */
  missingPacks: string[];
  /** Live chunks no stored pack holds: the repository is damaged (see verify). */
  liveChunksMissing: number;
  /** Packs whose live blobs failed their tags while repacking, or unlisted packs whose trailer fails (kept). */
  damagedPacks: string[];
  /** Unlisted packs holding live chunks no indexed pack holds, indexed again instead of deleted. */
  orphanPacksAdopted: number;
}

/**
 * Every chunk id a manifest names (`live`, as fingerprints: id-fingerprints.ts) and the manifests
 * read (`marked`), listing again until a listing shows no manifest that was not marked yet.
 */
export async function markManifests(ctx: RepoContext): Promise<{ live: IdFingerprints; marked: Set<string> }> {
  const { storage } = ctx;
  // Sized for the chunks the index holds and a tenth more (gc notes every located chunk in this
  // table too: GcPlanner), so it is not grown by doubling.
  const live = new IdFingerprints(Math.ceil(ctx.index.size * 1.1));
  const collect = collectEvery();
  const into = { add: (id: string) => (live.add(id), collect(1)) };
  const marked = new Set<string>();
  for (;;) {
    const fresh = (await listManifestIds(storage)).filter((id) => !marked.has(id));
    if (fresh.length === 0) break;
    await collectChunkIds(storage, ctx.keys.dataKey, await readAllManifests(storage, ctx.keys.dataKey, fresh), into);
    for (const id of fresh) marked.add(id);
  }
  return { live, marked };
}

export async function runGc(ctx: RepoContext, opts: GcOptions = {}): Promise<GcReport> {
  const { storage } = ctx;
  const dataKey = ctx.keys.dataKey;
  const cutoff = ctx.clock.now().getTime() - (opts.graceMs ?? DEFAULT_GRACE_MS);
  const session = await ctx.guard.startGc({ wait: opts.wait === true });
  try {
    for (const id of opts.protect ?? []) session.protectedIds.add(id);
    // Index files before packs: every pack an index file lists was stored before that file was.
    const indexIds = await listIndexIds(storage);
    const stored = new Map<string, ObjectInfo>();
    for (const info of await listAll(storage, PACK_PREFIX)) {
      const id = packIdOf(info.name);
      if (id) stored.set(id, info);
    }

    const { live, marked } = await markManifests(ctx);

    // The index files are read up to four times, one record at a time, never held whole: to find
    // each chunk's kept copy, to decide each pack, to write the new index and to add the kept
    // records to the in-memory index; a collection every 2^17 entries (collectEvery). Every
    // pass reads the files of the first listing: a backup's index file written meanwhile stays
    // as it is.
    // Copies known lost do not count as copies: a good copy elsewhere is the one kept.
    // An index file over the bound (written before files were bounded) is rewritten even when the
    // kept records fill as many files as there are.
    let oversized = false;
    const collect = collectEvery();
    const records = (each: (r: PackRecord) => void | Promise<void>) =>
      forEachIndexFile(storage, dataKey, async (rs) => {
        let entries = 0;
        for (const r of rs) {
          entries += r.entries.length;
          await each(withoutLost(r, ctx.quarantine));
        }
        if (entries > INDEX_FILE_ENTRIES) oversized = true;
        collect(entries);
      }, { ids: indexIds });
    const isLive = (id: string): boolean => live.has(id) || session.protectedIds.has(id);
    const planner = new GcPlanner(
      {
        stored,
        isLive,
        activePacks: ctx.guard.activePacks(),
        cutoff,
        repackDeadRatio: opts.repackDeadRatio === undefined ? DEFAULT_REPACK_DEAD_RATIO : opts.repackDeadRatio,
      },
      new IndexFilePacking(),
      live,
    );
    // Whether the files list a pack this process's index does not know (another process's backup).
    let unknownPacks = false;
    await records((r) => {
      if (ctx.index.packSize(r.packId) === undefined) unknownPacks = true;
      planner.scan(r);
    });
    // The session counts as decided from the first pack decided on: every chunk a writer starts to
    // reference from here on is late, and a pack holding a late chunk is not deleted (below), so a
    // writer that deduplicates against a chunk while gc decides, before it is doomed, keeps it.
    session.decide([]);
    await records((r) => planner.decide(r));
    const plan = planner.finish();
    session.decide(plan.doomed);
    // Quarantined packs stay for repair to salvage what is readable in them.
    const held = (r: PackRecord): boolean => ctx.quarantine.get(r.packId) !== undefined;
    plan.keep.push(...plan.remove.filter(held).map((r) => r.packId), ...plan.repack.filter((i) => held(i.record)).map((i) => i.record.packId));
    plan.remove = plan.remove.filter((r) => !held(r));
    plan.repack = plan.repack.filter((i) => !held(i.record));

    const report: GcReport = {
      manifests: marked.size,
      liveChunks: live.size,
      packsDeleted: 0,
      packsRepacked: 0,
      packsWritten: 0,
      bytesWritten: 0,
      orphanPacksDeleted: 0,
      packsKeptYoung: plan.keptYoung,
      packsDeferred: 0,
      indexFilesReplaced: 0,
      chunkListsDeleted: 0,
      bytesFreed: 0,
      missingPacks: plan.missing.map(packName),
      liveChunksMissing: live.liveNotLocated(),
      damagedPacks: [],
      orphanPacksAdopted: 0,
    };

    // Old packs no index lists: garbage of failed backups, unless they hold a live chunk no
    // indexed pack holds (their index file was lost or damaged): those are indexed again.
    const adopted = await adoptOrphans(ctx, plan.orphans, stored, (id) => isLive(id) && !plan.located.isLocated(id));
    const orphans = plan.orphans.filter((id) => !adopted.kept.has(id));
    report.orphanPacksAdopted = adopted.records.length;
    report.damagedPacks.push(...adopted.unreadable.map(packName));

    const { written, repacked, damaged } = await repack(ctx, plan.repack);
    report.packsWritten = written.length;
    report.bytesWritten = written.reduce((n, r) => n + r.size, 0);
    report.damagedPacks.push(...damaged.map(packName));
    // Every pack the first listing's index files name stays indexed but these (a damaged repack's stays).
    const gone = new Set([...plan.remove.map((r) => r.packId), ...repacked.map((r) => r.packId), ...plan.missing]);
    const kept = (each: (r: PackRecord) => void | Promise<void>): Promise<unknown> => {
      const seen = new Set<string>();
      return records(async (r) => {
        if (gone.has(r.packId) || seen.has(r.packId)) return;
        seen.add(r.packId);
        await each(r);
      });
    };
    // Rewritten when a pack comes or goes, or when the files are not those the kept records fill
    // (backups add one each; a repository from before bounded files has one for everything, or
    // files over the bound beside others).
    const changed = gone.size + adopted.records.length > 0 || indexIds.length !== plan.keptIndexFiles || oversized;
    let newIndexIds: string[] = [];
    if (changed) {
      const writer = new IndexFileWriter(storage, dataKey);
      await kept((r) => writer.add(r));
      for (const r of [...adopted.records, ...written]) await writer.add(r);
      newIndexIds = await writer.finish();
    }

    // The in-memory index follows the new index files before anything is deleted.
    for (const packId of gone) ctx.index.removePack(packId);
    for (const r of written) ctx.index.add(r, true);
    // The kept records are read a fourth time only when the index lacks some of them: the
    // chunks of a pack that went are located again in their other copies, and packs another
    // process indexed are learnt. Otherwise it holds them all already (a weekly maintenance that
    // deletes nothing: one pass over the index files fewer).
    if (gone.size > 0 || unknownPacks) await kept((r) => ctx.index.add(r));
    for (const r of adopted.records) ctx.index.add(withoutLost(r, ctx.quarantine));

    if (changed) {
      const fresh = new Set(newIndexIds);
      const old = indexIds.filter((id) => !fresh.has(id));
      // The in-memory index stands for the new files now: this process's next backup need not
      // reload it (Repository's refresh when a file it loaded is gone), as one after another
      // process's gc must.
      const replaced = new Set(old);
      ctx.loadedIndexIds = new Set([...[...ctx.loadedIndexIds].filter((id) => !replaced.has(id)), ...newIndexIds]);
      ctx.damagedIndexFiles = ctx.damagedIndexFiles.filter((d) => !replaced.has(d.indexId));
      await mapLimit(old, storage.properties.maxConcurrency, (id) => storage.delete(indexName(id)));
      report.indexFilesReplaced = old.length;
    }

    const sizeOf = (packId: string): number => stored.get(packId)?.size ?? 0;
    const deletable = (r: PackRecord): boolean => !r.entries.some((e) => session.lateIds.has(e.id));
    const toDelete: string[] = [];
    for (const r of plan.remove) {
      if (deletable(r)) {
        toDelete.push(r.packId);
        report.packsDeleted++;
      } else report.packsDeferred++;
    }
    for (const r of repacked) {
      if (deletable(r)) {
        toDelete.push(r.packId);
        report.packsRepacked++;
      } else report.packsDeferred++;
    }
    const active = ctx.guard.activePacks();
    for (const id of orphans) {
      if (active.has(id)) continue;
      toDelete.push(id);
      report.orphanPacksDeleted++;
    }
    await mapLimit(toDelete, storage.properties.maxConcurrency, (id) => storage.delete(packName(id)));
    report.bytesFreed = toDelete.reduce((n, id) => n + sizeOf(id), 0) - written.reduce((n, r) => n + r.size, 0);

    report.chunkListsDeleted = await removeOrphanChunkLists(ctx, marked, cutoff);
    return report;
  } finally {
    ctx.guard.endGc(session);
  }
}

/**
 * Reads the trailers of unlisted packs; those holding a chunk `wanted` by a recovery point become
 * index records again. A pack whose trailer does not read is kept for repair, never deleted.
 */
async function adoptOrphans(
  ctx: RepoContext,
  orphans: readonly string[],
  stored: ReadonlyMap<string, ObjectInfo>,
  wanted: (id: string) => boolean,
): Promise<{ records: PackRecord[]; kept: Set<string>; unreadable: string[] }> {
  const records: PackRecord[] = [];
  const kept = new Set<string>();
  const unreadable: string[] = [];
  await mapLimit(orphans, ctx.storage.properties.maxConcurrency, async (packId) => {
    const size = stored.get(packId)!.size;
    let entries;
    try {
      entries = await readTrailer(ctx.storage, ctx.keys.dataKey, packId, size);
    } catch {
      unreadable.push(packId);
      kept.add(packId);
      return;
    }
    if (!entries.some((e) => wanted(e.id) && !ctx.quarantine.isLostIn(e.id, packId))) return;
    records.push({ packId, size, entries });
    kept.add(packId);
  });
  return { records, kept, unreadable };
}

/** Copies the live blobs of `items` into new packs; a pack whose live blobs fail is left out. */
async function repack(
  ctx: RepoContext,
  items: readonly RepackItem[],
): Promise<{ written: PackRecord[]; repacked: PackRecord[]; damaged: string[] }> {
  const repacked: PackRecord[] = [];
  const damaged: string[] = [];
  const writer = new PackWriter(ctx);
  for (const item of items) {
    const data = await ctx.storage.get(packName(item.record.packId));
    const blobs = blobsOf(item.live);
    if (blobs.some((b) => !openPackBlob(ctx.keys.dataKey, data, b))) {
      damaged.push(item.record.packId);
      continue;
    }
    for (const b of blobs) await writer.add(b.entries, data.subarray(b.offset, b.offset + b.length));
    repacked.push(item.record);
  }
  const written = await writer.finish();
  return { written, repacked, damaged };
}

/** Deletes chunk-list parts of manifests that were never written (failed backups). */
async function removeOrphanChunkLists(ctx: RepoContext, manifests: ReadonlySet<string>, cutoff: number): Promise<number> {
  const active = ctx.guard.activeManifests();
  const orphans = (await listAll(ctx.storage, CHUNKLIST_PREFIX)).filter((info) => {
    const owner = chunkListOwner(info.name);
    return owner !== null && !manifests.has(owner) && !active.has(owner) && info.modified.getTime() <= cutoff;
  });
  // A manifest written since the mark phase owns its parts: look once more before deleting.
  const now = new Set(await listManifestIds(ctx.storage));
  const doomed = orphans.filter((info) => !now.has(chunkListOwner(info.name)!));
  await mapLimit(doomed, ctx.storage.properties.maxConcurrency, (info) => ctx.storage.delete(info.name));
  return doomed.length;
}
