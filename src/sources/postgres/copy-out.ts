// Runs `COPY … TO STDOUT` statements on a connected pg client and reads their rows straight off
// its socket as archive pieces (copy-protocol.ts). The pg library would turn every row into a
// message object of its own (millions per dump); psql, which did this before, costs a process,
// a pipe and a second pass to find the rows again. The client is used up by this: its socket is
// taken from the library for the copy and closed afterwards. When the client was connected over
// a SlabReads socket (slab-socket.ts), reads land in a few reused buffers, and the consumer hands
// each data piece back with `recycle` once it is done with it.
import type { Duplex } from 'node:stream';
import type pg from 'pg';
import { CopyTranslator, type CopyEvent } from './copy-protocol.ts';
import { slabReadsOf } from './slab-socket.ts';

const QUERY = 0x51; // 'Q'

/** The socket a connected pg client speaks over (the TLS socket when the session is encrypted). */
function socketOf(client: pg.Client): Duplex {
  const stream = (client as unknown as { connection?: { stream?: unknown } }).connection?.stream as Partial<Duplex> | undefined;
  if (!stream || typeof stream.write !== 'function' || typeof stream.pause !== 'function' || typeof stream.removeAllListeners !== 'function') {
    throw new Error("This version of the 'pg' library does not expose its connection's socket.");
  }
  return stream as Duplex;
}

function queryMessage(sql: string): Buffer {
  const text = Buffer.from(sql, 'utf8');
  const msg = Buffer.alloc(1 + 4 + text.length + 1);
  msg[0] = QUERY;
  msg.writeUInt32BE(4 + text.length + 1, 1);
  text.copy(msg, 5);
  return msg;
}

export interface RawCopy {
  /** The archive pieces and table ends, in order; ends after the last statement. */
  events: AsyncGenerator<CopyEvent>;
  /** Closes the connection; a copy still running fails. */
  close(): void;
  /**
   * Gives back a data piece's bytes, to be read over; call it once per piece, when nothing
   * refers to it any more. Pieces not from this copy's reads are ignored.
   */
  recycle(bytes: Uint8Array): void;
}

/**
 * Sends `sql` (COPY … TO STDOUT statements, `;`-separated) as one simple query on `client`, which
 * must be idle, and yields its rows as pieces of an archive with integers of `intSize` bytes;
 * each table's end lists row starts about `markEvery` bytes apart, if given (CopyTranslator).
 */
export function rawCopy(client: pg.Client, sql: string, intSize: number, markEvery?: number): RawCopy {
  const socket = socketOf(client);
  const slabs = slabReadsOf(socket);
  const translator = new CopyTranslator(intSize, markEvery);
  // Paused before the library's reader goes, so no byte of the answer reaches either reader early.
  socket.pause();
  socket.removeAllListeners('data');
  slabs?.take();
  const close = (): void => {
    socket.destroy();
  };
  async function* reads(): AsyncGenerator<Buffer> {
    if (!slabs) {
      yield* socket as AsyncIterable<Buffer>;
      return;
    }
    socket.resume();
    for (;;) {
      const read = await slabs.next();
      if (!read) return;
      yield read;
    }
  }
  async function* events(): AsyncGenerator<CopyEvent> {
    try {
      socket.write(queryMessage(sql));
      for await (const buf of reads()) {
        const out = translator.push(buf);
        slabs?.handedOut(buf, out.flatMap((e) => (e.kind === 'data' ? [e.bytes] : [])));
        yield* out;
        if (translator.ready) return;
      }
      translator.finish();
    } finally {
      close();
    }
  }
  return { events: events(), close, recycle: (bytes) => slabs?.recycle(bytes) };
}
