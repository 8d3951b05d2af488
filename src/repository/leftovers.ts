// Resuming a backup: packs that an earlier backup stored before it failed (the storage went away
// midway) or was killed are in storage, but no index file lists them. A backup that starts indexes
// them first (an index file of its own, then the in-memory index), so it reuses their chunks
// instead of sending them again; what it does not reuse, gc collects as any unreferenced pack.
// Only packs no one else may still be writing are taken: not those of a backup running in this
// process (guard.ts), and none newer than the oldest lock another owner holds (a backup running
// in another process, whose failure would delete its unlisted packs). Nothing while a gc runs
// here: its repacked packs are unlisted until it writes its index.
import type { ObjectInfo } from '../storage/storage.ts';
import { writeIndexFile, withoutLost } from './chunk-index.ts';
import type { RepoContext } from './context.ts';
import type { Lease } from './guard.ts';
import { listAll, mapLimit } from './io.ts';
import { PACK_PREFIX, packIdOf } from './layout.ts';
import { readTrailer } from './pack.ts';
import type { PackRecord } from './pack.ts';

/** Every stored pack by id. */
export async function listStoredPacks(ctx: RepoContext): Promise<Map<string, ObjectInfo>> {
  const stored = new Map<string, ObjectInfo>();
  for (const info of await listAll(ctx.storage, PACK_PREFIX)) {
    const id = packIdOf(info.name);
    if (id) stored.set(id, info);
  }
  return stored;
}

/** The unlisted packs of `stored` a backup may take over, given the others' oldest lock time (pure). */
export function leftoverPacks(stored: ReadonlyMap<string, ObjectInfo>, known: (packId: string) => boolean, active: ReadonlySet<string>, othersSince: number): string[] {
  return [...stored].filter(([id, info]) => !known(id) && !active.has(id) && info.modified.getTime() < othersSince).map(([id]) => id);
}

/** Indexes the leftover packs of failed backups; returns the records taken over. */
export async function adoptLeftovers(ctx: RepoContext, stored: ReadonlyMap<string, ObjectInfo>, lease: Lease): Promise<PackRecord[]> {
  if (ctx.guard.gcRunning) return [];
  const others = await ctx.locks.others();
  const othersSince = Math.min(Infinity, ...others.map((r) => Date.parse(r.time)));
  const ids = leftoverPacks(stored, (id) => ctx.index.packSize(id) !== undefined || ctx.quarantine.get(id) !== undefined, ctx.guard.activePacks(), othersSince);
  if (ids.length === 0) return [];
  const found = await mapLimit(ids, ctx.storage.properties.maxConcurrency, async (packId) => {
    const size = stored.get(packId)!.size;
    try {
      return { packId, size, entries: await readTrailer(ctx.storage, ctx.keys.dataKey, packId, size) };
    } catch {
      return null; // unreadable: left to gc and repair
    }
  });
  const records = found.filter((r): r is PackRecord => r !== null);
  if (records.length === 0) return [];
  for (const r of records) lease.addPack(r.packId); // not gc's to take while this backup runs
  await writeIndexFile(ctx.storage, ctx.keys.dataKey, records);
  for (const r of records) ctx.index.add(withoutLost(r, ctx.quarantine));
  return records;
}
