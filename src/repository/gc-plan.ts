// The decision half of garbage collection, with no I/O: given what the index files say, what
// storage holds, which chunks are live and which packs are young or in use, decide which packs
// to keep, delete or repack. A chunk with copies in several packs needs only one: the first copy
// in a stored pack (index file order) is the one kept live. A blob is the unit that stays or
// goes: a frame with one live chunk is kept whole, its other chunks with it.
//
// The planner sees the index files' records twice, one at a time, in the same order (so memory
// holds no record it is not deciding about): the first pass notes, for every chunk, the first
// stored pack holding it (a fingerprint table: id-fingerprints.ts); the second decides each pack.
// It keeps the records of the packs to delete or repack, and only the ids of the packs kept.
import type { ObjectInfo } from '../storage/storage.ts';
import { IdFingerprints } from './id-fingerprints.ts';
import { blobsOf } from './pack.ts';
import type { PackEntry, PackRecord } from './pack.ts';

export interface GcPlanOptions {
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

export interface GcPlanInput extends GcPlanOptions {
  /** Pack records from every index file, in file order (a pack may appear more than once). */
  records: readonly PackRecord[];
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
  /** Indexed packs that stay as they are, by id. */
  keep: string[];
  /** Stored packs no index file lists, old enough to be garbage from failed backups. */
  orphans: string[];
  /** Packs kept only because they are young or in use by a running backup. */
  keptYoung: number;
  /** Packs the index lists that storage does not hold. */
  missing: string[];
  /** Dead chunk ids whose copies are about to go: writers must not deduplicate against them. */
  doomed: Set<string>;
  /** The table of first copies: a chunk some stored, indexed pack holds is located in it (isLocated). */
  located: IdFingerprints;
  /** How many index files the kept packs' records fill (IndexFilePacking), kept in file order. */
  keptIndexFiles: number;
}

/** The decision, fed the index files' records twice: `scan` each, then `decide` each, then `finish`. */
export class GcPlanner {
  readonly #opts: GcPlanOptions;
  /** For every chunk in a stored pack, the number of the first such pack (scan order). */
  readonly #firstCopy: IdFingerprints;
  /** Every pack the records list, numbered in order of first appearance. */
  readonly #packNums = new Map<string, number>();
  readonly #decided = new Set<string>();
  readonly #keptFiles: { add(entries: number): void; readonly files: number };
  readonly #plan: GcPlan;

  /**
   * `firstCopies`: the table where each chunk's first stored pack is noted (as its value); gc
   * passes its live set's table, so that one table holds both (id-fingerprints.ts).
   */
  constructor(opts: GcPlanOptions, keptFiles: { add(entries: number): void; readonly files: number } = { add: () => undefined, files: 0 }, firstCopies = new IdFingerprints()) {
    this.#opts = opts;
    this.#firstCopy = firstCopies;
    this.#keptFiles = keptFiles;
    this.#plan = { remove: [], repack: [], keep: [], orphans: [], keptYoung: 0, missing: [], doomed: new Set(), located: this.#firstCopy, keptIndexFiles: 0 };
  }

  /** First pass: where each chunk's kept copy is. */
  scan(r: PackRecord): void {
    if (this.#packNums.has(r.packId)) return;
    const num = this.#packNums.size;
    this.#packNums.set(r.packId, num);
    if (!this.#opts.stored.has(r.packId)) return;
    for (const e of r.entries) this.#firstCopy.addIfAbsent(e.id, num);
  }

  /** Second pass, the same records in the same order: the pack's fate. */
  decide(r: PackRecord): void {
    if (this.#decided.has(r.packId)) return;
    const num = this.#packNums.get(r.packId);
    if (num === undefined) throw new Error(`Pack '${r.packId}' was not scanned before gc decided about it.`);
    this.#decided.add(r.packId);
    const { stored, isLive, cutoff, activePacks, repackDeadRatio } = this.#opts;
    const plan = this.#plan;
    const info = stored.get(r.packId);
    if (!info) {
      plan.missing.push(r.packId);
      return;
    }
    const keep = (): void => {
      plan.keep.push(r.packId);
      this.#keptFiles.add(r.entries.length);
    };
    if (info.modified.getTime() > cutoff || activePacks.has(r.packId)) {
      keep();
      plan.keptYoung++;
      return;
    }
    const live: PackEntry[] = [];
    const dead: PackEntry[] = [];
    let deadBytes = 0;
    let allBytes = 0;
    for (const blob of blobsOf(r.entries)) {
      allBytes += blob.length;
      if (blob.entries.some((e) => this.#firstCopy.get(e.id) === num && isLive(e.id))) live.push(...blob.entries);
      else {
        dead.push(...blob.entries);
        deadBytes += blob.length;
      }
    }
    const doom = (): void => {
      for (const e of dead) if (!isLive(e.id)) plan.doomed.add(e.id);
    };
    if (live.length === 0) {
      plan.remove.push(r);
      doom();
    } else if (repackDeadRatio !== null && deadBytes > 0 && deadBytes >= repackDeadRatio * allBytes) {
      plan.repack.push({ record: r, live });
      doom();
    } else keep();
  }

  /** After both passes: the plan, with the stored packs no record listed. */
  finish(): GcPlan {
    const plan = this.#plan;
    const { stored, cutoff, activePacks } = this.#opts;
    for (const [packId, info] of stored) {
      if (this.#packNums.has(packId)) continue;
      if (info.modified.getTime() > cutoff || activePacks.has(packId)) plan.keptYoung++;
      else plan.orphans.push(packId);
    }
    plan.keptIndexFiles = this.#keptFiles.files;
    return plan;
  }
}

/** The plan for records all in memory (both passes over `input.records`). */
export function planGc(input: GcPlanInput): GcPlan {
  const planner = new GcPlanner(input);
  for (const r of input.records) planner.scan(r);
  for (const r of input.records) planner.decide(r);
  return planner.finish();
}
