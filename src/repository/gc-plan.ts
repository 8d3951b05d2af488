// The decision half of garbage collection, with no I/O: given what the index files say, what
// storage holds, which chunks are live and which packs are young or in use, decide which packs
// to keep, delete or repack. A chunk with copies in several packs needs only one: the first copy
// in a stored pack (index file order) is the one kept live. A blob is the unit that stays or
// goes: a frame with one live chunk is kept whole, its other chunks with it.
import type { ObjectInfo } from '../storage/storage.ts';
import { blobsOf } from './pack.ts';
import type { PackEntry, PackRecord } from './pack.ts';

export interface GcPlanInput {
  /** Pack records from every index file, in file order (a pack may appear more than once). */
  records: readonly PackRecord[];
  /** Packs present in storage, by pack id. */
  stored: ReadonlyMap<string, ObjectInfo>;
  isLive: (chunkId: string) => boolean;
  /** Packs running writers uploaded: never touched. */
  activePacks: ReadonlySet<string>;
  /** Packs written after this instant (ms since epoch) are never touched. */
  cutoff: number;
  /** Repack a pack once this fraction of its blob bytes is dead; null never repacks. */
  repackDeadRatio: number | null;
}

export interface RepackItem {
  record: PackRecord;
  /** The entries of the blobs to copy into new packs: every blob holding a live chunk, whole. */
  live: PackEntry[];
}

export interface GcPlan {
  /** Indexed packs with no live chunk. */
  remove: PackRecord[];
  repack: RepackItem[];
  /** Indexed packs that stay as they are. */
  keep: PackRecord[];
  /** Stored packs no index file lists, old enough to be garbage from failed backups. */
  orphans: string[];
  /** Packs kept only because they are young or in use by a running backup. */
  keptYoung: number;
  /** Packs the index lists that storage does not hold. */
  missing: string[];
  /** Dead chunk ids whose copies are about to go: writers must not deduplicate against them. */
  doomed: Set<string>;
  /** The pack holding the kept copy of each chunk that a stored pack holds. */
  located: ReadonlyMap<string, string>;
}

export function planGc(input: GcPlanInput): GcPlan {
  const byPack = new Map<string, PackRecord>();
  for (const r of input.records) if (!byPack.has(r.packId)) byPack.set(r.packId, r);

  const chosen = new Map<string, string>();
  for (const r of byPack.values()) {
    if (!input.stored.has(r.packId)) continue;
    for (const e of r.entries) if (!chosen.has(e.id)) chosen.set(e.id, r.packId);
  }

  const plan: GcPlan = { remove: [], repack: [], keep: [], orphans: [], keptYoung: 0, missing: [], doomed: new Set(), located: chosen };
  const young = (packId: string, info: ObjectInfo): boolean => info.modified.getTime() > input.cutoff || input.activePacks.has(packId);

  for (const r of byPack.values()) {
    const info = input.stored.get(r.packId);
    if (!info) {
      plan.missing.push(r.packId);
      continue;
    }
    if (young(r.packId, info)) {
      plan.keep.push(r);
      plan.keptYoung++;
      continue;
    }
    const live: PackEntry[] = [];
    const dead: PackEntry[] = [];
    let deadBytes = 0;
    let allBytes = 0;
    for (const blob of blobsOf(r.entries)) {
      allBytes += blob.length;
      if (blob.entries.some((e) => chosen.get(e.id) === r.packId && input.isLive(e.id))) live.push(...blob.entries);
      else {
        dead.push(...blob.entries);
        deadBytes += blob.length;
      }
    }
    const doom = (): void => {
      for (const e of dead) if (!input.isLive(e.id)) plan.doomed.add(e.id);
    };
    if (live.length === 0) {
      plan.remove.push(r);
      doom();
    } else if (input.repackDeadRatio !== null && deadBytes > 0 && deadBytes >= input.repackDeadRatio * allBytes) {
      plan.repack.push({ record: r, live });
      doom();
    } else {
      plan.keep.push(r);
    }
  }

  for (const [packId, info] of input.stored) {
    if (byPack.has(packId)) continue;
    if (young(packId, info)) plan.keptYoung++;
    else plan.orphans.push(packId);
  }
  return plan;
}
