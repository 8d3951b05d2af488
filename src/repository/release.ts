// Giving back at once the space of a backup that failed, instead of waiting for gc's grace period.
// Packs the backup stored but no index file lists were never visible to any other writer: they
// are deleted outright, with the chunk-list parts of the manifest that was never written. Packs
// already listed in index files (written every 16 packs) may hold chunks other backups have
// deduplicated against since: for those, a gc session restricted to this backup's packs marks
// every chunk that a manifest or a running backup or restore references, and only packs with no
// such chunk go, in gc's order: doom their chunks, write an index file without them, drop them
// from the in-memory index, delete the index files that listed them, then delete the packs.
import { isNotFound } from '../storage/storage.ts';
import { forEachIndexFile, writeIndexFile } from './chunk-index.ts';
import type { RepoContext } from './context.ts';
import { markManifests } from './gc.ts';
import type { GcSession } from './guard.ts';
import { listAll, mapLimit } from './io.ts';
import { CHUNKLIST_PREFIX, indexName, manifestName, packName } from './layout.ts';
import type { PackRecord } from './pack.ts';

export interface FailedBackup {
  /** The manifest the backup would have written. */
  manifestId: string;
  /** Every pack it stored (or tried to), with its size. */
  packs: ReadonlyMap<string, number>;
  /** Those it handed to an index file (written or not): someone may have deduplicated against them. */
  maybeIndexed: ReadonlySet<string>;
}

export interface ReleaseReport {
  packsDeleted: number;
  bytesFreed: number;
  /** Indexed packs that stay: a chunk of theirs is used by a recovery point or a running backup. */
  packsKept: number;
  indexFilesReplaced: number;
}

export async function releaseFailedBackup(ctx: RepoContext, backup: FailedBackup): Promise<ReleaseReport> {
  const { storage } = ctx;
  const report: ReleaseReport = { packsDeleted: 0, bytesFreed: 0, packsKept: 0, indexFilesReplaced: 0 };
  // A manifest that exists after all (its put failed only after the object was in place) owns it all.
  if (await exists(ctx, manifestName(backup.manifestId))) return report;
  const never = [...backup.packs.keys()].filter((id) => !backup.maybeIndexed.has(id));
  await deletePacks(ctx, never, backup.packs, report);
  const parts = await listAll(storage, `${CHUNKLIST_PREFIX}${backup.manifestId}/`);
  await mapLimit(parts, storage.properties.maxConcurrency, (p) => storage.delete(p.name));
  if (backup.maybeIndexed.size === 0) return report;
  // Another process's backup may have deduplicated against them, and its chunk ids are not known
  // here: while another process holds a lock on the repository, they are left to gc.
  if ((await ctx.locks.others()).length > 0) return report;
  const session = await ctx.guard.startGc({ wait: true });
  try {
    await releaseIndexed(ctx, session, backup, report);
  } finally {
    ctx.guard.endGc(session);
  }
  return report;
}

async function releaseIndexed(ctx: RepoContext, session: GcSession, backup: FailedBackup, report: ReleaseReport): Promise<void> {
  const { storage, keys } = ctx;
  const files = await readIndexFilesApart(ctx);
  const { live } = await markManifests(ctx);
  const isLive = (id: string): boolean => live.has(id) || session.protectedIds.has(id);

  const listed = new Map<string, PackRecord>();
  for (const f of files) for (const r of f.records) if (backup.maybeIndexed.has(r.packId) && !listed.has(r.packId)) listed.set(r.packId, r);
  const remove = [...listed.values()].filter((r) => !r.entries.some((e) => isLive(e.id)));
  report.packsKept = listed.size - remove.length;
  const doomed = new Set<string>();
  for (const r of remove) for (const e of r.entries) doomed.add(e.id);
  session.decide(doomed);

  // Handed to an index file whose write failed: listed nowhere, never in the in-memory index.
  const unlisted = [...backup.maybeIndexed].filter((id) => !listed.has(id) && ctx.index.packSize(id) === undefined);
  await deletePacks(ctx, unlisted, backup.packs, report);
  if (remove.length === 0) return;

  const removed = new Set(remove.map((r) => r.packId));
  const affected = files.filter((f) => f.records.some((r) => removed.has(r.packId)));
  const rest = affected.flatMap((f) => f.records.filter((r) => !removed.has(r.packId)));
  const newIndexId = rest.length > 0 ? await writeIndexFile(storage, keys.dataKey, rest) : null;

  for (const r of remove) ctx.index.removePack(r.packId, r.entries);
  // A chunk also stored by another backup is found in that backup's pack again.
  for (const f of files) for (const r of f.records) if (!removed.has(r.packId) && r.entries.some((e) => doomed.has(e.id))) ctx.index.add(r);

  const old = affected.map((f) => f.indexId).filter((id) => id !== newIndexId);
  await mapLimit(old, storage.properties.maxConcurrency, (id) => storage.delete(indexName(id)));
  report.indexFilesReplaced = old.length;
  // A pack holding a chunk someone began to use after the decision stays, unindexed, for gc.
  const deletable = remove.filter((r) => !r.entries.some((e) => session.lateIds.has(e.id))).map((r) => r.packId);
  await deletePacks(ctx, deletable, backup.packs, report);
}

async function deletePacks(ctx: RepoContext, ids: readonly string[], sizes: ReadonlyMap<string, number>, report: ReleaseReport): Promise<void> {
  const { storage } = ctx;
  await mapLimit(ids, storage.properties.maxConcurrency, async (id) => {
    if (!(await exists(ctx, packName(id)))) return;
    await storage.delete(packName(id));
    report.packsDeleted++;
    report.bytesFreed += sizes.get(id) ?? 0;
  });
}

async function exists(ctx: RepoContext, name: string): Promise<boolean> {
  try {
    await ctx.storage.stat(name);
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

/** Every index file with the records it lists, file by file (damaged ones left out). */
async function readIndexFilesApart(ctx: RepoContext): Promise<{ indexId: string; records: PackRecord[] }[]> {
  const files: { indexId: string; records: PackRecord[] }[] = [];
  await forEachIndexFile(ctx.storage, ctx.keys.dataKey, (records, indexId) => void files.push({ indexId, records: [...records] }));
  return files;
}
