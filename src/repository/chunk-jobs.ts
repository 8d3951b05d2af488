// The CPU-heavy work on chunks, a batch at a time: compressing and sealing new chunks into pack
// blobs (backup; on a worker thread, chunk-pool.ts, or inline for a small stream), and opening
// and decompressing blobs back into chunks (restore, inline). A batch is one buffer of chunks or
// blobs laid end to end plus their lengths and ids, so a thousand small chunks cost one message
// between threads, not a thousand.
import { ID_BYTES, SEAL_OVERHEAD } from './crypto.ts';
import { blobPlaintextPieces, sealChunkPieces, unsealChunk } from './pack.ts';
import { compressChunk, decompressChunk } from './zstd.ts';

export interface SealJob {
  /** zstd level; 0 stores every chunk as it is. */
  level: number;
  /**
   * True: seal each chunk into its blob here. False: leave each as its blob's plaintext (flag
   * byte and payload) for the caller to seal (see backup.ts on why large chunks are sealed on
   * the main thread).
   */
  seal: boolean;
  dataKey: Uint8Array;
  /**
   * The batch's buffer: free bytes, then from `start` the chunks end to end. The blobs are
   * written over it from its beginning, so the same memory goes back and forth between threads
   * and no batch allocates a buffer of its own.
   */
  data: Uint8Array<ArrayBuffer>;
  /** Where the chunks begin in `data`; at least `sealHeadroom(lengths.length)`. */
  start: number;
  /** The length of each chunk, in order from `start`. */
  lengths: Uint32Array<ArrayBuffer>;
  /** The 32-byte id of each chunk, end to end. */
  ids: Uint8Array<ArrayBuffer>;
}

export interface SealedBatch {
  /**
   * The blobs (or, unless the job said seal, their plaintexts), end to end from offset 0, in the
   * order of the job's chunks: the job's own buffer.
   */
  blobs: Uint8Array<ArrayBuffer>;
  /** The length of each blob in `blobs`. */
  lengths: Uint32Array<ArrayBuffer>;
}

/** Blob bytes beyond the payload: the seal and the flag byte. */
const BLOB_OVERHEAD = SEAL_OVERHEAD + 1;

/**
 * Free bytes a seal job needs before its chunks for `n` chunks. A blob is at most its chunk plus
 * the overhead (a chunk zstd cannot shrink is stored), so with this headroom the blobs written
 * from offset 0 never reach a chunk not yet read.
 */
export function sealHeadroom(n: number): number {
  return n * BLOB_OVERHEAD;
}

export function sealBatch(job: SealJob): SealedBatch {
  const buf = Buffer.from(job.data.buffer, job.data.byteOffset, job.data.byteLength);
  const ids = Buffer.from(job.ids.buffer, job.ids.byteOffset, job.ids.byteLength);
  const dataKey = Buffer.from(job.dataKey);
  const n = job.lengths.length;
  if (job.start < sealHeadroom(n)) throw new Error('A seal job has too little headroom for its chunks.');
  const lengths = new Uint32Array(n);
  let at = job.start;
  let put = 0;
  for (let i = 0; i < n; i++) {
    const chunk = buf.subarray(at, at + job.lengths[i]!);
    at += chunk.length;
    const compressed = compressChunk(chunk, job.level);
    // Sealing reads the whole payload before any piece is copied back into `buf`; unsealed, the
    // payload moves back by at least the flag byte's headroom, and Buffer.copy handles overlap.
    const id = ids.subarray(i * ID_BYTES, (i + 1) * ID_BYTES);
    const pieces = job.seal ? sealChunkPieces(dataKey, id, compressed ?? chunk, compressed !== null) : blobPlaintextPieces(compressed ?? chunk, compressed !== null);
    const start = put;
    for (const piece of pieces) put += piece.copy(buf, put);
    if (put > at) throw new Error('A sealed batch outgrew its headroom.');
    lengths[i] = put - start;
  }
  return { blobs: job.data.subarray(0, put), lengths };
}

export interface OpenJob {
  dataKey: Buffer;
  /** Blobs end to end, as read from a pack. */
  data: Buffer;
  /** Where each blob starts in `data`, and its length. */
  offsets: Uint32Array;
  lengths: Uint32Array;
  /** The original length of each chunk. */
  rawLengths: Uint32Array;
  /** The 32-byte id of each chunk, end to end. */
  ids: Buffer;
}

export interface OpenedBatch {
  /** The chunks, end to end, in the job's order; empty when `bad` is set. */
  data: Buffer;
  /** The index of the first blob that did not authenticate or decompress to its length, else -1. */
  bad: number;
}

/** The chunks' original bytes in total. */
export function openedSize(job: OpenJob): number {
  let total = 0;
  for (let i = 0; i < job.rawLengths.length; i++) total += job.rawLengths[i]!;
  return total;
}

/** Opens every blob of `job`; into `into` when given (it must hold openedSize(job) bytes). */
export function openBatch(job: OpenJob, into?: Buffer): OpenedBatch {
  const n = job.lengths.length;
  const total = openedSize(job);
  const out = into ? into.subarray(0, total) : Buffer.allocUnsafeSlow(total);
  let put = 0;
  for (let i = 0; i < n; i++) {
    const start = job.offsets[i]!;
    const blob = job.data.subarray(start, start + job.lengths[i]!);
    const id = job.ids.toString('hex', i * ID_BYTES, (i + 1) * ID_BYTES);
    const opened = blob.length === job.lengths[i] ? unsealChunk(job.dataKey, id, blob) : null;
    const chunk = opened && (opened.compressed ? decompressChunk(opened.payload, job.rawLengths[i]!) : opened.payload);
    if (!chunk || chunk.length !== job.rawLengths[i]) return { data: Buffer.alloc(0), bad: i };
    put += chunk.copy(out, put);
  }
  return { data: out, bad: -1 };
}
