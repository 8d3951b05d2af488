// Garbage collection, mark and sweep. Mark: every chunk named by a manifest (re-listing until no
// new manifest appears), by a running backup or restore in this process, or by the caller's
// `protect` list is live. Sweep (see gc-plan.ts): packs with no live chunk are deleted; packs
// mostly dead are repacked (live blobs copied, still sealed, into new packs after checking their
// tags); packs younger than the grace period, or uploaded by a running backup, are left alone.
// Order of effects, so a crash at any point leaves a readable repository: new packs, then one
// consolidated index file, then deletion of the old index files, then deletion of packs.
import type { ObjectInfo } from '../storage/storage.ts';
import { readIndexFiles, withoutLost, writeIndexFile } from './chunk-index.ts';
import type { RepoContext } from './context.ts';
import { planGc } from './gc-plan.ts';
import type { RepackItem } from './gc-plan.ts';
import { listAll, mapLimit } from './io.ts';
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
 * Every chunk id a manifest names (`live`) and the manifests read (`marked`), listing again until
 * a listing shows no manifest that was not marked yet.
 */
export async function markManifests(ctx: RepoContext): Promise<{ live: Set<string>; marked: Set<string> }> {
  const { storage } = ctx;
  const live = new Set<string>();
  const marked = new Set<string>();
  for (;;) {
    const fresh = (await listManifestIds(storage)).filter((id) => !marked.has(id));
    if (fresh.length === 0) break;
    await collectChunkIds(storage, ctx.keys.dataKey, await readAllManifests(storage, ctx.keys.dataKey, fresh), live);
    for (const id of fresh) marked.add(id);
  }
  return { live, marked };
}

export async function runGc(ctx: RepoContext, opts: GcOptions = {}): Promise<GcReport> {
  const { storage } = ctx;
  const cutoff = ctx.clock.now().getTime() - (opts.graceMs ?? DEFAULT_GRACE_MS);
  const session = await ctx.guard.startGc({ wait: opts.wait === true });
  try {
    for (const id of opts.protect ?? []) session.protectedIds.add(id);
    const read = await readIndexFiles(storage, ctx.keys.dataKey);
    const indexIds = read.indexIds;
    // Copies known lost do not count as copies: a good copy elsewhere is the one kept.
    const records = read.records.map((r) => withoutLost(r, ctx.quarantine));
    const stored = new Map<string, ObjectInfo>();
    for (const info of await listAll(storage, PACK_PREFIX)) {
      const id = packIdOf(info.name);
      if (id) stored.set(id, info);
    }

    const { live, marked } = await markManifests(ctx);

    // Decide, synchronously, so no writer deduplicates between the decision and the dooming.
    const isLive = (id: string): boolean => live.has(id) || session.protectedIds.has(id);
    const plan = planGc({
      records,
      stored,
      isLive,
      activePacks: ctx.guard.activePacks(),
      cutoff,
      repackDeadRatio: opts.repackDeadRatio === undefined ? DEFAULT_REPACK_DEAD_RATIO : opts.repackDeadRatio,
    });
    session.decide(plan.doomed);
    // Quarantined packs stay for repair to salvage what is readable in them.
    const held = (r: PackRecord): boolean => ctx.quarantine.get(r.packId) !== undefined;
    plan.keep.push(...plan.remove.filter(held), ...plan.repack.filter((i) => held(i.record)).map((i) => i.record));
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
      liveChunksMissing: [...live].filter((id) => !plan.located.has(id)).length,
      damagedPacks: [],
      orphanPacksAdopted: 0,
    };

    // Old packs no index lists: garbage of failed backups, unless they hold a live chunk no
    // indexed pack holds (their index file was lost or damaged): those are indexed again.
    const adopted = await adoptOrphans(ctx, plan.orphans, stored, (id) => isLive(id) && !plan.located.has(id));
    const orphans = plan.orphans.filter((id) => !adopted.kept.has(id));
    report.orphanPacksAdopted = adopted.records.length;
    report.damagedPacks.push(...adopted.unreadable.map(packName));

    const { written, repacked, damaged } = await repack(ctx, plan.repack);
    report.packsWritten = written.length;
    report.bytesWritten = written.reduce((n, r) => n + r.size, 0);
    report.damagedPacks.push(...damaged.map(packName));
    const kept = [...plan.keep, ...plan.repack.filter((r) => damaged.includes(r.record.packId)).map((r) => r.record), ...adopted.records];
    const changed = plan.remove.length + repacked.length + plan.missing.length + adopted.records.length > 0 || indexIds.length > 1;
    let newIndexId: string | null = null;
    if (changed) newIndexId = await writeIndexFile(storage, ctx.keys.dataKey, [...kept, ...written]);

    // The in-memory index follows the new index file before anything is deleted.
    const dropped = [...plan.remove, ...repacked, ...records.filter((r) => plan.missing.includes(r.packId))];
    for (const r of dropped) ctx.index.removePack(r.packId, r.entries);
    for (const r of written) ctx.index.add(r, true);
    for (const r of kept) ctx.index.add(withoutLost(r, ctx.quarantine));

    if (newIndexId !== null) {
      const old = indexIds.filter((id) => id !== newIndexId);
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
