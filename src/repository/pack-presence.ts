// Whether the packs the index names are still in storage, whole: one listing compared with the
// index's pack sizes. A backup does this before it starts deduplicating and again, for the packs
// it reused, before it writes its manifest, so it never completes on a chunk whose pack has
// vanished or been truncated (byte-level damage inside a pack is verify's to find: reading every
// reused chunk back would cost a backup as much as a restore; docs/repository-format.md).
import type { RepoContext } from './context.ts';
import { isNotFound } from '../storage/storage.ts';
import type { DamageFinding } from './isolate.ts';
import type { ObjectInfo } from '../storage/storage.ts';
import { packName } from './layout.ts';
import { listStoredPacks } from './leftovers.ts';

/**
 * Packs the index lists (or only those in `only`; from the listing `listed` when given) that storage no longer holds at the size the
 * index records, each confirmed by a second look, as findings whose lost chunks are every chunk
 * the index locates there.
 */
export async function findVanishedPacks(ctx: RepoContext, only?: ReadonlySet<string>, listed?: ReadonlyMap<string, ObjectInfo>): Promise<DamageFinding[]> {
  const stored = new Map<string, number>();
  for (const [id, info] of listed ?? (await listStoredPacks(ctx))) stored.set(id, info.size);
  // The index is read after the listing: a pack gc deletes in between has left the index first.
  const suspects: { packId: string; problem: string }[] = [];
  for (const [packId, size] of ctx.index.packs()) {
    if ((only && !only.has(packId)) || ctx.quarantine.get(packId)?.packGone) continue;
    const have = stored.get(packId);
    if (have === size) continue;
    // A pack written (by gc's repack) after the listing shows up on a second look.
    let now: number | null = null;
    try {
      now = (await ctx.storage.stat(packName(packId))).size;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    if (now === size || ctx.index.packSize(packId) === undefined) continue;
    suspects.push({ packId, problem: now === null ? 'the index lists it but storage does not hold it' : `it is ${now} bytes, the index says ${size} (truncated or overwritten)` });
  }
  if (suspects.length === 0) return [];
  const lost = new Map<string, string[]>(suspects.map((s) => [s.packId, []]));
  for (const [id, loc] of ctx.index.locations()) lost.get(loc.packId)?.push(id);
  return suspects.map((s) => ({ packId: s.packId, problem: s.problem, lost: lost.get(s.packId)!, packGone: true }));
}
