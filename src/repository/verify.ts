// Verification: reads back a sample of packs (or all) and checks everything about each: its bytes
// against its name (SHA-256 of its trailer, or of all its bytes in format 1), its trailer, every blob's tag, decompression to the recorded
// length, every chunk's id recomputed from its data, and agreement between trailer and index. Then
// walks every manifest's chunk list to find chunks the index does not know, and to name the
// recovery points each damaged chunk belongs to.
import { randomInt } from 'node:crypto';
import { isNotFound } from '../storage/storage.ts';
import type { RepoContext } from './context.ts';
import { checkHealth } from './health.ts';
import type { ManifestHealth } from './health.ts';
import { isolateDamage } from './isolate.ts';
import { removeQuarantineRecord } from './quarantine.ts';
import type { DamageFinding } from './isolate.ts';
import { chunkId } from './crypto.ts';
import { listAll, mapLimit } from './io.ts';
import { indexName, PACK_PREFIX, packIdOf, packName } from './layout.ts';
import { listManifestIds, readChunkList, readManifest } from './manifest.ts';
import { blobsOf, openPackBlob, packMatchesName, parseTrailer } from './pack.ts';
import type { PackBlob, PackEntry } from './pack.ts';

export interface VerifyOptions {
  /** Share of packs to read back, 0–100 (default 100). At least one pack when above 0. */
  samplePercent?: number;
  /**
   * Quarantine what is found damaged (isolate.ts): the lost copies leave the index, so the next
   * backup stores those chunks again; and release quarantined packs found whole again. Default true.
   */
  quarantine?: boolean;
}

export interface DamagedPack {
  pack: string;
  problem: string;
  /** Manifests with a chunk in this pack that could not be read. */
  manifests: string[];
}

export interface DamagedChunk {
  chunk: string;
  pack: string;
  problem: string;
  manifests: string[];
}

export interface VerifyReport {
  ok: boolean;
  packsTotal: number;
  packsChecked: number;
  chunksChecked: number;
  bytesRead: number;
  manifestsChecked: number;
  damagedPacks: DamagedPack[];
  damagedChunks: DamagedChunk[];
  /** Chunks a manifest needs that no index file lists (with the unlisted pack holding it, if any). */
  missingChunks: { chunk: string; manifests: string[]; unlistedPack: string | null }[];
  /** Index files and quarantine records that do not read (left out; `repair` writes them anew). */
  damagedObjects: { name: string; problem: string }[];
  /** Manifests or chunk lists that do not read: those recovery points cannot be restored. */
  damagedManifests: { manifest: string; problem: string }[];
  /** Packs quarantined by this run (with `quarantine`). */
  quarantined: string[];
  /** Whether each recovery point can be restored after this run. */
  health: ManifestHealth[];
}

function sample<T>(items: T[], percent: number): T[] {
  if (percent >= 100) return items;
  if (percent <= 0) return [];
  const want = Math.max(1, Math.ceil((items.length * percent) / 100));
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, want);
}

export async function runVerify(ctx: RepoContext, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const { storage } = ctx;
  const stored = new Map<string, number>();
  for (const info of await listAll(storage, PACK_PREFIX)) {
    const id = packIdOf(info.name);
    if (id) stored.set(id, info.size);
  }
  const known = new Set([...stored.keys(), ...ctx.index.packs().keys()]);
  const chosen = sample([...known].sort(), opts.samplePercent ?? 100);

  // What the index says each chosen pack holds.
  const chosenSet = new Set(chosen);
  const indexed = new Map<string, PackEntry[]>();
  for (const [id, loc] of ctx.index.locations()) {
    if (!chosenSet.has(loc.packId)) continue;
    const list = indexed.get(loc.packId) ?? [];
    list.push({ id, offset: loc.offset, length: loc.length, rawLength: loc.rawLength });
    indexed.set(loc.packId, list);
  }

  const report: VerifyReport = {
    ok: true,
    packsTotal: known.size,
    packsChecked: 0,
    chunksChecked: 0,
    bytesRead: 0,
    manifestsChecked: 0,
    damagedPacks: [],
    damagedChunks: [],
    missingChunks: [],
    damagedObjects: [
      ...ctx.damagedIndexFiles.map((d) => ({ name: indexName(d.indexId), problem: d.problem })),
      ...ctx.quarantine.damaged.map((name) => ({ name, problem: 'the quarantine record does not authenticate' })),
      ...ctx.damagedConfig,
    ],
    damagedManifests: [],
    quarantined: [],
    health: [],
  };
  /** Chunks whose copy in a pack cannot be read, by pack id. */
  const lostIn = new Map<string, Set<string>>();
  const lose = (packId: string, id: string): void => {
    const set = lostIn.get(packId) ?? new Set<string>();
    set.add(id);
    lostIn.set(packId, set);
  };
  /** Entries of checked packs found whole: chunk list of each (to release a quarantine). */
  const whole = new Map<string, PackEntry[]>();
  /** Chunks held by checked packs that no index file lists: chunk → pack. */
  const unlisted = new Map<string, string>();
  const indexedPacks = ctx.index.packs();
  const badPacks = new Map<string, DamagedPack>();
  const badChunks = new Map<string, DamagedChunk>();
  const badPack = (packId: string, problem: string): void => {
    const prev = badPacks.get(packId);
    if (prev) prev.problem += `; ${problem}`;
    else badPacks.set(packId, { pack: packName(packId), problem, manifests: [] });
  };

  await mapLimit(chosen, 2, async (packId) => {
    let data: Buffer;
    try {
      data = await storage.get(packName(packId));
    } catch (e) {
      if (!isNotFound(e)) throw e;
      badPack(packId, 'the index lists it but storage does not hold it');
      const ids = new Set([...(indexed.get(packId) ?? []).map((e2) => e2.id), ...(ctx.quarantine.get(packId)?.lost ?? [])]);
      for (const id of ids) {
        badChunks.set(id, { chunk: id, pack: packName(packId), problem: 'pack missing', manifests: [] });
        lose(packId, id);
      }
      return;
    }
    report.packsChecked++;
    report.bytesRead += data.length;
    if (!packMatchesName(packId, data)) badPack(packId, 'its bytes do not match its name (SHA-256)');
    let entries: PackEntry[];
    try {
      entries = await parseTrailer(ctx.keys.dataKey, packId, data.length, data, async () => Buffer.alloc(0));
    } catch (e) {
      badPack(packId, e instanceof Error ? e.message : String(e));
      entries = indexed.get(packId) ?? [];
      // Restores read a pack's trailer to find its blobs: until repair rewrites the pack, none of
      // its chunks restores, so all of them count as lost.
      for (const e2 of entries) lose(packId, e2.id);
    }
    const inTrailer = new Map<string, PackEntry[]>();
    for (const e of entries) inTrailer.set(e.id, [...(inTrailer.get(e.id) ?? []), e]);
    for (const e of indexed.get(packId) ?? []) {
      const copies = inTrailer.get(e.id);
      if (copies && !copies.some((t) => t.offset === e.offset && t.length === e.length && t.rawLength === e.rawLength)) {
        badPack(packId, `the index disagrees with the pack about chunk ${e.id}`);
      } else if (!copies && !badPacks.has(packId)) badPack(packId, `the index lists chunk ${e.id}, which the pack does not hold`);
    }
    for (const blob of blobsOf(entries)) {
      report.chunksChecked += blob.entries.length;
      const bad = checkBlob(ctx, data, blob);
      for (const [id, problem] of bad) {
        badChunks.set(id, { chunk: id, pack: packName(packId), problem, manifests: [] });
        lose(packId, id);
      }
      if (!indexedPacks.has(packId)) for (const e of blob.entries) if (!bad.some(([id]) => id === e.id)) unlisted.set(e.id, packId);
    }
    if ([...badChunks.values()].some((c) => c.pack === packName(packId))) badPack(packId, 'it holds damaged chunks');
    if (!badPacks.has(packId)) whole.set(packId, entries);
  });

  // Walk the manifests: chunks nobody can locate, and who owns each damaged chunk.
  const missing = new Map<string, string[]>();
  const manifestIds = await listManifestIds(storage);
  report.manifestsChecked = manifestIds.length;
  for (const mid of manifestIds) {
    try {
      const m = await readManifest(storage, ctx.keys.dataKey, mid);
      for await (const id of readChunkList(storage, ctx.keys.dataKey, m)) {
        const bad = badChunks.get(id);
        if (bad && !bad.manifests.includes(m.id)) bad.manifests.push(m.id);
        const packId = ctx.index.get(id)?.packId ?? ctx.quarantine.lostPackOf(id);
        if (packId === undefined) {
          const list = missing.get(id) ?? [];
          if (!list.includes(m.id)) list.push(m.id);
          missing.set(id, list);
        } else {
          const bp = badPacks.get(packId);
          if (bp && !bp.manifests.includes(m.id)) bp.manifests.push(m.id);
        }
      }
    } catch (e) {
      report.damagedManifests.push({ manifest: mid, problem: e instanceof Error ? e.message : String(e) });
    }
  }
  report.damagedPacks = [...badPacks.values()];
  report.damagedChunks = [...badChunks.values()];
  report.missingChunks = [...missing].map(([chunk, ms]) => ({ chunk, manifests: ms, unlistedPack: unlisted.has(chunk) ? packName(unlisted.get(chunk)!) : null }));

  if (opts.quarantine !== false) {
    await releaseWhole(ctx, whole);
    const findings: DamageFinding[] = [...badPacks.entries()].map(([packId, p]) => ({
      packId,
      problem: p.problem,
      lost: lostIn.get(packId) ?? [],
      packGone: p.problem.startsWith('the index lists it but storage does not hold it'),
    }));
    report.quarantined = (await isolateDamage(ctx, findings)).map((r) => packName(r.packId));
  }
  report.health = await checkHealth(ctx);
  report.ok =
    report.damagedPacks.length === 0 &&
    report.damagedChunks.length === 0 &&
    report.missingChunks.length === 0 &&
    report.damagedObjects.length === 0 &&
    report.damagedManifests.length === 0;
  return report;
}

/** Quarantined packs read back whole (restored by hand, or a passing fault) return to the index. */
async function releaseWhole(ctx: RepoContext, whole: ReadonlyMap<string, PackEntry[]>): Promise<void> {
  for (const [packId, entries] of whole) {
    const record = ctx.quarantine.get(packId);
    if (!record || record.packGone) continue;
    const held = new Set(entries.map((e) => e.id));
    if (!record.lost.every((id) => held.has(id))) continue;
    await removeQuarantineRecord(ctx.storage, packId);
    ctx.quarantine.delete(packId);
    const size = ctx.index.packSize(packId) ?? (await ctx.storage.stat(packName(packId))).size;
    ctx.index.add({ packId, size, entries });
  }
}

/** The chunks of `blob` inside `pack` that are bad, and why; none when all are good. */
function checkBlob(ctx: RepoContext, pack: Buffer, blob: PackBlob): [string, string][] {
  const all = (problem: string): [string, string][] => blob.entries.map((e) => [e.id, problem]);
  if (blob.offset + blob.length > pack.length) return all('it lies beyond the end of the pack');
  const content = openPackBlob(ctx.keys.dataKey, pack, blob);
  if (!content) return all('it does not authenticate or does not decompress to its recorded length');
  const bad: [string, string][] = [];
  let at = 0;
  for (const e of blob.entries) {
    if (chunkId(ctx.keys.idKey, content.subarray(at, at + e.rawLength)).toString('hex') !== e.id) bad.push([e.id, 'its content does not match its id']);
    at += e.rawLength;
  }
  return bad;
}
