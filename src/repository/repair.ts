// Repair: after verify has found and quarantined the damage (it runs first, reading everything),
// the index is rebuilt from the packs themselves (as restic's `repair index`) and what is readable
// in damaged packs is salvaged into new packs (as `repair packs`). Order of effects, so a crash at
// any point leaves a readable repository: salvaged packs, new index files, quarantine records of
// what could not be saved, deletion of the old index files, deletion of the damaged packs.
// Quarantine records whose lost chunks all have a good copy again are dropped last.
import type { ObjectInfo } from '../storage/storage.ts';
import { buildIndex, readIndexFiles, writeIndexFile } from './chunk-index.ts';
import type { RepoContext } from './context.ts';
import { chunkId } from './crypto.ts';
import { checkHealth } from './health.ts';
import type { ManifestHealth } from './health.ts';
import { listAll, mapLimit } from './io.ts';
import { INDEX_PREFIX, indexIdOf, indexName, PACK_PREFIX, packIdOf, packName, QUARANTINE_PREFIX, quarantinePackIdOf } from './layout.ts';
import { blobsOf, openPackBlob, PackBuilder, readTrailer } from './pack.ts';
import type { PackBlob, PackEntry, PackRecord } from './pack.ts';
import { Quarantine, readQuarantine, removeQuarantineRecord, writeQuarantineRecord } from './quarantine.ts';
import type { QuarantineRecord } from './quarantine.ts';
import { runVerify } from './verify.ts';
import type { VerifyReport } from './verify.ts';

/** Packs per rewritten index file. */
const PACKS_PER_FILE = 4096;

export interface RepairReport {
  /** What the verify pass before the repair found. */
  verify: VerifyReport;
  packs: number;
  indexFilesWritten: number;
  indexFilesRemoved: number;
  /** Damaged packs whose readable blobs were copied into new packs, then removed. */
  packsSalvaged: string[];
  chunksSaved: number;
  packsWritten: number;
  /** Chunks no readable copy holds after the repair. */
  chunksLost: number;
  /** Damaged packs nothing could be read from (no trailer, and no index record of them): left in place. */
  packsUnreadable: string[];
  quarantineRecordsDropped: number;
  /** Config copies written again from the good one. */
  configCopiesRewritten: string[];
  health: ManifestHealth[];
}

export async function runRepair(ctx: RepoContext): Promise<RepairReport> {
  const verify = await runVerify(ctx, { quarantine: true });
  const session = await ctx.guard.startGc();
  try {
    const { storage } = ctx;
    const stored = new Map<string, ObjectInfo>();
    for (const info of await listAll(storage, PACK_PREFIX)) {
      const id = packIdOf(info.name);
      if (id) stored.set(id, info);
    }
    const old = await readIndexFiles(storage, ctx.keys.dataKey);
    const indexed = new Map<string, PackEntry[]>();
    for (const r of old.records) if (!indexed.has(r.packId)) indexed.set(r.packId, r.entries);
    const quarantine = await readQuarantine(storage, ctx.keys.dataKey);
    const active = ctx.guard.activePacks();

    // Every stored pack's own trailer; a pack whose trailer fails is salvaged from its index record.
    const good: PackRecord[] = [];
    const damaged = new Map<string, { entries: PackEntry[]; size: number }>();
    const unreadable: string[] = [];
    await mapLimit([...stored.values()], storage.properties.maxConcurrency, async (info) => {
      const packId = packIdOf(info.name)!;
      if (active.has(packId)) return;
      let entries: PackEntry[];
      try {
        entries = await readTrailer(storage, ctx.keys.dataKey, packId, info.size);
      } catch {
        const known = indexed.get(packId);
        if (known) damaged.set(packId, { entries: known, size: info.size });
        else unreadable.push(packName(packId));
        return;
      }
      if (quarantine.get(packId)) damaged.set(packId, { entries, size: info.size });
      else good.push({ packId, size: info.size, entries });
    });
    good.sort((a, b) => (a.packId < b.packId ? -1 : 1));

    // Salvage: readable blobs of damaged packs, still sealed, into new packs.
    const goodIds = new Set<string>();
    for (const r of good) for (const e of r.entries) goodIds.add(e.id);
    const written: PackRecord[] = [];
    const lostIn = new Map<string, string[]>();
    let chunksSaved = 0;
    let builder = new PackBuilder();
    const flush = async (): Promise<void> => {
      if (builder.count === 0) return;
      const { record, data } = builder.finish(ctx.keys.dataKey);
      builder = new PackBuilder();
      await storage.put(packName(record.packId), data);
      written.push(record);
    };
    for (const [packId, { entries }] of damaged) {
      const data = await storage.get(packName(packId));
      const lost: string[] = [];
      for (const blob of blobsOf(entries)) {
        if (blob.entries.every((e) => goodIds.has(e.id))) continue;
        if (readable(ctx, data, blob)) {
          builder.addBlob(blob.entries, data.subarray(blob.offset, blob.offset + blob.length));
          for (const e of blob.entries) goodIds.add(e.id);
          chunksSaved += blob.entries.length;
          if (builder.size >= ctx.config.packSize) await flush();
        } else lost.push(...blob.entries.map((e) => e.id));
      }
      lostIn.set(packId, lost);
    }
    await flush();

    // The new index: every good pack's trailer and the salvaged packs.
    const records = [...good, ...written];
    const newIds = new Set<string>();
    for (let i = 0; i < records.length; i += PACKS_PER_FILE) newIds.add(await writeIndexFile(storage, ctx.keys.dataKey, records.slice(i, i + PACKS_PER_FILE)));

    // What stays lost is recorded before the damaged packs go.
    const at = ctx.clock.now().toISOString();
    const next: QuarantineRecord[] = [];
    for (const [packId, lost] of lostIn) {
      const prev = quarantine.get(packId);
      const still = lost.filter((id) => !goodIds.has(id));
      const problem = prev?.problem ?? 'its trailer does not read';
      const record: QuarantineRecord = { version: 1, packId, problem: `${problem}; repaired ${at}: removed after saving what was readable`, detectedAt: prev?.detectedAt ?? at, lost: still, packGone: true };
      if (still.length > 0) {
        await writeQuarantineRecord(storage, ctx.keys.dataKey, record);
        next.push(record);
      }
    }
    // Records of packs already gone (missing, or removed by an earlier repair).
    for (const r of quarantine.records()) {
      if (lostIn.has(r.packId) || stored.has(r.packId)) continue;
      const still = r.lost.filter((id) => !goodIds.has(id));
      if (still.length > 0) next.push({ ...r, lost: still });
    }

    const staleIndex = (await listAll(storage, INDEX_PREFIX)).map((o) => indexIdOf(o.name)).filter((id): id is string => id !== null && !newIds.has(id) && old.indexIds.includes(id));
    await mapLimit(staleIndex, storage.properties.maxConcurrency, (id) => storage.delete(indexName(id)));
    await mapLimit([...damaged.keys()], storage.properties.maxConcurrency, (id) => storage.delete(packName(id)));

    const keep = new Set(next.map((r) => r.packId));
    const dropped = (await listAll(storage, QUARANTINE_PREFIX)).map((o) => quarantinePackIdOf(o.name)).filter((id): id is string => id !== null && !keep.has(id));
    for (const r of next) if (!lostIn.has(r.packId)) await writeQuarantineRecord(storage, ctx.keys.dataKey, r);
    await mapLimit(dropped, storage.properties.maxConcurrency, (id) => removeQuarantineRecord(storage, id));

    // The in-memory index follows; index files written meanwhile by running backups stay in it.
    ctx.quarantine = new Quarantine(next);
    const index = buildIndex(records, ctx.quarantine, ctx.indexOptions);
    for (const r of (await readIndexFiles(storage, ctx.keys.dataKey)).records) if (index.packSize(r.packId) === undefined) index.add(r);
    ctx.index = index;
    ctx.damagedIndexFiles = [];

    return {
      verify,
      packs: records.length,
      indexFilesWritten: newIds.size,
      indexFilesRemoved: staleIndex.length,
      packsSalvaged: [...damaged.keys()].map(packName),
      chunksSaved,
      packsWritten: written.length,
      chunksLost: next.reduce((n, r) => n + r.lost.length, 0),
      packsUnreadable: unreadable,
      quarantineRecordsDropped: dropped.length,
      configCopiesRewritten: [],
      health: await checkHealth(ctx),
    };
  } finally {
    ctx.guard.endGc(session);
  }
}

/** Whether a blob of a damaged pack is whole: inside the pack, authentic, every chunk its id. */
function readable(ctx: RepoContext, pack: Buffer, blob: PackBlob): boolean {
  if (blob.offset + blob.length > pack.length) return false;
  const content = openPackBlob(ctx.keys.dataKey, pack, blob);
  if (!content) return false;
  let at = 0;
  for (const e of blob.entries) {
    if (!chunkId(ctx.keys.idKey, content.subarray(at, at + e.rawLength)).equals(Buffer.from(e.id, 'hex'))) return false;
    at += e.rawLength;
  }
  return true;
}
