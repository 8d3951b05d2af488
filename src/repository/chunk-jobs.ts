// The CPU-heavy work on chunks, a batch at a time, run on worker threads (chunk-pool.ts) or, for
// a stream too small to be worth a thread, inline: compressing and sealing new chunks into pack
// blobs (backup), and opening and decompressing blobs back into chunks (restore). A batch
// travels as one buffer of chunks or blobs laid end to end plus their lengths and ids, so a
// thousand small chunks cost one message between threads, not a thousand.
import { ID_BYTES, SEAL_OVERHEAD } from './crypto.ts';
import { sealChunkPieces, unsealChunk } from './pack.ts';
import { compressChunk, decompressChunk } from './zstd.ts';

export interface SealJob {
  /** zstd level; 0 stores every chunk as it is. */
  level: number;
  dataKey: Uint8Array;
  /** The chunks, end to end. */
  data: Uint8Array<ArrayBuffer>;
  /** The length of each chunk in `data`. */
  lengths: Uint32Array<ArrayBuffer>;
  /** The 32-byte id of each chunk, end to end. */
  ids: Uint8Array<ArrayBuffer>;
}

export interface SealedBatch {
  /** The blobs, end to end, in the order of the job's chunks. */
  blobs: Uint8Array<ArrayBuffer>;
  /** The length of each blob in `blobs`. */
  lengths: Uint32Array<ArrayBuffer>;
}

/** Blob bytes beyond the payload: the seal and the flag byte. */
const BLOB_OVERHEAD = SEAL_OVERHEAD + 1;

export function sealBatch(job: SealJob): SealedBatch {
  const data = Buffer.from(job.data.buffer, job.data.byteOffset, job.data.byteLength);
  const ids = Buffer.from(job.ids.buffer, job.ids.byteOffset, job.ids.byteLength);
  const dataKey = Buffer.from(job.dataKey);
  const n = job.lengths.length;
  // A buffer of its own (never a slice of Node's shared pool), so it can be transferred. A blob
  // is never longer than its chunk plus the overhead (a chunk zstd cannot shrink is stored).
  const out = new Uint8Array(data.length + n * BLOB_OVERHEAD);
  const lengths = new Uint32Array(n);
  let at = 0;
  let put = 0;
  for (let i = 0; i < n; i++) {
    const chunk = data.subarray(at, at + job.lengths[i]!);
    at += chunk.length;
    const compressed = compressChunk(chunk, job.level);
    const start = put;
    for (const piece of sealChunkPieces(dataKey, ids.subarray(i * ID_BYTES, (i + 1) * ID_BYTES), compressed ?? chunk, compressed !== null)) {
      out.set(piece, put);
      put += piece.length;
    }
    lengths[i] = put - start;
  }
  return { blobs: out.subarray(0, put), lengths };
}

export interface OpenJob {
  dataKey: Uint8Array;
  /** Blobs end to end, as read from a pack. */
  data: Uint8Array<ArrayBuffer>;
  /** Where each blob starts in `data`, and its length. */
  offsets: Uint32Array<ArrayBuffer>;
  lengths: Uint32Array<ArrayBuffer>;
  /** The original length of each chunk. */
  rawLengths: Uint32Array<ArrayBuffer>;
  /** The 32-byte id of each chunk, end to end. */
  ids: Uint8Array<ArrayBuffer>;
}

export interface OpenedBatch {
  /** The chunks, end to end, in the job's order; empty when `bad` is set. */
  data: Uint8Array<ArrayBuffer>;
  /** The index of the first blob that did not authenticate or decompress to its length, else -1. */
  bad: number;
}

export function openBatch(job: OpenJob): OpenedBatch {
  const data = Buffer.from(job.data.buffer, job.data.byteOffset, job.data.byteLength);
  const dataKey = Buffer.from(job.dataKey);
  const n = job.lengths.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += job.rawLengths[i]!;
  const out = new Uint8Array(total);
  let put = 0;
  for (let i = 0; i < n; i++) {
    const start = job.offsets[i]!;
    const blob = data.subarray(start, start + job.lengths[i]!);
    const id = Buffer.from(job.ids.buffer, job.ids.byteOffset + i * ID_BYTES, ID_BYTES).toString('hex');
    const opened = blob.length === job.lengths[i] ? unsealChunk(dataKey, id, blob) : null;
    const chunk = opened && (opened.compressed ? decompressChunk(opened.payload, job.rawLengths[i]!) : opened.payload);
    if (!chunk || chunk.length !== job.rawLengths[i]) return { data: new Uint8Array(0), bad: i };
    out.set(chunk, put);
    put += chunk.length;
  }
  return { data: out, bad: -1 };
}
