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
