// The locality repack: the newest recovery point of each stream (backup instance) is measured
// (locality-plan.ts) and, where its reads are scattered, the blobs of its most scattered windows
// are copied, still sealed and checked first, into new packs in the order the stream reads them.
// The new packs win for those chunks (the consolidated index file lists them first, and the
// in-memory index relocates them); the old copies become dead and go at gc, with the packs they
// leave mostly dead. Nothing is deleted here but the index files the consolidated one replaces, so
// the order of effects is gc's: new packs, then one index file listing every pack the files read
// listed (and the new ones, first), then deletion of those files. A crash at any step leaves a
// readable repository: unindexed new packs (gc deletes them after the grace period) or the old
// and new index files side by side (duplicate copies, both good). It runs as a gc session, so it
// never overlaps gc or a failed backup's release, and backups and restores beside it are safe: no
// pack any of them may read goes away.
import type { Storage } from '../storage/storage.ts';
import { readIndexFiles, withoutLost, writeIndexFile } from './chunk-index.ts';
import type { RepoContext } from './context.ts';
import { listAll, mapLimit, readRange } from './io.ts';
import { indexName, PACK_PREFIX, packName } from './layout.ts';
import { measureLocality, planLocality } from './locality-plan.ts';
import type { BlobRef, LocalityMeasure, StreamItem } from './locality-plan.ts';
import { readAllManifests, readChunkList } from './manifest.ts';
import type { Manifest } from './manifest.ts';
import { blobAad, blobsOf, openBlob, PACK_TAIL_BYTES } from './pack.ts';
import { PackWriter } from './pack-writer.ts';
import type { PackEntry, PackRecord } from './pack.ts';

/** Share of the stored bytes a run may write by default, and the ceiling (docs/repository-format.md). */
export const DEFAULT_BUDGET_SHARE = 0.1;
export const DEFAULT_BUDGET_MAX = 1024 ** 3;
const MIN_WINDOW_BYTES = 64 * 1024;
/** What a pack adds to its blobs: a sealed trailer (nonce, tag, an entry per chunk) and its tail. */
const TRAILER_ENTRY_BYTES = 44;
const SEAL_OVERHEAD = 28;
/** A window is scattered when it reads less than this per run, on average. */
export const DEFAULT_MIN_RUN_BYTES = 256 * 1024;

export interface LocalityOptions {
  /** Bytes of new packs a run may write at most; default min(10% of the stored packs, 1 GiB). */
  maxBytes?: number;
  minRunBytes?: number;
  /** Wait for a gc already running on this repository instead of failing with RepositoryGcRunning. */
  wait?: boolean;
}

export interface StreamLocality {
  manifestId: string;
  recoveryPointId: string | null;
  before: LocalityMeasure;
  after: LocalityMeasure;
}

export interface LocalityReport {
  budget: number;
  bytesWritten: number;
  packsWritten: number;
  blobsCopied: number;
  indexFilesReplaced: number;
  streams: StreamLocality[];
  /** Packs whose blobs failed their checks on the way (not copied; verify names the damage). */
  damagedPacks: string[];
}

/** min(10% of the bytes of stored packs, 1 GiB). */
export async function defaultBudget(storage: Storage): Promise<number> {
  const stored = (await listAll(storage, PACK_PREFIX)).reduce((n, p) => n + p.size, 0);
  return Math.min(Math.floor(stored * DEFAULT_BUDGET_SHARE), DEFAULT_BUDGET_MAX);
}

/** Which stream a recovery point belongs to: its backup instance, as the job layer records it. */
export function streamOf(m: Manifest): string {
  const instance = m.metadata['instance'] as { id?: unknown } | string | undefined;
  if (typeof instance === 'string') return instance;
  return typeof instance?.id === 'string' ? instance.id.toLowerCase() : '';
}

/** The newest manifest of each stream (manifests come oldest first). */
export function newestPerStream(manifests: readonly Manifest[]): Manifest[] {
  const newest = new Map<string, Manifest>();
  for (const m of manifests) newest.set(streamOf(m), m);
  return [...newest.values()];
}

/** The stream's chunks where the index locates them; null when one is located nowhere (left to verify). */
async function streamItems(ctx: RepoContext, m: Manifest): Promise<StreamItem[] | null> {
  const items: StreamItem[] = [];
  for await (const id of readChunkList(ctx.storage, ctx.keys.dataKey, m)) {
    const loc = ctx.index.get(id);
    if (!loc) return null;
    items.push(loc);
  }
  return items;
}

export async function runLocalityRepack(ctx: RepoContext, opts: LocalityOptions = {}): Promise<LocalityReport> {
  const { storage, keys } = ctx;
  const session = await ctx.guard.startGc({ wait: opts.wait === true });
  try {
    const read = await readIndexFiles(storage, keys.dataKey);
    const records = read.records.map((r) => withoutLost(r, ctx.quarantine));
    const blobs = new Map<string, Map<number, PackEntry[]>>();
    for (const r of records) {
      if (blobs.has(r.packId)) continue;
      blobs.set(r.packId, new Map(blobsOf(r.entries).map((b) => [b.offset, b.entries])));
    }
    const budget = opts.maxBytes ?? (await defaultBudget(storage));
    const report: LocalityReport = { budget, bytesWritten: 0, packsWritten: 0, blobsCopied: 0, indexFilesReplaced: 0, streams: [], damagedPacks: [] };
    // Quarantined packs stay for repair; packs listed by no file read here are a backup's, written since.
    const eligible = (packId: string): boolean => blobs.has(packId) && ctx.quarantine.get(packId) === undefined;

    const targets: { manifest: Manifest; before: LocalityMeasure }[] = [];
    const chosen: BlobRef[] = [];
    const taken = new Set<string>();
    for (const manifest of newestPerStream(await readAllManifests(storage, keys.dataKey))) {
      const items = await streamItems(ctx, manifest);
      if (!items) continue;
      targets.push({ manifest, before: measureLocality(items) });
      const plan = planLocality({
        items,
        eligible,
        budget: budget - chosen.reduce((n, b) => n + b.length, 0),
        // A pack's worth, or less when the budget would not hold a few windows.
        windowBytes: Math.max(MIN_WINDOW_BYTES, Math.min(ctx.config.packSize, Math.floor(budget / 4))),
        minRunBytes: opts.minRunBytes ?? DEFAULT_MIN_RUN_BYTES,
        taken,
      });
      for (const b of plan.blobs) {
        taken.add(`${b.packId}:${b.offset}`);
        chosen.push(b);
      }
    }

    const written = await copyBlobs(ctx, chosen, blobs, report);
    if (written.length > 0) {
      // The new packs first: where a chunk is listed twice, the first location is the one used.
      const newIndexId = await writeIndexFile(storage, keys.dataKey, [...written, ...records]);
      for (const r of written) ctx.index.add(r, true);
      const old = read.indexIds.filter((id) => id !== newIndexId);
      await mapLimit(old, storage.properties.maxConcurrency, (id) => storage.delete(indexName(id)));
      report.indexFilesReplaced = old.length;
    }
    for (const t of targets) {
      const items = await streamItems(ctx, t.manifest);
      report.streams.push({
        manifestId: t.manifest.id,
        recoveryPointId: t.manifest.recoveryPointId,
        before: t.before,
        after: items ? measureLocality(items) : t.before,
      });
    }
    return report;
  } finally {
    ctx.guard.endGc(session);
  }
}

/** Copies `chosen` blobs, in order, into new packs, each checked (tag, length, chunk ids) first. */
async function copyBlobs(
  ctx: RepoContext,
  chosen: readonly BlobRef[],
  blobs: ReadonlyMap<string, ReadonlyMap<number, PackEntry[]>>,
  report: LocalityReport,
): Promise<PackRecord[]> {
  const writer = new PackWriter(ctx);
  const damaged = new Set<string>();
  for (const b of chosen) {
    const entries = blobs.get(b.packId)?.get(b.offset);
    if (!entries || damaged.has(b.packId)) continue;
    // Trailers count too: the budget bounds every byte of the new packs.
    const trailer = (n: number): number => 4 + n * TRAILER_ENTRY_BYTES + SEAL_OVERHEAD + PACK_TAIL_BYTES;
    const { size, count } = writer.pending;
    if (writer.bytesWritten + size + b.length + trailer(count + entries.length) > report.budget) break;
    const data = await readRange(ctx.storage, packName(b.packId), b.offset, b.length).catch(() => null);
    const raw = entries.reduce((n, e) => n + e.rawLength, 0);
    if (!data || data.length !== b.length || !openBlob(ctx.keys.dataKey, data, blobAad(entries), raw)) {
      damaged.add(b.packId);
      continue;
    }
    await writer.add(entries, data);
    report.blobsCopied++;
  }
  const written = await writer.finish();
  report.packsWritten = written.length;
  report.bytesWritten = writer.bytesWritten;
  report.damagedPacks = [...damaged];
  return written;
}
