// Reads and writes the head of a pg_dump custom-format archive: the header and the table of
// contents (TOC), as pg_dump writes them to a pipe (every data offset "not set", so pg_restore
// reads the data blocks in order). Pure byte work: no I/O. Entries read from pg_dump are kept as
// their raw bytes and written back unchanged; only entries we add are serialized field by field.
// Layout (pg_backup_archiver.c, pg_backup_custom.c): an int is a sign byte then `intSize` bytes,
// least significant first; a string is an int length (-1 for NULL) then its bytes.
// Archive versions 1.12 (PostgreSQL 9.x) to 1.16 (17) are understood.

export const MIN_VERSION = [1, 12] as const;
export const MAX_VERSION = [1, 16] as const;

/** TOC sections (teSection). */
export const SECTION = { none: 1, preData: 2, data: 3, postData: 4 } as const;
/** Custom-format data offset flags. */
const OFFSET_POS_NOT_SET = 1;
/** Custom-format block types. */
export const BLK_DATA = 1;

export interface ArchiveHeader {
  /** [major, minor, revision] of the archive format, e.g. [1, 14, 0]. */
  version: [number, number, number];
  intSize: number;
  offSize: number;
  /** The header's bytes exactly as read. */
  raw: Buffer;
}

export interface TocEntry {
  dumpId: number;
  hadDumper: boolean;
  tableoid: string;
  oid: string;
  tag: string | null;
  desc: string | null;
  section: number;
  defn: string | null;
  dropStmt: string | null;
  copyStmt: string | null;
  namespace: string | null;
  tablespace: string | null;
  tableam: string | null;
  relkind: number;
  owner: string | null;
  deps: number[];
  /** The entry's bytes as read (absent for entries made here). */
  raw?: Buffer;
}

export interface ArchiveHead {
  header: ArchiveHeader;
  entries: TocEntry[];
}

/** Thrown by the reader when the buffer ends mid-item; the caller waits for more bytes. */
class NeedMore extends Error {}

export class ArchiveFormatError extends Error {}

function atLeast(v: readonly number[], major: number, minor: number): boolean {
  return v[0]! > major || (v[0] === major && v[1]! >= minor);
}

class Cursor {
  pos = 0;
  readonly buf: Buffer;
  readonly intSize: number;
  constructor(buf: Buffer, intSize: number) {
    this.buf = buf;
    this.intSize = intSize;
  }

  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new NeedMore();
  }
  byte(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  int(): number {
    this.need(1 + this.intSize);
    const sign = this.buf[this.pos]!;
    let value = 0;
    for (let i = 0; i < this.intSize; i++) value += this.buf[this.pos + 1 + i]! * 2 ** (8 * i);
    this.pos += 1 + this.intSize;
    return sign ? -value : value;
  }
  str(): string | null {
    const len = this.int();
    if (len < 0) return null;
    this.need(len);
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }
}

function readHeader(c: Cursor): Omit<ArchiveHeader, 'raw'> {
  c.need(5);
  if (c.buf.toString('latin1', 0, 5) !== 'PGDMP') throw new ArchiveFormatError('The stream is not a pg_dump archive (no PGDMP signature).');
  c.pos = 5;
  const version: [number, number, number] = [c.byte(), c.byte(), c.byte()];
  if (!atLeast(version, MIN_VERSION[0], MIN_VERSION[1]) || atLeast(version, MAX_VERSION[0], MAX_VERSION[1] + 1)) {
    throw new ArchiveFormatError(`Archive format ${version.join('.')} is not supported (${MIN_VERSION.join('.')} to ${MAX_VERSION.join('.')}).`);
  }
  const intSize = c.byte();
  const offSize = c.byte();
  const format = c.byte();
  if (format !== 1) throw new ArchiveFormatError(`Only the custom archive format is supported (format ${format}).`);
  const ints = new Cursor(c.buf, intSize);
  ints.pos = c.pos;
  if (atLeast(version, 1, 15)) ints.byte(); // compression algorithm
  else ints.int(); // compression level
  for (let i = 0; i < 7; i++) ints.int(); // creation time
  ints.str(); // database name
  ints.str(); // server version
  ints.str(); // pg_dump version
  c.pos = ints.pos;
  return { version, intSize, offSize };
}

function readEntry(c: Cursor, h: Omit<ArchiveHeader, 'raw'>): TocEntry {
  const start = c.pos;
  const dumpId = c.int();
  const hadDumper = c.int() !== 0;
  const tableoid = c.str() ?? '0';
  const oid = c.str() ?? '0';
  const tag = c.str();
  const desc = c.str();
  const section = c.int();
  const defn = c.str();
  const dropStmt = c.str();
  const copyStmt = c.str();
  const namespace = c.str();
  const tablespace = c.str();
  const tableam = atLeast(h.version, 1, 14) ? c.str() : null;
  const relkind = atLeast(h.version, 1, 16) ? c.int() : 0;
  const owner = c.str();
  c.str(); // "false": tables WITH OIDS are gone
  const deps: number[] = [];
  for (let d = c.str(); d !== null; d = c.str()) deps.push(Number(d));
  c.byte(); // offset flag
  c.skip(h.offSize);
  return {
    dumpId, hadDumper, tableoid, oid, tag, desc, section, defn, dropStmt, copyStmt,
    namespace, tablespace, tableam, relkind, owner, deps, raw: c.buf.subarray(start, c.pos),
  };
}

/**
 * Reads the header and TOC from a stream's first bytes. Feed it with `push` until it returns a
 * result: the parsed head and whatever bytes followed it (the first data blocks). Parsing is
 * retried only when the bytes held have doubled, so a large TOC costs linear time.
 */
export class ArchiveHeadReader {
  #parts: Buffer[] = [];
  #held = 0;
  #nextTry = 0;

  push(chunk: Buffer): { head: ArchiveHead; rest: Buffer } | null {
    this.#parts.push(chunk);
    this.#held += chunk.length;
    if (this.#held < this.#nextTry) return null;
    return this.#parse();
  }

  /** The stream ended: the head if it is complete, else an ArchiveFormatError. */
  end(): { head: ArchiveHead; rest: Buffer } {
    const got = this.#parse();
    if (!got) throw new ArchiveFormatError('The archive ended inside its table of contents.');
    return got;
  }

  #parse(): { head: ArchiveHead; rest: Buffer } | null {
    const buf = this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts);
    this.#parts = [buf];
    let header: Omit<ArchiveHeader, 'raw'>;
    let headerEnd: number;
    const entries: TocEntry[] = [];
    let c: Cursor;
    try {
      const h = new Cursor(buf, 0);
      header = readHeader(h);
      headerEnd = h.pos;
      c = new Cursor(buf, header.intSize);
      c.pos = headerEnd;
      const count = c.int();
      while (entries.length < count) entries.push(readEntry(c, header));
    } catch (e) {
      if (e instanceof NeedMore) {
        this.#nextTry = this.#held * 2;
        return null;
      }
      throw e;
    }
    const head: ArchiveHead = {
      header: { ...header, raw: Buffer.from(buf.subarray(0, headerEnd)) },
      // Copies, so the entries do not pin the stream's buffer.
      entries: entries.map((e) => ({ ...e, raw: Buffer.from(e.raw!) })),
    };
    return { head, rest: buf.subarray(c.pos) };
  }
}

class Writer {
  readonly parts: Buffer[] = [];
  readonly intSize: number;
  constructor(intSize: number) {
    this.intSize = intSize;
  }

  int(value: number): void {
    const b = Buffer.alloc(1 + this.intSize);
    b[0] = value < 0 ? 1 : 0;
    let v = Math.abs(value);
    for (let i = 0; i < this.intSize; i++) {
      b[1 + i] = v % 256;
      v = Math.floor(v / 256);
    }
    this.parts.push(b);
  }
  str(s: string | null): void {
    if (s === null) return this.int(-1);
    const b = Buffer.from(s, 'utf8');
    this.int(b.length);
    this.parts.push(b);
  }
  bytes(b: Buffer): void {
    this.parts.push(b);
  }
}

function writeEntry(w: Writer, h: ArchiveHeader, e: TocEntry): void {
  if (e.raw) return w.bytes(e.raw);
  w.int(e.dumpId);
  w.int(e.hadDumper ? 1 : 0);
  w.str(e.tableoid);
  w.str(e.oid);
  w.str(e.tag);
  w.str(e.desc);
  w.int(e.section);
  w.str(e.defn);
  w.str(e.dropStmt);
  w.str(e.copyStmt);
  w.str(e.namespace);
  w.str(e.tablespace);
  if (atLeast(h.version, 1, 14)) w.str(e.tableam);
  if (atLeast(h.version, 1, 16)) w.int(e.relkind);
  w.str(e.owner);
  w.str('false');
  for (const d of e.deps) w.str(String(d));
  w.str(null);
  w.bytes(Buffer.from([OFFSET_POS_NOT_SET]));
  w.bytes(Buffer.alloc(h.offSize));
}

/** The header and TOC as bytes: the header as read, then every entry (raw or serialized). */
export function writeArchiveHead(head: ArchiveHead): Buffer {
  const w = new Writer(head.header.intSize);
  w.bytes(head.header.raw);
  w.int(head.entries.length);
  for (const e of head.entries) writeEntry(w, head.header, e);
  return Buffer.concat(w.parts);
}

/** An archive int (sign byte, then `intSize` bytes, least significant first). */
export function archiveInt(value: number, intSize: number): Buffer {
  const w = new Writer(intSize);
  w.int(value);
  return w.parts[0]!;
}

/**
 * The end of a table's data block: the end-of-data line pg_dump writes after every table's rows
 * (`\\.` and two blank lines, one piece; a script restore needs it), then a piece of length zero.
 */
export function copyBlockEnd(intSize: number): Buffer {
  const marker = Buffer.from('\\.\n\n\n');
  return Buffer.concat([archiveInt(marker.length, intSize), marker, archiveInt(0, intSize)]);
}

/** The start of a data block: its type and the entry's dump id. */
export function dataBlockStart(dumpId: number, intSize: number): Buffer {
  return Buffer.concat([Buffer.from([BLK_DATA]), archiveInt(dumpId, intSize)]);
}
