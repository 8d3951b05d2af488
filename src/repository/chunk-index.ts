// The chunk index: where each chunk lives (pack, offset, lengths). In storage it is a set of index
// files, each a sealed list of pack records, written once and named by the SHA-256 of its bytes;
// in this process the union of all of them. Only entries whose pack and index file are durable
// enter the shared index, so nothing can deduplicate against data that might vanish.
//
// The union need not fit in memory (docs/repository-format.md, "The index in memory"): it is a
// log-structured merge of immutable sorted runs in local files (index-run.ts; in memory only a
// Bloom filter and a fence table, under 2 bytes a chunk) and a small table of the entries added
// since the last run was written (id-table.ts). A lookup asks the table, then each run from the
// newest: a run's filter rules most runs out without a read; a hit costs one block read. Removals
// are tombstones in the table (one chunk) or the pack's number marked gone (a whole pack).
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import type { Storage } from '../storage/storage.ts';
import { ID_BYTES, seal, unseal } from './crypto.ts';
import { errors, REPOSITORY_DATA_CORRUPT } from '../domain/errors.ts';
import { INDEX_PREFIX, indexIdOf, indexName } from './layout.ts';
import { decodeEntries, encodeEntries } from './pack.ts';
import type { PackEntry, PackRecord } from './pack.ts';
import { listAll, mapLimit } from './io.ts';
import { IdTable } from './id-table.ts';
import { compareKeys, ENTRY_BYTES, IndexRun, KEY_BYTES, mergeSorted, packNumOf, TOMBSTONE } from './index-run.ts';
import type { Quarantine } from './quarantine.ts';
import { collectEvery, collectGarbage } from '../util/full-gc.ts';

const INDEX_AAD = Buffer.from('dpvault-index-v1');
/** Bytes of one entry in an index file's record (pack.ts encodeEntries). */
const INDEX_ENTRY_BYTES = ID_BYTES + 12;
/** Entries the in-memory table holds before they are written as a run (~13 MB of table). */
export const RECENT_LIMIT = 1 << 17;

export interface ChunkLocation {
  packId: string;
  offset: number;
  length: number;
  rawLength: number;
}

export interface ChunkIndexOptions {
  /** Where run files are created (and at once unlinked); default the system's temporary directory. */
  dir?: string;
  /** Entries added before the table is written as a run (RECENT_LIMIT). */
  recentLimit?: number;
}

interface PackInfo {
  id: string;
  num: number;
  size: number;
  /** Chunks the index locates in this pack. */
  live: number;
}

type Values = [packNum: number, offset: number, length: number, rawLength: number];

/** Where each chunk is: recent entries in a compact table, older ones in sorted runs on disk. */
export class ChunkIndex {
  readonly #dir: string;
  readonly #recentLimit: number;
  #recent = new IdTable();
  /** Oldest first. */
  #runs: IndexRun[] = [];
  readonly #packs = new Map<string, PackInfo>();
  /** Packs by number; undefined once removed (their entries then count as absent). */
  readonly #byNum: (PackInfo | undefined)[] = [];
  #size = 0;
  readonly #key = Buffer.alloc(KEY_BYTES);

  constructor(opts: ChunkIndexOptions = {}) {
    this.#dir = opts.dir ?? tmpdir();
    this.#recentLimit = opts.recentLimit ?? RECENT_LIMIT;
  }

  /** Number of distinct chunks. */
  get size(): number {
    return this.#size;
  }

  /** Sorted runs on disk. */
  get runCount(): number {
    return this.#runs.length;
  }

  /** The values of the live entry for `id`, or undefined. */
  #find(id: string): Values | undefined {
    let v: Values | undefined = this.#recent.get(id);
    if (!v) {
      const key = this.#key;
      if (key.write(id, 'hex') !== KEY_BYTES) throw new Error(`Not a chunk id: '${id}'.`);
      for (let i = this.#runs.length - 1; i >= 0 && !v; i--) {
        const e = this.#runs[i]!.find(key);
        if (e) v = [packNumOf(e), e.readUInt32LE(KEY_BYTES + 4), e.readUInt32LE(KEY_BYTES + 8), e.readUInt32LE(KEY_BYTES + 12)];
      }
    }
    return v && this.#isLive(v[0]) ? v : undefined;
  }

  #isLive(packNum: number): boolean {
    return packNum !== TOMBSTONE && this.#byNum[packNum] !== undefined;
  }

  #location(v: Values): ChunkLocation {
    return { packId: this.#byNum[v[0]]!.id, offset: v[1], length: v[2], rawLength: v[3] };
  }

  get(id: string): ChunkLocation | undefined {
    const v = this.#find(id);
    return v && this.#location(v);
  }

  has(id: string): boolean {
    return this.#find(id) !== undefined;
  }

  /** The id of the pack holding chunk `id`, or undefined. */
  packOf(id: string): string | undefined {
    const v = this.#find(id);
    return v && this.#byNum[v[0]]!.id;
  }

  /**
   * Adds a pack's entries. A chunk already located elsewhere keeps its first location unless
   * `relocate` is set (a writer that stored a chunk again because gc doomed the old copy).
   */
  add(record: PackRecord, relocate = false): void {
    let pack = this.#packs.get(record.packId);
    if (!pack) {
      pack = { id: record.packId, num: this.#byNum.length, size: record.size, live: 0 };
      this.#byNum.push(pack);
      this.#packs.set(record.packId, pack);
    }
    pack.size = record.size;
    for (const e of record.entries) {
      const now = this.#find(e.id);
      if (now && !relocate) continue;
      if (now) this.#byNum[now[0]]!.live--;
      else this.#size++;
      pack.live++;
      this.#set(e.id, pack.num, e.offset, e.length, e.rawLength);
    }
  }

  #set(id: string, packNum: number, offset: number, length: number, rawLength: number): void {
    this.#recent.set(id, packNum, offset, length, rawLength);
    if (this.#recent.size >= this.#recentLimit) this.flush();
  }

  /** Forgets chunk `id` if the index locates it in `packId`; true if it did. */
  forgetIn(id: string, packId: string): boolean {
    const pack = this.#packs.get(packId);
    if (!pack || this.#find(id)?.[0] !== pack.num) return false;
    pack.live--;
    this.#size--;
    this.#set(id, TOMBSTONE, 0, 0, 0);
    return true;
  }

  /** Forgets a pack: every chunk located in it, and the pack itself. */
  removePack(packId: string, _entries?: readonly PackEntry[]): void {
    const pack = this.#packs.get(packId);
    if (!pack) return;
    this.#packs.delete(packId);
    this.#byNum[pack.num] = undefined;
    this.#size -= pack.live;
  }

  /** The size of a pack the index knows, or undefined. */
  packSize(packId: string): number | undefined {
    return this.#packs.get(packId)?.size;
  }

  /** Pack ids and sizes known to the index. */
  packs(): Map<string, number> {
    return new Map([...this.#packs].map(([id, p]) => [id, p.size]));
  }

  /** Every chunk and its location, in id order. Runs written meanwhile are read to the end. */
  *locations(): IterableIterator<[string, ChunkLocation]> {
    const sources = [this.#sortedRecent(), ...this.#runs.map((r) => r.entries()).reverse()];
    for (const e of mergeSorted(sources, (x) => this.#isLive(packNumOf(x)))) {
      const v: Values = [packNumOf(e), e.readUInt32LE(KEY_BYTES + 4), e.readUInt32LE(KEY_BYTES + 8), e.readUInt32LE(KEY_BYTES + 12)];
      yield [e.toString('hex', 0, KEY_BYTES), this.#location(v)];
    }
  }

  /** Memory the runs hold (filters, fence tables), in bytes. */
  get runBytes(): number {
    return this.#runs.reduce((n, r) => n + r.bytes, 0);
  }

  /** Writes the recent entries as a new run, then merges runs of like size (at most ~log2 runs). */
  flush(): void {
    if (this.#recent.size === 0) return;
    this.#writeRecent();
    for (let n = this.#runs.length; n >= 2 && this.#runs[n - 2]!.count <= 2 * this.#runs[n - 1]!.count; n--) this.#merge(n - 2);
  }

  /**
   * All runs merged into one (after loading an index). An index of fewer than `recentLimit`
   * chunks stays in the recent table and is never read from disk; a larger one goes to disk
   * whole, the recent table with it (~13 MB of table a process no longer holds for its lifetime:
   * at scale 100 the server held it through every backup, restore and maintenance).
   */
  compact(): void {
    if (this.#runs.length === 0) return;
    if (this.#recent.size > 0) this.#writeRecent();
    if (this.#runs.length > 1) this.#merge(0);
  }

  /** The recent table's entries as the newest run; the table starts empty. */
  #writeRecent(): void {
    this.#runs.push(IndexRun.write(this.#dir, this.#recent.size, this.#sortedRecent()));
    this.#recent = new IdTable();
  }

  /** Merges the runs from `from` on into one; the oldest run drops what is absent. */
  #merge(from: number): void {
    const parts = this.#runs.slice(from);
    const capacity = parts.reduce((n, r) => n + r.count, 0);
    const keep = from === 0 ? (e: Buffer) => this.#isLive(packNumOf(e)) : () => true;
    const merged = IndexRun.write(this.#dir, capacity, mergeSorted(parts.map((r) => r.entries()).reverse(), keep));
    this.#runs = [...this.#runs.slice(0, from), merged];
    for (const r of parts) r.drop();
  }

  /** The recent table's entries, in key order (views into one buffer). */
  *#sortedRecent(): IterableIterator<Buffer> {
    const buf = Buffer.alloc(this.#recent.size * ENTRY_BYTES);
    let n = 0;
    for (const [id, v] of this.#recent.entries()) {
      const at = n++ * ENTRY_BYTES;
      buf.write(id, at, 'hex');
      for (let i = 0; i < 4; i++) buf.writeUInt32LE(v[i]!, at + KEY_BYTES + 4 * i);
    }
    const order = Array.from({ length: n }, (_, i) => i * ENTRY_BYTES);
    order.sort((a, b) => compareKeys(buf, a, buf, b));
    for (const at of order) yield buf.subarray(at, at + ENTRY_BYTES);
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

/**
 * The body of index file `indexId`, checked: its name is the hash of its bytes, it authenticates,
 * and its records parse to its end (read them with recordsIn).
 */
function openIndexFile(dataKey: Buffer, indexId: string, data: Buffer): Buffer {
  const bad = (): Error =>
    errors.repositoryDataCorrupt(`Index file '${indexName(indexId)}' is damaged; recover the repository to rebuild the index from its packs.`);
  if (createHash('sha256').update(data).digest('hex') !== indexId) throw bad();
  const body = unseal(dataKey, data, INDEX_AAD);
  if (!body || body.length < 4) throw bad();
  const count = body.readUInt32LE(0);
  let at = 4;
  for (let i = 0; i < count; i++) {
    if (at + ID_BYTES + 8 > body.length) throw bad();
    at += ID_BYTES + 8 + body.readUInt32LE(at + ID_BYTES + 4) * INDEX_ENTRY_BYTES;
    if (at > body.length) throw bad();
  }
  if (at !== body.length) throw bad();
  return body;
}

/**
 * The pack records of a checked index file body, one at a time: when gc wrote one index file for
 * the whole repository (as repositories written before bounded files still hold), decoding a file
 * at once held every chunk's entry as objects (~150 bytes of heap a chunk) while the index was loaded.
 */
function* recordsIn(body: Buffer): Generator<PackRecord> {
  const count = body.readUInt32LE(0);
  let at = 4;
  for (let i = 0; i < count; i++) {
    const packId = body.toString('hex', at, at + ID_BYTES);
    const size = body.readUInt32LE(at + ID_BYTES);
    const decoded = decodeEntries(body, at + ID_BYTES + 4)!;
    yield { packId, size, entries: decoded.entries };
    at = decoded.end;
  }
}

export function decodeIndexFile(dataKey: Buffer, indexId: string, data: Buffer): PackRecord[] {
  return [...recordsIn(openIndexFile(dataKey, indexId, data))];
}

/** Writes one index file holding `records`; returns its id. */
export async function writeIndexFile(storage: Storage, dataKey: Buffer, records: readonly PackRecord[]): Promise<string> {
  const { indexId, data } = encodeIndexFile(dataKey, records);
  await storage.put(indexName(indexId), data);
  return indexId;
}

type Damaged = { indexId: string; problem: string }[];

/** The ids of the index files storage holds, in name order. */
export async function listIndexIds(storage: Storage): Promise<string[]> {
  return (await listAll(storage, INDEX_PREFIX)).map((o) => indexIdOf(o.name)).filter((id): id is string => id !== null).sort();
}

/**
 * Reads every index file in name order, at most the storage's concurrency at once, and hands each
 * file's pack records to `each` in that order, decoded one by one as `each` iterates them (so
 * memory holds a few files' bytes, not all of them, and one pack's entries as objects). A
 * damaged index file is named in `damaged` and left out, not fatal: the packs it listed are
 * self-describing, and `vault repair` (or gc, for packs holding live chunks) indexes them again.
 * `each` may be async: the next file waits for it. `opts.ids`: read these index files, not a listing.
 */
export async function forEachIndexFile(
  storage: Storage,
  dataKey: Buffer,
  each: (records: Iterable<PackRecord>, indexId: string) => void | Promise<void>,
  opts: { ids?: readonly string[] } = {},
): Promise<{ indexIds: string[]; damaged: Damaged }> {
  const indexIds = opts.ids ? [...opts.ids].sort() : await listIndexIds(storage);
  const damaged: Damaged = [];
  const window = storage.properties.maxConcurrency;
  for (let at = 0; at < indexIds.length; at += window) {
    const ids = indexIds.slice(at, at + window);
    const perFile = await mapLimit(ids, window, async (id) => {
      try {
        return openIndexFile(dataKey, id, await storage.get(indexName(id)));
      } catch (e) {
        if ((e as { code?: string }).code !== REPOSITORY_DATA_CORRUPT) throw e;
        damaged.push({ indexId: id, problem: (e as Error).message });
        return null;
      }
    });
    for (let i = 0; i < ids.length; i++) {
      const body = perFile[i];
      perFile[i] = null;
      await each(body ? recordsIn(body) : [], ids[i]!);
    }
  }
  return { indexIds, damaged };
}

/** Reads every index file; returns their ids and the pack records they hold (in file order). */
export async function readIndexFiles(storage: Storage, dataKey: Buffer): Promise<{ indexIds: string[]; records: PackRecord[]; damaged: Damaged }> {
  const records: PackRecord[] = [];
  const { indexIds, damaged } = await forEachIndexFile(storage, dataKey, (rs) => {
    for (const r of rs) records.push(r);
  });
  return { indexIds, records, damaged };
}

/**
 * The index of every index file, read file by file (see forEachIndexFile), leaving out every copy
 * the quarantine knows is lost.
 */
export async function loadIndex(storage: Storage, dataKey: Buffer, quarantine: Quarantine, opts: ChunkIndexOptions = {}): Promise<{ index: ChunkIndex; damaged: Damaged; indexIds: string[] }> {
  const index = new ChunkIndex(opts);
  const collect = collectEvery();
  const { damaged, indexIds } = await forEachIndexFile(storage, dataKey, (records) => {
    for (const r of records) {
      index.add(withoutLost(r, quarantine));
      collect(r.entries.length);
    }
  });
  index.compact();
  // A load too large for the in-memory table leaves tens of MB of garbage (decoded records, run
  // writes and merges) that an idle process would hold until the next collection: collected now,
  // RSS after opening a 653,000-chunk repository is 129-132 MiB instead of 139-144.
  if (index.runCount > 0) collectGarbage();
  return { index, damaged, indexIds };
}

/** The index of `records`, leaving out every copy the quarantine knows is lost. */
export function buildIndex(records: readonly PackRecord[], quarantine: Quarantine, opts: ChunkIndexOptions = {}): ChunkIndex {
  const index = new ChunkIndex(opts);
  for (const r of records) index.add(withoutLost(r, quarantine));
  index.compact();
  return index;
}

/** `record` without the entries whose copy in its pack is known lost. */
export function withoutLost(record: PackRecord, quarantine: Quarantine): PackRecord {
  if (!quarantine.get(record.packId)) return record;
  return { ...record, entries: record.entries.filter((e) => !quarantine.isLostIn(e.id, record.packId)) };
}
