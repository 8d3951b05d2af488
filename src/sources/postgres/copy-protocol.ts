// Turns PostgreSQL's backend messages for `COPY … TO STDOUT` statements, as they arrive on the
// socket, into the data pieces of custom-format archive blocks, without copying the rows.
//
// The server sends each row as a CopyData message: 'd', a 4-byte big-endian length that counts
// itself, then the row. pg_dump writes each row it reads into the archive as a piece: a sign
// byte, a length of intSize bytes (little-endian), then the row. With the usual intSize of 4 both
// headers are five bytes, so each CopyData header is rewritten where it lies and the socket's own
// buffers go on as the archive's bytes; the rows themselves are never touched or copied. A row's
// bytes and its header depend only on the row, as with pg_dump, so unchanged rows stay
// byte-identical from week to week. Any other message is consumed here: CopyDone ends a table's
// block, ReadyForQuery ends the work, an ErrorResponse fails it with the server's words.
import { archiveInt } from './archive-toc.ts';

/**
 * A table's archive pieces, and its end; `rowStarts` are offsets in the table's pieces (counted
 * from the first byte of its first piece) where a row begins, about one every `markEvery` bytes
 * (CopyTranslator): places where its data block can be cut in two whole blocks.
 */
export type CopyEvent = { kind: 'data'; bytes: Buffer } | { kind: 'end'; rowStarts: number[] };

/** What the server said when a statement failed (ErrorResponse fields). */
export class CopyServerError extends Error {
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.code = code;
  }
}

const HEADER = 5;
const COPY_DATA = 0x64; // 'd'
const COPY_DONE = 0x63; // 'c'
const COPY_OUT = 0x48; // 'H'
const COMMAND_COMPLETE = 0x43; // 'C'
const ERROR_RESPONSE = 0x45; // 'E'
const NOTICE = 0x4e; // 'N'
const PARAMETER_STATUS = 0x53; // 'S'
const NOTIFICATION = 0x41; // 'A'
const READY = 0x5a; // 'Z'
/** Any message but a row is small; a bigger one means the stream is not what it should be. */
const MAX_OTHER_MESSAGE = 1024 * 1024;

function errorFields(body: Buffer): CopyServerError {
  const fields = new Map<string, string>();
  let at = 0;
  while (at < body.length && body[at] !== 0) {
    const end = body.indexOf(0, at + 1);
    if (end < 0) break;
    fields.set(String.fromCharCode(body[at]!), body.toString('utf8', at + 1, end));
    at = end + 1;
  }
  return new CopyServerError(fields.get('M') ?? 'the server reported an error', fields.get('C') ?? '');
}

export class CopyTranslator {
  readonly #intSize: number;
  /** Bytes of the current row still to pass through. */
  #rowLeft = 0;
  /** A message header cut by a buffer's end. */
  readonly #head = Buffer.alloc(HEADER);
  #headHave = 0;
  /** The body of a non-row message being gathered. */
  #other: { type: number; body: Buffer; have: number } | null = null;
  #copies = 0;
  #ended = 0;
  #ready = false;
  /** Bytes of the current table's pieces handed out so far, and the row starts marked in them. */
  #tableBytes = 0;
  #rowStarts: number[] = [];
  #nextMark: number;
  readonly #markEvery: number;

  /** `markEvery`: how far apart the row starts an `end` event lists are, at least (bytes; by default none are listed). */
  constructor(intSize: number, markEvery = Infinity) {
    if (intSize < 4 || intSize > 8) throw new Error(`An archive integer size of ${intSize} bytes is not supported.`);
    if (!(markEvery >= 1)) throw new Error('Row starts must be marked at least one byte apart.');
    this.#intSize = intSize;
    this.#markEvery = markEvery;
    this.#nextMark = markEvery;
  }

  /** A row starts at `offset` of the table's pieces: marked if far enough from the last mark. */
  #rowAt(offset: number): void {
    if (offset < this.#nextMark) return;
    this.#rowStarts.push(offset);
    this.#nextMark = offset + this.#markEvery;
  }

  /** Whether ReadyForQuery has arrived: every statement ran; nothing after it is read. */
  get ready(): boolean {
    return this.#ready;
  }

  /** Tables whose rows ended (CopyDone), of those started (CopyOutResponse). */
  get tablesEnded(): number {
    return this.#ended;
  }
  get tablesStarted(): number {
    return this.#copies;
  }

  /**
   * The archive pieces and table ends in `buf`, in order. `buf` is changed in place and its
   * views are handed out: the caller must own it and not reuse it.
   */
  push(buf: Buffer): CopyEvent[] {
    const events: CopyEvent[] = [];
    let at = 0;
    /** Where the run of archive bytes not yet handed out starts. */
    let from = 0;
    const flush = (to: number): void => {
      if (to <= from) return;
      events.push({ kind: 'data', bytes: buf.subarray(from, to) });
      this.#tableBytes += to - from;
    };
    // Whatever follows ReadyForQuery (the session is closed next) is not the copy's.
    while (at < buf.length && !this.#ready) {
      if (this.#rowLeft > 0) {
        const take = Math.min(this.#rowLeft, buf.length - at);
        this.#rowLeft -= take;
        at += take;
        continue;
      }
      if (this.#other) {
        at = this.#gather(buf, at, events);
        from = at;
        continue;
      }
      if (this.#headHave === 0 && buf.length - at >= HEADER) {
        const type = buf[at]!;
        const length = buf.readUInt32BE(at + 1);
        if (type === COPY_DATA && this.#intSize === 4 && length > 4) {
          // The archive piece header, written over the message header.
          this.#rowAt(this.#tableBytes + at - from);
          buf[at] = 0;
          buf.writeUInt32LE(length - 4, at + 1);
          this.#rowLeft = length - 4;
          at += HEADER;
          continue;
        }
        flush(at);
        at = this.#header(type, length, buf, at + HEADER, events);
        from = at;
        continue;
      }
      // A header cut by the buffer's end: gather its bytes, then handle it.
      flush(at);
      const take = Math.min(HEADER - this.#headHave, buf.length - at);
      buf.copy(this.#head, this.#headHave, at, at + take);
      this.#headHave += take;
      at += take;
      from = at;
      if (this.#headHave < HEADER) break;
      this.#headHave = 0;
      at = this.#header(this.#head[0]!, this.#head.readUInt32BE(1), buf, at, events);
      from = at;
    }
    flush(at);
    return events;
  }

  /** The end of the input: the server must have said it was ready, with nothing left half-read. */
  finish(): void {
    if (!this.#ready || this.#rowLeft > 0 || this.#headHave > 0 || this.#other) {
      throw new Error('The connection closed before the copy ended.');
    }
  }

  /**
   * Handles a message header whose body starts at `buf[at]`; returns where reading goes on. A
   * row's header is emitted (as an archive piece header) as its own small buffer.
   */
  #header(type: number, length: number, buf: Buffer, at: number, events: CopyEvent[]): number {
    if (length < 4) throw new Error('The server sent a malformed message.');
    const bodyLength = length - 4;
    if (type === COPY_DATA) {
      if (bodyLength === 0) return at; // an empty piece would end the block: nothing to write
      const header = this.#pieceHeader(bodyLength);
      this.#rowAt(this.#tableBytes);
      events.push({ kind: 'data', bytes: header });
      this.#tableBytes += header.length;
      this.#rowLeft = bodyLength;
      return at;
    }
    if (bodyLength > MAX_OTHER_MESSAGE) throw new Error(`The server sent an unexpected message of ${bodyLength} bytes during a copy.`);
    this.#other = { type, body: Buffer.alloc(bodyLength), have: 0 };
    return this.#gather(buf, at, events);
  }

  #pieceHeader(length: number): Buffer {
    return archiveInt(length, this.#intSize);
  }

  #gather(buf: Buffer, at: number, events: CopyEvent[]): number {
    const other = this.#other!;
    const take = Math.min(other.body.length - other.have, buf.length - at);
    buf.copy(other.body, other.have, at, at + take);
    other.have += take;
    if (other.have < other.body.length) return at + take;
    this.#other = null;
    this.#message(other.type, other.body, events);
    return at + take;
  }

  #message(type: number, body: Buffer, events: CopyEvent[]): void {
    switch (type) {
      case COPY_OUT:
        if (body[0] !== 0) throw new Error('The server answered a text copy with a binary one.');
        this.#copies++;
        return;
      case COPY_DONE:
        this.#ended++;
        events.push({ kind: 'end', rowStarts: this.#rowStarts });
        this.#rowStarts = [];
        this.#tableBytes = 0;
        this.#nextMark = this.#markEvery;
        return;
      case READY:
        this.#ready = true;
        return;
      case ERROR_RESPONSE:
        throw errorFields(body);
      case COMMAND_COMPLETE:
      case NOTICE:
      case PARAMETER_STATUS:
      case NOTIFICATION:
        return;
      default:
        throw new Error(`The server sent an unexpected message ('${String.fromCharCode(type)}') during a copy.`);
    }
  }
}
