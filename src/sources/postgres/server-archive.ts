// The byte layout of a whole-server recovery point: one stream holding named entries (the
// server's roles script, its tablespaces script, then one custom-format dump per database), so a
// server point is stored, copied, verified, archived and recovered exactly as a database point is
// (one stream in one repository), and the databases deduplicate against each other there.
//
// Layout: the magic `DPVSRV1\n`, then per entry `ESC HEAD <escaped JSON {name, kind}> ESC BODY
// <escaped bytes> ESC END`. ESC is the byte 0xDB; a 0xDB in a header or body is written as
// `ESC 0x00`. Escaping (not length prefixes) keeps an entry's bytes where its content puts
// them: two databases holding the same data give the same bytes, which content-defined chunking
// then stores once, and nothing is buffered to learn a length. Pure: no I/O.
import { errors } from '../../domain/errors.ts';

export const SERVER_ARCHIVE_MAGIC = Buffer.from('DPVSRV1\n');
const ESC = 0xdb;
const LITERAL = 0x00;
const HEAD = 0x01;
const BODY = 0x02;
const END = 0x03;

/** What an entry is: the roles script, the tablespaces script, or one database's dump. */
export type ServerEntryKind = 'roles' | 'tablespaces' | 'database';

export interface ServerEntryHeader {
  name: string;
  kind: ServerEntryKind;
}

/** `bytes` with every ESC doubled as `ESC LITERAL`; the same buffer when it holds none. */
export function escapeBytes(bytes: Buffer): Buffer {
  let at = bytes.indexOf(ESC);
  if (at < 0) return bytes;
  const parts: Buffer[] = [];
  let from = 0;
  while (at >= 0) {
    parts.push(bytes.subarray(from, at + 1), Buffer.of(LITERAL));
    from = at + 1;
    at = bytes.indexOf(ESC, from);
  }
  parts.push(bytes.subarray(from));
  return Buffer.concat(parts);
}

/** The bytes that open an entry (its header) and start its body. */
export function entryStart(header: ServerEntryHeader): Buffer {
  return Buffer.concat([Buffer.of(ESC, HEAD), escapeBytes(Buffer.from(JSON.stringify(header))), Buffer.of(ESC, BODY)]);
}

export const ENTRY_END = Buffer.of(ESC, END);

/**
 * Writes entries as the layout says: `yield* entry(header, body)` per entry after the magic.
 * Each body buffer is escaped on its way, never gathered. A buffer that escaping copied is given
 * back to `recycle` at once (its body offers one: util/recycle.ts); one passed on as it is goes
 * back when the archive's reader gives it back.
 */
export async function* archiveEntry(header: ServerEntryHeader, body: AsyncIterable<Buffer>, recycle?: (chunk: Uint8Array) => void): AsyncGenerator<Buffer> {
  yield entryStart(header);
  for await (const chunk of body) {
    if (!chunk.length) continue;
    const escaped = escapeBytes(chunk);
    if (escaped !== chunk) recycle?.(chunk);
    yield escaped;
  }
  yield ENTRY_END;
}

export interface ServerEntry extends ServerEntryHeader {
  /** The entry's bytes; read it to its end before asking for the next entry. */
  body: AsyncIterable<Buffer>;
}

/**
 * The entries of a server archive, in order, each body streamed from `source` as it is read.
 * A body left unread is skipped when the next entry is asked for. Damage (a wrong magic, an
 * unknown escape, a truncated stream) throws RecoveryPointDataCorrupt-style errors naming it.
 */
export async function* readServerArchive(source: AsyncIterable<Buffer>): AsyncGenerator<ServerEntry> {
  const input = source[Symbol.asyncIterator]();
  let pending: Buffer = Buffer.alloc(0);
  let ended = false;
  const more = async (): Promise<boolean> => {
    if (ended) return false;
    const next = await input.next();
    if (next.done) {
      ended = true;
      return false;
    }
    pending = pending.length ? Buffer.concat([pending, next.value]) : next.value;
    return true;
  };
  while (pending.length < SERVER_ARCHIVE_MAGIC.length && (await more()));
  if (!pending.subarray(0, SERVER_ARCHIVE_MAGIC.length).equals(SERVER_ARCHIVE_MAGIC)) throw damaged('it does not start as a whole-server recovery point does');
  pending = pending.subarray(SERVER_ARCHIVE_MAGIC.length);

  /** The unescaped bytes up to the next ESC that is not a literal; returns which marker ended them. */
  async function* until(onMarker: (marker: number) => void): AsyncGenerator<Buffer> {
    for (;;) {
      const at = pending.indexOf(ESC);
      if (at < 0) {
        if (pending.length) yield pending;
        pending = Buffer.alloc(0);
        if (!(await more())) throw damaged('it ends inside an entry');
        continue;
      }
      if (at + 1 >= pending.length) {
        if (at) yield pending.subarray(0, at);
        pending = pending.subarray(at);
        if (!(await more())) throw damaged('it ends inside an entry');
        continue;
      }
      const marker = pending[at + 1]!;
      if (marker === LITERAL) {
        yield pending.subarray(0, at + 1);
        pending = pending.subarray(at + 2);
        continue;
      }
      if (at) yield pending.subarray(0, at);
      pending = pending.subarray(at + 2);
      onMarker(marker);
      return;
    }
  }

  for (;;) {
    while (pending.length < 2 && (await more()));
    if (!pending.length && ended) return;
    if (pending[0] !== ESC || pending[1] !== HEAD) throw damaged('an entry does not start where one should');
    pending = pending.subarray(2);
    const headParts: Buffer[] = [];
    let marker = -1;
    for await (const part of until((m) => (marker = m))) headParts.push(Buffer.from(part));
    if (marker !== BODY) throw damaged('an entry header is not followed by its body');
    const header = readHeader(Buffer.concat(headParts));
    let end = -1;
    const body = (async function* () {
      for await (const part of until((m) => (end = m))) yield part;
    })();
    yield { ...header, body };
    // What the reader left of the body (all of it, or the rest after it stopped) is skipped.
    if (end < 0) for await (const _ of until((m) => (end = m)));
    if (end !== END) throw damaged(`the entry '${header.name}' does not end properly`);
  }
}

function readHeader(bytes: Buffer): ServerEntryHeader {
  try {
    const h = JSON.parse(bytes.toString('utf8')) as ServerEntryHeader;
    if (typeof h.name === 'string' && ['roles', 'tablespaces', 'database'].includes(h.kind)) return h;
  } catch {
    // reported below
  }
  throw damaged('an entry header cannot be read');
}

const damaged = (why: string) => errors.serverArchiveDamaged(`The whole-server recovery point cannot be read: ${why}.`);
