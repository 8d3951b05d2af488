// A pack's trailer held for the length of a restore, in one buffer: its entries as the trailer
// stores them (encodeEntries: id, offset, stored length, original length; 44 bytes each, in pack
// order), looked up by binary search on the offset. A restore keeps the trailer of every pack it
// reads from, and the latest recovery point of a repository that has lived for months reads from
// nearly every pack, so it keeps nearly every chunk's entry: as objects (a hex id string and four
// numbers in a Map of arrays) that was ~150 bytes of JS heap a chunk, and the heap's headroom on
// top (docs/benchmarks.md, "A restore's memory on an aged repository, found").
import { ID_BYTES } from './crypto.ts';
import { encodeEntries, type PackEntry } from './pack.ts';

const ENTRY_BYTES = ID_BYTES + 12;

export class TrailerTable {
  /** A u32 count, then the entries (pack.ts encodeEntries). */
  readonly #buf: Buffer;
  readonly count: number;
  readonly #scratch = Buffer.alloc(ID_BYTES);

  constructor(entries: readonly PackEntry[]) {
    this.#buf = encodeEntries(entries);
    this.count = entries.length;
  }

  /** Bytes the table holds. */
  get bytes(): number {
    return this.#buf.length;
  }

  #at(i: number): number {
    return 4 + i * ENTRY_BYTES;
  }

  offset(i: number): number {
    return this.#buf.readUInt32LE(this.#at(i) + ID_BYTES);
  }

  length(i: number): number {
    return this.#buf.readUInt32LE(this.#at(i) + ID_BYTES + 4);
  }

  rawLength(i: number): number {
    return this.#buf.readUInt32LE(this.#at(i) + ID_BYTES + 8);
  }

  /** Copies entry `i`'s 32-byte id to `to` at `at`. */
  copyId(i: number, to: Buffer, at: number): void {
    this.#buf.copy(to, at, this.#at(i), this.#at(i) + ID_BYTES);
  }

  /** The first entry of the blob at `offset` and how many chunks it holds, or null when no blob starts there. */
  blobAt(offset: number): { first: number; count: number } | null {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.offset(mid) < offset) lo = mid + 1;
      else hi = mid;
    }
    if (lo === this.count || this.offset(lo) !== offset) return null;
    let end = lo + 1;
    while (end < this.count && this.offset(end) === offset) end++;
    return { first: lo, count: end - lo };
  }

  /**
   * The entry of chunk `id` (hex) in the blob at `offset`, or -1 when that blob does not hold it
   * with the given stored and original lengths.
   */
  find(id: string, offset: number, length: number, rawLength: number): number {
    const blob = this.blobAt(offset);
    if (!blob) return -1;
    this.#scratch.write(id, 'hex');
    for (let i = blob.first; i < blob.first + blob.count; i++) {
      const at = this.#at(i);
      if (this.#buf.compare(this.#scratch, 0, ID_BYTES, at, at + ID_BYTES) === 0) {
        return this.length(i) === length && this.rawLength(i) === rawLength ? i : -1;
      }
    }
    return -1;
  }
}

/**
 * The trailers a restore has read, most recently used last, holding at most `maxBytes` of tables
 * (the one in use is never dropped): the latest point of a repository that has lived for months
 * reads from nearly every pack, and keeping every trailer for the whole restore held 44 bytes of
 * every chunk of the repository (~30 MB at scale 100). Packs are visited in stream order, which is
 * mostly the order they were written in, so a dropped trailer is rarely asked for again; when it
 * is, reading it again costs one small read beside the ranges of the same pack.
 */
export class TrailerCache {
  readonly #maxBytes: number;
  readonly #tables = new Map<string, { table: Promise<TrailerTable>; bytes: number }>();
  #bytes = 0;
  /** Trailers read (loads asked of `load`), for tests and reports. */
  loads = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Bytes of the tables held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The trailer of `packId`, from the cache or read by `load`. */
  get(packId: string, load: () => Promise<TrailerTable>): Promise<TrailerTable> {
    const held = this.#tables.get(packId);
    if (held) {
      this.#tables.delete(packId);
      this.#tables.set(packId, held);
      return held.table;
    }
    this.loads++;
    const entry = { table: load(), bytes: 0 };
    this.#tables.set(packId, entry);
    entry.table.then(
      (t) => {
        if (this.#tables.get(packId) !== entry) return;
        entry.bytes = t.bytes;
        this.#bytes += t.bytes;
        this.#trim(packId);
      },
      () => {
        if (this.#tables.get(packId) === entry) this.#tables.delete(packId);
      },
    );
    return entry.table;
  }

  /** Drops the least recently used tables until under the limit, never `keep`. */
  #trim(keep: string): void {
    for (const [packId, entry] of this.#tables) {
      if (this.#bytes <= this.#maxBytes) return;
      // Unread ones (no bytes yet) are about to be used.
      if (packId === keep || entry.bytes === 0) continue;
      this.#tables.delete(packId);
      this.#bytes -= entry.bytes;
    }
  }
}
