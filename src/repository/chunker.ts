// Content-defined chunking (FastCDC with normalized chunking, level 2). A gear rolling hash
// `h = (h << 1) + gear[byte]` runs over each byte after the first `min` of a chunk; a boundary
// falls where the hash's top bits are zero: a stricter mask (more bits) before `avg`, a looser one
// after, and a forced cut at `max`. Boundaries depend only on nearby content, so an insertion
// shifts only the chunks around it. The gear table is keyed by the repository, as in borg.
// The scan is one tight loop over each Buffer: no per-byte calls, no allocation.
import { errors } from '../domain/errors.ts';

export interface ChunkerParams {
  /** No chunk is smaller (except the last of a stream). */
  min: number;
  /** Target average; a power of two. */
  avg: number;
  /** No chunk is larger. */
  max: number;
}

/**
 * Chunk sizes of new repositories: 8 KiB on average. A week of ordinary change touches rows here
 * and there even in key order; every chunk holding one is stored again, and small chunks store
 * far less again (docs/tuning.md). Smaller still costs more CPU per byte and more index memory
 * per byte of data.
 */
export const DEFAULT_CHUNKER: ChunkerParams = { min: 2 * 1024, avg: 8 * 1024, max: 32 * 1024 };

/**
 * Chunk sizes for a new repository whose first stream is about `bytes` long: DEFAULT_CHUNKER
 * whatever the size. Large databases used to get coarser chunks (up to 512 KiB past 128 GiB) to
 * keep an all-in-memory index small, and deduplicated badly for it (a week stored 0.65 of a full
 * at 512 KiB against 0.09 at 8 KiB). The index now keeps under 2 bytes of memory per chunk
 * (chunk-index.ts): a 1 TiB database at 8 KiB chunks, 134 million of them, needs ~210 MB.
 */
export function chunkerForDataSize(_bytes: number): ChunkerParams {
  return DEFAULT_CHUNKER;
}

export function checkChunkerParams(p: ChunkerParams): void {
  const pow2 = Number.isInteger(Math.log2(p.avg));
  if (!pow2 || !(p.min >= 64 && p.min < p.avg && p.avg < p.max && p.max <= 64 * 1024 * 1024)) {
    throw errors.repositoryOptionInvalid(`Chunk sizes must satisfy 64 <= min < avg < max <= 64 MiB with avg a power of two (got ${p.min}/${p.avg}/${p.max}).`);
  }
}

/** One Buffer of a chunk's pieces (the piece itself when there is only one). */
function joined(pieces: Buffer[]): Buffer {
  return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
}

/** A mask of the top `bits` bits of a 32-bit word (as a signed int, like the hash). */
function topBits(bits: number): number {
  return (~0 << (32 - bits)) | 0;
}

/** Splits a byte stream into chunks; feed it with `push`, end it with `finish`. */
export class Chunker {
  readonly #gear: Uint32Array;
  readonly #min: number;
  readonly #avg: number;
  readonly #max: number;
  readonly #maskS: number;
  readonly #maskL: number;
  /** Bytes of the current chunk seen so far, and the parts that hold them. */
  #n = 0;
  #h = 0;
  #pending: Buffer[] = [];
  /** Two buffers of `max` bytes for the unfinished chunk, used in turn (#keepPending). */
  readonly #owned: Buffer[] = [];
  #ownedNext = 0;

  constructor(params: ChunkerParams, gear: Uint32Array) {
    checkChunkerParams(params);
    this.#gear = gear;
    this.#min = params.min;
    this.#avg = params.avg;
    this.#max = params.max;
    const bits = Math.log2(params.avg);
    this.#maskS = topBits(Math.min(bits + 2, 31));
    this.#maskL = topBits(Math.max(bits - 2, 1));
  }

  /** The chunks completed by `data`, in order; each a fresh Buffer or a view of `data`. */
  push(data: Buffer): Buffer[] {
    return this.pushPieces(data).map(joined);
  }

  /** The last, possibly short, chunk (a Buffer of its own); null when the stream ended on a boundary. */
  finish(): Buffer | null {
    const last = this.finishPieces();
    return last && Buffer.concat(last);
  }

  /**
   * The chunks completed by `data`, in order, each as the views of the Buffers it spans: `data`
   * and, for the first, a copy of the previous pushes' unfinished tail. The tail of `data` that
   * no chunk ends in yet is copied too, so once the caller is done with the chunks returned,
   * nothing refers to `data` any more and its bytes may be reused (a backup's socket buffers).
   * The views of one call's chunks stay valid only until the next call.
   */
  pushPieces(data: Buffer): Buffer[][] {
    const out: Buffer[][] = [];
    let start = 0;
    while (start < data.length) {
      const cut = this.#scan(data, start);
      if (cut < 0) {
        this.#pending.push(data.subarray(start));
        break;
      }
      this.#pending.push(data.subarray(start, cut));
      out.push(this.#pending);
      this.#pending = [];
      start = cut;
    }
    if (this.#pending.length > 0) this.#keepPending();
    return out;
  }

  /**
   * Copies the unfinished chunk into a buffer of the chunker's own: one of two, the one the
   * chunks just returned do not use (the first of them may start with the other).
   */
  #keepPending(): void {
    const owned = (this.#owned[this.#ownedNext] ??= Buffer.allocUnsafeSlow(this.#max));
    this.#ownedNext ^= 1;
    let at = 0;
    for (const piece of this.#pending) {
      owned.set(piece, at);
      at += piece.length;
    }
    this.#pending = [owned.subarray(0, at)];
  }

  /** `finish` in pieces; null when the stream ended on a boundary. */
  finishPieces(): Buffer[] | null {
    const last = this.#pending.filter((p) => p.length > 0);
    this.#pending = [];
    this.#n = 0;
    this.#h = 0;
    return last.length ? last : null;
  }

  /** Scans `buf` from `start`; returns the index just past a boundary, or -1 when none is in `buf`. */
  #scan(buf: Buffer, start: number): number {
    const gear = this.#gear;
    const len = buf.length;
    let n = this.#n;
    let h = this.#h;
    let i = start;
    if (n < this.#min) {
      const skip = Math.min(this.#min - n, len - i);
      i += skip;
      n += skip;
      if (n < this.#min) {
        this.#n = n;
        return -1;
      }
    }
    if (n < this.#avg) {
      const mask = this.#maskS;
      const end = i + Math.min(this.#avg - n, len - i);
      const from = i;
      for (; i < end; i++) {
        h = ((h << 1) + gear[buf[i]!]!) | 0;
        if ((h & mask) === 0) return this.#cut(i + 1);
      }
      n += end - from;
      if (n < this.#avg) {
        this.#n = n;
        this.#h = h;
        return -1;
      }
    }
    const mask = this.#maskL;
    const end = i + Math.min(this.#max - n, len - i);
    const from = i;
    for (; i < end; i++) {
      h = ((h << 1) + gear[buf[i]!]!) | 0;
      if ((h & mask) === 0) return this.#cut(i + 1);
    }
    n += end - from;
    if (n >= this.#max) return this.#cut(i);
    this.#n = n;
    this.#h = h;
    return -1;
  }

  #cut(at: number): number {
    this.#n = 0;
    this.#h = 0;
    return at;
  }
}
