// One immutable, sorted run of index entries in a local file, with what stays in memory to find
// an entry in it: a Bloom filter (index-bloom.ts, ~1.25 bytes an id) and a fence table (the first
// 8 bytes of the first id of each 4 KiB block, ~0.1 byte an id). A lookup of an id the run does
// not hold almost never reads; one it holds reads one block (a pread, from the page cache in
// practice). Entries are ENTRY_BYTES each: id (32 bytes), then pack number, offset, length and raw
// length (u32le each); pack number TOMBSTONE means "absent" and hides older runs' entries.
//
// Run files are a cache of the index files in storage, private to this process: created in a
// local directory, unlinked as soon as they are open, so they never outlive the process and are
// never stale (docs/repository-format.md, "The index in memory").
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { BloomFilter } from './index-bloom.ts';

export const KEY_BYTES = 32;
export const ENTRY_BYTES = KEY_BYTES + 16;
export const TOMBSTONE = 0xffffffff;
const BLOCK_ENTRIES = 85;
const BLOCK_BYTES = BLOCK_ENTRIES * ENTRY_BYTES;
/** Entries read at once when a run is read in order (about 64 KiB). */
const SCAN_ENTRIES = 1365;
const WRITE_BYTES = 1024 * 1024;

/** -1, 0 or 1 as the 32-byte key at `a[ai]` sorts before, with or after the one at `b[bi]`. */
export function compareKeys(a: Uint8Array, ai: number, b: Uint8Array, bi: number): number {
  for (let i = 0; i < KEY_BYTES; i++) {
    const d = a[ai + i]! - b[bi + i]!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** The pack number of the entry at `at` in `buf`. */
export function packNumOf(buf: Buffer, at = 0): number {
  return buf.readUInt32LE(at + KEY_BYTES);
}

/** Closes the file of a run that was dropped without `release` (an abandoned iteration). */
const orphans = new FinalizationRegistry<{ fd: number; closed: boolean }>((file) => {
  if (!file.closed) closeSync(file.fd);
});

export class IndexRun {
  /** Entries in the run (tombstones included). */
  readonly count: number;
  readonly #file: { fd: number; closed: boolean };
  readonly #bloom: BloomFilter;
  /** The first 8 bytes of each block's first key, as two big-endian words. */
  readonly #fenceHi: Uint32Array;
  readonly #fenceLo: Uint32Array;
  readonly #block = Buffer.alloc(BLOCK_BYTES);
  #readers = 0;
  #dropped = false;

  private constructor(fd: number, count: number, bloom: BloomFilter, fenceHi: Uint32Array, fenceLo: Uint32Array) {
    this.#file = { fd, closed: false };
    this.count = count;
    this.#bloom = bloom;
    this.#fenceHi = fenceHi;
    this.#fenceLo = fenceLo;
    orphans.register(this, this.#file, this);
  }

  /**
   * Writes `entries` (sorted by key, no key twice, at most `capacity` of them) to a new run file
   * in `dir`. Each entry is ENTRY_BYTES bytes; the views may be reused once the next is asked for.
   */
  static write(dir: string, capacity: number, entries: Iterable<Uint8Array>): IndexRun {
    const path = join(dir, `dpvault-index-run-${process.pid}-${randomBytes(8).toString('hex')}`);
    const fd = openSync(path, 'wx+', 0o600);
    unlinkSync(path);
    try {
      const bloom = new BloomFilter(capacity);
      const blocks = Math.ceil(capacity / BLOCK_ENTRIES);
      const fenceHi = new Uint32Array(blocks);
      const fenceLo = new Uint32Array(blocks);
      const out = Buffer.alloc(WRITE_BYTES - (WRITE_BYTES % ENTRY_BYTES));
      let used = 0;
      let count = 0;
      let written = 0;
      for (const e of entries) {
        if (count >= capacity) throw new Error('Index run: more entries than its capacity.');
        out.set(e.subarray(0, ENTRY_BYTES), used);
        bloom.add(out, used);
        if (count % BLOCK_ENTRIES === 0) {
          fenceHi[count / BLOCK_ENTRIES] = out.readUInt32BE(used);
          fenceLo[count / BLOCK_ENTRIES] = out.readUInt32BE(used + 4);
        }
        used += ENTRY_BYTES;
        count++;
        if (used === out.length) {
          written += writeAll(fd, out, used, written);
          used = 0;
        }
      }
      writeAll(fd, out, used, written);
      const n = Math.ceil(count / BLOCK_ENTRIES);
      return new IndexRun(fd, count, bloom, fenceHi.slice(0, n), fenceLo.slice(0, n));
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  /** Bytes of memory the run holds (filter, fence table and its block buffer). */
  get bytes(): number {
    return this.#bloom.bytes + this.#fenceHi.byteLength + this.#fenceLo.byteLength + BLOCK_BYTES;
  }

  /** False when the run certainly has no entry for `key`: no read. */
  mayHave(key: Uint8Array): boolean {
    return this.#bloom.mayHave(key);
  }

  /**
   * The run's entry for `key` (a view valid until the next call), or null. Reads one block; more
   * only when ids sharing their first 8 bytes straddle blocks (practically never).
   */
  find(key: Buffer): Buffer | null {
    if (!this.#bloom.mayHave(key)) return null;
    const hi = key.readUInt32BE(0);
    const lo = key.readUInt32BE(4);
    // The last block whose fence is <= the key's prefix.
    let low = 0;
    let high = this.#fenceHi.length - 1;
    let block = -1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const fh = this.#fenceHi[mid]!;
      if (fh < hi || (fh === hi && this.#fenceLo[mid]! <= lo)) {
        block = mid;
        low = mid + 1;
      } else high = mid - 1;
    }
    for (; block >= 0; block--) {
      const hit = this.#findInBlock(block, key);
      if (hit) return hit;
      if (this.#fenceHi[block] !== hi || this.#fenceLo[block] !== lo) break;
    }
    return null;
  }

  #findInBlock(block: number, key: Buffer): Buffer | null {
    const first = block * BLOCK_ENTRIES;
    const n = Math.min(BLOCK_ENTRIES, this.count - first);
    readAll(this.#file.fd, this.#block, n * ENTRY_BYTES, first * ENTRY_BYTES);
    let low = 0;
    let high = n - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const c = compareKeys(this.#block, mid * ENTRY_BYTES, key, 0);
      if (c === 0) return this.#block.subarray(mid * ENTRY_BYTES, (mid + 1) * ENTRY_BYTES);
      if (c < 0) low = mid + 1;
      else high = mid - 1;
    }
    return null;
  }

  /** Every entry in key order; each view is valid until the next is asked for. */
  *entries(): IterableIterator<Buffer> {
    this.#readers++;
    try {
      const buf = Buffer.alloc(SCAN_ENTRIES * ENTRY_BYTES);
      for (let at = 0; at < this.count; at += SCAN_ENTRIES) {
        const n = Math.min(SCAN_ENTRIES, this.count - at);
        readAll(this.#file.fd, buf, n * ENTRY_BYTES, at * ENTRY_BYTES);
        for (let i = 0; i < n; i++) yield buf.subarray(i * ENTRY_BYTES, (i + 1) * ENTRY_BYTES);
      }
    } finally {
      this.#readers--;
      this.#closeIfDone();
    }
  }

  /** The run is no longer part of the index: its file closes once no iteration reads it. */
  drop(): void {
    this.#dropped = true;
    this.#closeIfDone();
  }

  #closeIfDone(): void {
    if (!this.#dropped || this.#readers > 0 || this.#file.closed) return;
    this.#file.closed = true;
    orphans.unregister(this);
    closeSync(this.#file.fd);
  }
}

/**
 * The entries of several sorted sources as one sorted sequence: for a key in several, the entry
 * of the first source (the newest). `keep` decides which merged entries are emitted.
 */
export function* mergeSorted(sources: Iterable<Buffer>[], keep: (entry: Buffer) => boolean): IterableIterator<Buffer> {
  const its = sources.map((s) => s[Symbol.iterator]());
  const heads: (Buffer | null)[] = its.map((it) => next(it));
  for (;;) {
    let min = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      if (h && (min < 0 || compareKeys(h, 0, heads[min]!, 0) < 0)) min = i;
    }
    if (min < 0) return;
    const winner = heads[min]!;
    if (keep(winner)) yield winner;
    // Advance every source at this key; the winner last, as its view may be reused.
    for (let i = 0; i < heads.length; i++) if (i !== min && heads[i] && compareKeys(heads[i]!, 0, winner, 0) === 0) heads[i] = next(its[i]!);
    heads[min] = next(its[min]!);
  }
}

function next(it: Iterator<Buffer>): Buffer | null {
  const r = it.next();
  return r.done ? null : r.value;
}

function writeAll(fd: number, buf: Buffer, length: number, position: number): number {
  for (let done = 0; done < length; ) done += writeSync(fd, buf, done, length - done, position + done);
  return length;
}

function readAll(fd: number, buf: Buffer, length: number, position: number): void {
  for (let done = 0; done < length; ) {
    const n = readSync(fd, buf, done, length - done, position + done);
    if (n === 0) throw new Error('Index run: the local run file ended early.');
    done += n;
  }
}
