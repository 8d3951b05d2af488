// Whether each recovery point can be restored, without reading its data: its manifest and chunk
// list must read, and every chunk it needs must be located by the index (which leaves lost copies
// out, quarantine.ts). A chunk that no index file lists but an unlisted pack holds (its index file
// was lost) still restores: `indexUnlistedPacks` finds such packs by their trailers.
import type { RepoContext } from './context.ts';
import { listAll, mapLimit } from './io.ts';
import { PACK_PREFIX, packIdOf } from './layout.ts';
import { listManifestIds, readChunkList, readManifest } from './manifest.ts';
import type { Manifest } from './manifest.ts';
import { readTrailer } from './pack.ts';

export interface ManifestHealth {
  manifestId: string;
  /** Null when the manifest itself cannot be read. */
  recoveryPointId: string | null;
  restorable: boolean;
  /** Why not, naming the packs or objects; null when restorable. */
  problem: string | null;
  /** Chunks it needs that no readable copy holds. */
  missingChunks: number;
}

/**
 * Reads the trailers of stored packs the index does not list (skipping packs a running backup is
 * writing) and adds their chunks to the in-memory index where it has no copy. Returns the packs
 * that gave the index a chunk it lacked.
 */
export async function indexUnlistedPacks(ctx: RepoContext): Promise<string[]> {
  const known = ctx.index.packs();
  const active = ctx.guard.activePacks();
  const unlisted = (await listAll(ctx.storage, PACK_PREFIX))
    .map((info) => ({ id: packIdOf(info.name), size: info.size }))
    .filter((p): p is { id: string; size: number } => p.id !== null && !known.has(p.id) && !active.has(p.id));
  const useful: string[] = [];
  await mapLimit(unlisted, ctx.storage.properties.maxConcurrency, async (p) => {
    let entries;
    try {
      entries = await readTrailer(ctx.storage, ctx.keys.dataKey, p.id, p.size);
    } catch {
      return; // a damaged trailer: verify names it, repair salvages it
    }
    const fresh = entries.filter((e) => !ctx.index.has(e.id) && !ctx.quarantine.isLostIn(e.id, p.id));
    if (fresh.length === 0) return;
    ctx.index.add({ packId: p.id, size: p.size, entries: fresh });
    useful.push(p.id);
  });
  return useful;
}

/** The first problem that keeps `manifest` from restoring, or null; reads only its chunk list. */
export async function unrestorableReason(ctx: RepoContext, manifest: Manifest): Promise<{ problem: string; missing: number } | null> {
  const missing: string[] = [];
  for await (const id of readChunkList(ctx.storage, ctx.keys.dataKey, manifest)) if (!ctx.index.has(id)) missing.push(id);
  if (missing.length === 0) return null;
  const where = new Map<string, number>();
  for (const id of missing) {
    const place = ctx.quarantine.describe(id) ?? 'no pack the index knows';
    where.set(place, (where.get(place) ?? 0) + 1);
  }
  const places = [...where].map(([place, n]) => `${n} in ${place}`).join('; ');
  return { problem: `it needs ${missing.length} chunk(s) that no readable copy holds: ${places}`, missing: missing.length };
}

/**
 * Checks that the manifest's chunks can all be located, looking in unlisted packs once if not;
 * throws `corrupt`-kind errors from `fail` naming what is missing.
 */
export async function assertRestorable(ctx: RepoContext, manifest: Manifest, fail: (message: string) => Error): Promise<void> {
  let reason = await unrestorableReason(ctx, manifest);
  if (reason && (await indexUnlistedPacks(ctx)).length > 0) reason = await unrestorableReason(ctx, manifest);
  if (reason) throw fail(reason.problem);
}

/** The health of every recovery point in the repository (reads manifests and chunk lists only). */
export async function checkHealth(ctx: RepoContext): Promise<ManifestHealth[]> {
  const ids = await listManifestIds(ctx.storage);
  let lookedInUnlisted = false;
  return mapLimit(ids, 1, async (manifestId): Promise<ManifestHealth> => {
    let manifest: Manifest;
    try {
      manifest = await readManifest(ctx.storage, ctx.keys.dataKey, manifestId);
    } catch (e) {
      return { manifestId, recoveryPointId: null, restorable: false, problem: (e as Error).message, missingChunks: 0 };
    }
    try {
      let reason = await unrestorableReason(ctx, manifest);
      if (reason && !lookedInUnlisted) {
        lookedInUnlisted = true;
        if ((await indexUnlistedPacks(ctx)).length > 0) reason = await unrestorableReason(ctx, manifest);
      }
      return { manifestId, recoveryPointId: manifest.recoveryPointId, restorable: reason === null, problem: reason?.problem ?? null, missingChunks: reason?.missing ?? 0 };
    } catch (e) {
      return { manifestId, recoveryPointId: manifest.recoveryPointId, restorable: false, problem: (e as Error).message, missingChunks: 0 };
    }
  });
}
