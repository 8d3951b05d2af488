// The chunk index: where each chunk lives (pack, offset, lengths). In storage it is a set of index
// files, each a sealed list of pack records, written once and named by the SHA-256 of its bytes;
// in memory the union of all of them. Only entries whose pack and index file are durable enter
// the shared in-memory index, so nothing can deduplicate against data that might vanish.
import { createHash } from 'node:crypto';
import type { Storage } from '../storage/storage.ts';
import { ID_BYTES, seal, unseal } from './crypto.ts';
import { corrupt } from './errors.ts';
import { INDEX_PREFIX, indexIdOf, indexName } from './layout.ts';
import { decodeEntries, encodeEntries } from './pack.ts';
import type { PackEntry, PackRecord } from './pack.ts';
import { listAll, mapLimit } from './io.ts';
import { IdTable } from './id-table.ts';
import type { Quarantine } from './quarantine.ts';

const INDEX_AAD = Buffer.from('dpvault-index-v1');

export interface ChunkLocation {
  packId: string;
  offset: number;
  length: number;
  rawLength: number;
}

/** Where each chunk is: ids in a compact table (id-table.ts), pack ids numbered once. */
export class ChunkIndex {
  readonly #chunks = new IdTable();
  /** Pack id → its number in the table and its size. */
  readonly #packs = new Map<string, { num: number; size: number }>();
  readonly #packIds: string[] = [];

  /** Number of distinct chunks. */
  get size(): number {
    return this.#chunks.size;
  }

  #location(v: readonly number[]): ChunkLocation {
    return { packId: this.#packIds[v[0]!]!, offset: v[1]!, length: v[2]!, rawLength: v[3]! };
  }

  get(id: string): ChunkLocation | undefined {
    const v = this.#chunks.get(id);
    return v && this.#location(v);
  }

  has(id: string): boolean {
    return this.#chunks.has(id);
  }

  /** The id of the pack holding chunk `id`, or undefined; cheaper than `get`. */
  packOf(id: string): string | undefined {
    const num = this.#chunks.first(id);
    return num < 0 ? undefined : this.#packIds[num];
  }

  /**
   * Adds a pack's entries. A chunk already located elsewhere keeps its first location unless
   * `relocate` is set (a writer that stored a chunk again because gc doomed the old copy).
   */
  add(record: PackRecord, relocate = false): void {
    let pack = this.#packs.get(record.packId);
    if (!pack) {
      pack = { num: this.#packIds.push(record.packId) - 1, size: record.size };
      this.#packs.set(record.packId, pack);
    }
    pack.size = record.size;
    for (const e of record.entries) {
      if (relocate || !this.#chunks.has(e.id)) this.#chunks.set(e.id, pack.num, e.offset, e.length, e.rawLength);
    }
  }

  /** Forgets chunk `id` if the index locates it in `packId`; true if it did. */
  forgetIn(id: string, packId: string): boolean {
    const pack = this.#packs.get(packId);
    if (!pack || this.#chunks.get(id)?.[0] !== pack.num) return false;
    this.#chunks.delete(id);
    return true;
  }

  /** Forgets a pack: every chunk located in it, and the pack itself. */
  removePack(packId: string, entries: readonly PackEntry[]): void {
    const pack = this.#packs.get(packId);
    if (!pack) return;
    this.#packs.delete(packId);
    for (const e of entries) {
      if (this.#chunks.get(e.id)?.[0] === pack.num) this.#chunks.delete(e.id);
    }
  }

  /** The size of a pack the index knows, or undefined. */
  packSize(packId: string): number | undefined {
    return this.#packs.get(packId)?.size;
  }

  /** Pack ids and sizes known to the index. */
  packs(): Map<string, number> {
    return new Map([...this.#packs].map(([id, p]) => [id, p.size]));
  }

  *locations(): IterableIterator<[string, ChunkLocation]> {
    for (const [id, v] of this.#chunks.entries()) yield [id, this.#location(v)];
  }
}

export function encodeIndexFile(dataKey: Buffer, records: readonly PackRecord[]): { indexId: string; data: Buffer } {
  const parts: Buffer[] = [Buffer.alloc(4)];
  parts[0]!.writeUInt32LE(records.length, 0);
  for (const r of records) {
    const head = Buffer.alloc(ID_BYTES + 4);
    head.write(r.packId, 0, 'hex');
    head.writeUInt32LE(r.size, ID_BYTES);
    parts.push(head, encodeEntries(r.entries));
  }
  const data = seal(dataKey, parts, INDEX_AAD);
  return { indexId: createHash('sha256').update(data).digest('hex'), data };
}

export function decodeIndexFile(dataKey: Buffer, indexId: string, data: Buffer): PackRecord[] {
  const bad = (): Error =>
    corrupt(`Index file '${indexName(indexId)}' is damaged; recover the repository to rebuild the index from its packs.`);
  if (createHash('sha256').update(data).digest('hex') !== indexId) throw bad();
  const body = unseal(dataKey, data, INDEX_AAD);
  if (!body || body.length < 4) throw bad();
  const count = body.readUInt32LE(0);
  const records: PackRecord[] = [];
  let at = 4;
  for (let i = 0; i < count; i++) {
    if (at + ID_BYTES + 8 > body.length) throw bad();
    const packId = body.toString('hex', at, at + ID_BYTES);
    const size = body.readUInt32LE(at + ID_BYTES);
    const decoded = decodeEntries(body, at + ID_BYTES + 4);
    if (!decoded) throw bad();
    records.push({ packId, size, entries: decoded.entries });
    at = decoded.end;
  }
  if (at !== body.length) throw bad();
  return records;
}

/** Writes one index file holding `records`; returns its id. */
export async function writeIndexFile(storage: Storage, dataKey: Buffer, records: readonly PackRecord[]): Promise<string> {
  const { indexId, data } = encodeIndexFile(dataKey, records);
  await storage.put(indexName(indexId), data);
  return indexId;
}

/**
 * Reads every index file; returns their ids and the pack records they hold (in file order). A
 * damaged index file is named in `damaged` and left out, not fatal: the packs it listed are
 * self-describing, and `vault repair` (or gc, for packs holding live chunks) indexes them again.
 */
export async function readIndexFiles(
  storage: Storage,
  dataKey: Buffer,
): Promise<{ indexIds: string[]; records: PackRecord[]; damaged: { indexId: string; problem: string }[] }> {
  const indexIds = (await listAll(storage, INDEX_PREFIX)).map((o) => indexIdOf(o.name)).filter((id): id is string => id !== null);
  indexIds.sort();
  const damaged: { indexId: string; problem: string }[] = [];
  const perFile = await mapLimit(indexIds, storage.properties.maxConcurrency, async (id) => {
    try {
      return decodeIndexFile(dataKey, id, await storage.get(indexName(id)));
    } catch (e) {
      if ((e as { code?: string }).code !== 'RepositoryDataCorrupt') throw e;
      damaged.push({ indexId: id, problem: (e as Error).message });
      return [];
    }
  });
  return { indexIds, records: perFile.flat(), damaged };
}

/** The in-memory index of `records`, leaving out every copy the quarantine knows is lost. */
export function buildIndex(records: readonly PackRecord[], quarantine: Quarantine): ChunkIndex {
  const index = new ChunkIndex();
  for (const r of records) index.add(withoutLost(r, quarantine));
  return index;
}

/** `record` without the entries whose copy in its pack is known lost. */
export function withoutLost(record: PackRecord, quarantine: Quarantine): PackRecord {
  if (!quarantine.get(record.packId)) return record;
  return { ...record, entries: record.entries.filter((e) => !quarantine.isLostIn(e.id, record.packId)) };
}
