// Chunk compression with Node's built-in zstd: one frame per chunk, compressed synchronously on
// the chunk pool's worker threads (chunk-pool.ts) and decompressed synchronously in a restore.
//
// Node's one-shot zstdCompressSync and zstdDecompressSync build a stream object and a zstd
// context per call, which costs more than the work on an 8 KiB chunk. So each thread keeps one
// context per direction (and level) and runs one frame per chunk through the stream's native
// handle, which is what the one-shot functions themselves call. That handle is not public API:
// it is checked once per thread by a round trip, and if it is missing or misbehaves, every chunk
// goes through the one-shot functions instead.
import { promisify } from 'node:util';
import { constants, ZstdCompress, zstdCompressSync, ZstdDecompress, zstdDecompress, zstdDecompressSync } from 'node:zlib';

const decompressAsync = promisify(zstdDecompress);

/**
 * zstd level 1: on pg_dump data it compresses as well as level 3 or better (its fast strategy
 * suits long runs of similar rows) at about twice the speed; see docs/tuning.md.
 */
export const DEFAULT_COMPRESSION_LEVEL = 1;

/** The native side of a zstd stream, as the one-shot functions drive it. */
interface NativeZstd {
  writeSync(flush: number, input: Buffer, inOff: number, inLen: number, out: Buffer, outOff: number, outLen: number): void;
}

interface Encoder {
  /**
   * One complete frame of `data`, or null when it would not be smaller. The frame may live in a
   * buffer the next call reuses: callers copy it (sealing does) before compressing again.
   */
  frame(data: Buffer): Buffer | null;
}

/** This thread's scratch buffer of at least `size` bytes, reused from call to call. */
let scratch = Buffer.alloc(0);
function scratchOf(size: number): Buffer {
  if (scratch.length < size) scratch = Buffer.allocUnsafeSlow(Math.max(size, 64 * 1024));
  return scratch;
}

function oneShot(level: number): Encoder {
  const options = { params: { [constants.ZSTD_c_compressionLevel]: level, [constants.ZSTD_c_checksumFlag]: 0 } };
  return {
    frame(data) {
      const frame = zstdCompressSync(data, { ...options, chunkSize: Math.max(data.length, 1024) });
      return frame.length < data.length ? frame : null;
    },
  };
}

/**
 * A new stream's native handle and its write state ([output left, input left]), if Node offers
 * them. The stream itself is never written to; an error its handle reports (which also closes
 * the handle) is kept from becoming an uncaught 'error' event.
 */
function nativeOf(stream: ZstdCompress | ZstdDecompress): { native: NativeZstd; state: Uint32Array } | null {
  stream.on('error', () => undefined);
  const internals = stream as unknown as { _handle?: Partial<NativeZstd>; _writeState?: unknown };
  const handle = internals._handle;
  const state = internals._writeState;
  if (typeof handle?.writeSync !== 'function' || !(state instanceof Uint32Array) || state.length < 2) return null;
  return { native: handle as NativeZstd, state };
}

/** An encoder on one long-lived zstd context, or null when Node does not offer the handle. */
function reused(level: number): Encoder | null {
  const got = nativeOf(new ZstdCompress({ params: { [constants.ZSTD_c_compressionLevel]: level, [constants.ZSTD_c_checksumFlag]: 0 } }));
  if (!got) return null;
  const { native, state } = got;
  return {
    frame(data) {
      // Room for any frame (zstd's compress bound), so one call always ends it.
      const room = data.length + (data.length >>> 7) + 512;
      const out = scratchOf(room);
      native.writeSync(constants.ZSTD_e_end, data, 0, data.length, out, 0, room);
      // state = [output bytes left, input bytes left]; all input must be taken, some room left.
      if (state[1] !== 0 || state[0] === 0) throw new Error('zstd did not end the frame.');
      const length = room - state[0]!;
      return length < data.length ? out.subarray(0, length) : null;
    },
  };
}

/** A reused encoder that survives a round trip of sample data, else the one-shot one. */
function checkedEncoder(level: number): Encoder {
  try {
    const enc = reused(level);
    const sample = Buffer.from('dpvault zstd self-test '.repeat(200));
    for (let i = 0; i < 2; i++) {
      const frame = enc?.frame(sample);
      if (!frame || !zstdDecompressSync(frame).equals(sample)) return oneShot(level);
    }
    if (enc) return enc;
  } catch {
    // fall through to the public API
  }
  return oneShot(level);
}

const encoders = new Map<number, Encoder>();

/**
 * One zstd frame of `data`; null when compression is off or would not make it smaller. The frame
 * may be overwritten by the next call on this thread: use or copy it first.
 */
export function compressChunk(data: Buffer, level: number): Buffer | null {
  if (level <= 0 || data.length < 64) return null;
  let enc = encoders.get(level);
  if (!enc) {
    enc = checkedEncoder(level);
    encoders.set(level, enc);
  }
  try {
    return enc.frame(data);
  } catch (e) {
    encoders.delete(level); // its context may be closed: the next chunk gets a new one
    throw e;
  }
}

interface Decoder {
  /**
   * The content of one frame that must hold exactly `rawLength` bytes; null otherwise. The
   * content may live in a buffer the next call reuses: callers copy it before decoding again.
   */
  content(frame: Buffer, rawLength: number): Buffer | null;
}

const oneShotDecoder: Decoder = {
  content(frame, rawLength) {
    try {
      const out = zstdDecompressSync(frame, { maxOutputLength: Math.max(rawLength, 1), chunkSize: Math.max(rawLength, 64) });
      return out.length === rawLength ? out : null;
    } catch {
      return null;
    }
  },
};

/** A decoder on one long-lived context, or null when Node does not offer the handle. */
function reusedDecoder(): Decoder | null {
  const fresh = (): { native: NativeZstd; state: Uint32Array } | null => nativeOf(new ZstdDecompress());
  let ctx = fresh();
  if (!ctx) return null;
  return {
    content(frame, rawLength) {
      ctx ??= fresh();
      if (!ctx) return oneShotDecoder.content(frame, rawLength);
      // One byte of room beyond the expected content, so zstd always reaches the frame's end and
      // a frame that holds more than it should is seen. ZSTD_e_continue: a short frame is not an
      // error here, only a mismatch.
      const out = scratchOf(rawLength + 1);
      try {
        ctx.native.writeSync(constants.ZSTD_e_continue, frame, 0, frame.length, out, 0, rawLength + 1);
      } catch {
        ctx = null; // the context may be closed or left mid-frame: the next chunk gets a new one
        return null;
      }
      if (ctx.state[0] === 1 && ctx.state[1] === 0) return out.subarray(0, rawLength);
      ctx = null;
      return null;
    },
  };
}

/** A reused decoder that survives round trips of sample data (a good one, then a bad one), else the one-shot one. */
function checkedDecoder(): Decoder {
  try {
    const dec = reusedDecoder();
    const sample = Buffer.from('dpvault zstd self-test '.repeat(200));
    const frame = zstdCompressSync(sample);
    const good = (): boolean => dec?.content(frame, sample.length)?.equals(sample) === true;
    if (dec && good() && good() && dec.content(frame, 10) === null && dec.content(frame.subarray(0, 20), sample.length) === null && good()) return dec;
  } catch {
    // fall through to the public API
  }
  return oneShotDecoder;
}

let decoder: Decoder | null = null;

/**
 * The content of a chunk's zstd frame, which must be exactly `rawLength` bytes; null otherwise.
 * It may be overwritten by the next call on this thread: use or copy it first.
 */
export function decompressChunk(frame: Buffer, rawLength: number): Buffer | null {
  decoder ??= checkedDecoder();
  return decoder.content(frame, rawLength);
}

/** Decompresses a payload that must expand to exactly `rawLength` bytes; null otherwise. */
export async function decompress(payload: Buffer, rawLength: number): Promise<Buffer | null> {
  try {
    const out = await decompressAsync(payload, { maxOutputLength: Math.max(rawLength, 1), chunkSize: Math.max(rawLength, 64 * 1024) });
    return out.length === rawLength ? out : null;
  } catch {
    return null;
  }
}
