// The CPU-heavy work on chunks, a batch at a time: compressing and sealing new chunks into pack
// blobs (backup; on a worker thread, chunk-pool.ts, or inline), and opening and decompressing
// blobs back into chunks, each checked against its id (restore). A batch is one buffer of chunks
// or blobs laid end to end plus their lengths and ids, so a thousand small chunks cost one
// message between threads, not a thousand. Consecutive new chunks are compressed and sealed together as
// one frame of up to `frameBytes` (pack.ts): one zstd frame and one AES-GCM seal per ~64 KiB
// instead of per 8 KiB chunk, which was most of a backup's sealing time (docs/benchmarks.md).
import { chunkId, ID_BYTES, SEAL_OVERHEAD } from './crypto.ts';
import { blobPlaintextPieces, openBlob, sealChunkPieces } from './pack.ts';
import { compressChunk } from './zstd.ts';

export interface SealJob {
  /** zstd level; 0 stores every chunk as it is. */
  level: number;
  /**
   * Consecutive chunks are sealed together while their total stays within this many bytes; a
   * chunk that alone exceeds it is a frame of its own (0: every chunk alone, format 1).
   */
  frameBytes: number;
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
  /** How many of the job's chunks each blob holds, in order. */
  counts: Uint32Array<ArrayBuffer>;
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
  const counts = new Uint32Array(n);
  let blobs = 0;
  let at = job.start;
  let put = 0;
  for (let i = 0; i < n; ) {
    let j = i + 1;
    let raw = job.lengths[i]!;
    while (j < n && raw + job.lengths[j]! <= job.frameBytes) raw += job.lengths[j++]!;
    const frame = buf.subarray(at, at + raw);
    at += raw;
    const compressed = compressChunk(frame, job.level);
    // Sealing reads the whole payload before any piece is copied back into `buf`; unsealed, the
    // payload moves back by at least the flag byte's headroom, and Buffer.copy handles overlap.
    const aad = ids.subarray(i * ID_BYTES, j * ID_BYTES);
    const pieces = job.seal ? sealChunkPieces(dataKey, aad, compressed ?? frame, compressed !== null) : blobPlaintextPieces(compressed ?? frame, compressed !== null);
    const start = put;
    for (const piece of pieces) put += piece.copy(buf, put);
    if (put > at) throw new Error('A sealed batch outgrew its headroom.');
    lengths[blobs] = put - start;
    counts[blobs++] = j - i;
    i = j;
  }
  return { blobs: job.data.subarray(0, put), lengths: lengths.slice(0, blobs), counts: counts.slice(0, blobs) };
}

export interface OpenJob {
  dataKey: Buffer;
  /** Every picked chunk's id is recomputed under this key and must match. */
  idKey: Buffer;
  /** Blobs, as read from a pack (with any bytes between them). */
  data: Buffer;
  /** Per blob: where it starts in `data`, its length, and how many chunks it holds. */
  offsets: Uint32Array;
  lengths: Uint32Array;
  counts: Uint32Array;
  /** Per chunk of every blob, blob after blob: its 32-byte id (end to end) and original length. */
  ids: Buffer;
  rawLengths: Uint32Array;
  /** The chunks to produce, in order, as indexes into those chunks. */
  picks: Uint32Array;
  /**
   * Where each pick goes in `into` (which then may be shared memory that several jobs fill at
   * once); without it the picks are written end to end.
   */
  dests?: Uint32Array;
}

export interface OpenedBatch {
  /** The picked chunks, end to end, in order; empty when `bad` is set or the job had `dests`. */
  data: Buffer;
  /**
   * The index of the first pick whose blob did not authenticate or decompress to its length, or
   * whose bytes do not hash to its id, else -1.
   */
  bad: number;
}

/** The picked chunks' original bytes in total. */
export function openedSize(job: OpenJob): number {
  let total = 0;
  for (let i = 0; i < job.picks.length; i++) total += job.rawLengths[job.picks[i]!]!;
  return total;
}

/**
 * Opens the blobs of `job` and writes its picks: into `into` when given (it must hold
 * openedSize(job) bytes, or with `dests` reach past every destination).
 */
export function openBatch(job: OpenJob, into?: Buffer): OpenedBatch {
  const dests = job.dests;
  if (dests && !into) throw new Error('An open job with destinations needs a buffer to write into.');
  const out = dests ? into! : into ? into.subarray(0, openedSize(job)) : Buffer.allocUnsafeSlow(openedSize(job));
  // Each chunk's blob and its place in the blob's original bytes.
  const chunks = job.rawLengths.length;
  const blobOf = new Uint32Array(chunks);
  const rawOffset = new Uint32Array(chunks);
  const firstChunk = new Uint32Array(job.counts.length + 1);
  for (let b = 0, c = 0; b < job.counts.length; b++) {
    firstChunk[b] = c;
    for (let k = 0, off = 0; k < job.counts[b]!; k++, c++) {
      if (c >= chunks) return { data: Buffer.alloc(0), bad: 0 };
      blobOf[c] = b;
      rawOffset[c] = off;
      off += job.rawLengths[c]!;
    }
    firstChunk[b + 1] = c;
  }
  let openedBlob = -1;
  let content: Buffer | null = null;
  let put = 0;
  for (let p = 0; p < job.picks.length; p++) {
    const c = job.picks[p]!;
    const b = blobOf[c]!;
    if (b !== openedBlob) {
      content = openOne(job, b, firstChunk[b]!, firstChunk[b + 1]!);
      openedBlob = b;
    }
    if (!content) return { data: Buffer.alloc(0), bad: p };
    const chunk = content.subarray(rawOffset[c]!, rawOffset[c]! + job.rawLengths[c]!);
    if (!chunkId(job.idKey, chunk).equals(job.ids.subarray(c * ID_BYTES, (c + 1) * ID_BYTES))) return { data: Buffer.alloc(0), bad: p };
    if (dests) {
      if (dests[p]! + chunk.length > out.length) return { data: Buffer.alloc(0), bad: p };
      chunk.copy(out, dests[p]!);
    } else put += chunk.copy(out, put);
  }
  return { data: dests ? Buffer.alloc(0) : out, bad: -1 };
}

/** The original bytes of blob `b`, holding chunks [from, to); null when it is damaged. */
function openOne(job: OpenJob, b: number, from: number, to: number): Buffer | null {
  const start = job.offsets[b]!;
  const blob = job.data.subarray(start, start + job.lengths[b]!);
  if (blob.length !== job.lengths[b]) return null;
  let raw = 0;
  for (let c = from; c < to; c++) raw += job.rawLengths[c]!;
  return openBlob(job.dataKey, blob, job.ids.subarray(from * ID_BYTES, to * ID_BYTES), raw);
}
