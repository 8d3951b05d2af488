// Turns the text of consecutive `COPY … TO STDOUT` results into the data of custom-format archive
// blocks: each row becomes one length-prefixed piece, as pg_dump writes it, so a row's bytes and
// its prefix depend only on the row and unchanged rows stay byte-identical from week to week. A
// line holding only `\.` separates one table's rows from the next (COPY's text format escapes
// every backslash in data, so no row can be that line). A row longer than `maxPiece` is cut into
// pieces rather than held whole; pg_restore passes the pieces on to COPY FROM as one stream.
import { archiveInt } from './archive-toc.ts';

export type FramerEvent = { kind: 'data'; bytes: Buffer } | { kind: 'end' };

const NL = 0x0a;
const BACKSLASH = 0x5c;
const DOT = 0x2e;

export class CopyFramer {
  readonly #intSize: number;
  readonly #maxPiece: number;
  /** The start of a row not yet ended by a newline. */
  #carry: Buffer | null = null;
  /** Whether a piece of the current row was already emitted (so it is not at a row start). */
  #midRow = false;
  #ends: Int32Array = new Int32Array(1024);

  constructor(intSize: number, maxPiece = 1024 * 1024) {
    this.#intSize = intSize;
    this.#maxPiece = maxPiece;
  }

  /** The archive's piece header: an int holding the piece's length. */
  #prefix(out: Buffer, at: number, len: number): number {
    out[at] = 0;
    let v = len;
    for (let i = 1; i <= this.#intSize; i++) {
      out[at + i] = v & 0xff;
      v = Math.floor(v / 256);
    }
    return at + 1 + this.#intSize;
  }

  push(input: Buffer): FramerEvent[] {
    const events: FramerEvent[] = [];
    let buf = input;
    let from = 0;
    if (this.#carry) {
      const nl = input.indexOf(NL);
      if (nl < 0) {
        this.#hold(Buffer.concat([this.#carry, input]), events);
        return events;
      }
      this.#carry = Buffer.concat([this.#carry, input.subarray(0, nl + 1)]);
      buf = this.#carry;
      this.#carry = null;
      this.#frameRows(buf, 0, events);
      buf = input;
      from = nl + 1;
    }
    const rest = this.#frameRows(buf, from, events);
    if (rest < buf.length) this.#hold(buf.subarray(rest), events);
    return events;
  }

  /** The input ended; anything held is an unfinished row, which COPY never writes. */
  finish(): void {
    if (this.#carry || this.#midRow) throw new Error('The COPY output ended in the middle of a row.');
  }

  /** Keeps a partial row, or emits it as a piece once it reaches maxPiece. */
  #hold(part: Buffer, events: FramerEvent[]): void {
    this.#carry = null;
    if (part.length < this.#maxPiece) {
      this.#carry = Buffer.from(part);
      return;
    }
    const out = Buffer.allocUnsafe(1 + this.#intSize + part.length);
    part.copy(out, this.#prefix(out, 0, part.length));
    events.push({ kind: 'data', bytes: out });
    this.#midRow = true;
  }

  /** Frames the whole rows of buf[from…]; returns where the unfinished tail starts. */
  #frameRows(buf: Buffer, from: number, events: FramerEvent[]): number {
    let n = 0;
    let at = from;
    for (;;) {
      const nl = buf.indexOf(NL, at);
      if (nl < 0) break;
      if (n === this.#ends.length) {
        const bigger = new Int32Array(n * 2);
        bigger.set(this.#ends);
        this.#ends = bigger;
      }
      this.#ends[n++] = nl + 1;
      at = nl + 1;
    }
    if (n === 0) return from;
    const head = 1 + this.#intSize;
    let out = Buffer.allocUnsafe(at - from + n * head);
    let o = 0;
    let start = from;
    for (let i = 0; i < n; i++) {
      const end = this.#ends[i]!;
      const marker = !this.#midRow && end - start === 3 && buf[start] === BACKSLASH && buf[start + 1] === DOT;
      if (marker) {
        if (o > 0) events.push({ kind: 'data', bytes: out.subarray(0, o) });
        events.push({ kind: 'end' });
        out = out.subarray(o);
        o = 0;
      } else {
        o = this.#prefix(out, o, end - start);
        o += buf.copy(out, o, start, end);
      }
      this.#midRow = false;
      start = end;
    }
    if (o > 0) events.push({ kind: 'data', bytes: out.subarray(0, o) });
    return at;
  }
}

/**
 * The end of a table's data block: the end-of-data line pg_dump writes after every table's rows
 * (`\\.` and two blank lines, one piece; a script restore needs it), then a piece of length zero.
 */
export function copyBlockEnd(intSize: number): Buffer {
  const marker = Buffer.from('\\.\n\n\n');
  return Buffer.concat([archiveInt(marker.length, intSize), marker, archiveInt(0, intSize)]);
}
