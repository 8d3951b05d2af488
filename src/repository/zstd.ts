// Chunk compression with Node's built-in zstd, run on the libuv thread pool so compression of
// several chunks overlaps with hashing and reading on the main thread. A backup keeps a few
// long-lived compression streams and ends one zstd frame per chunk on them: creating a fresh
// zstd context per chunk costs more than compressing a 512 KiB chunk at level 3.
import { promisify } from 'node:util';
import { constants, createZstdCompress, zstdDecompress } from 'node:zlib';
import type { ZstdCompress } from 'node:zlib';

const decompressAsync = promisify(zstdDecompress);

export const DEFAULT_COMPRESSION_LEVEL = 3;

interface Slot {
  stream: ZstdCompress;
  out: Buffer[];
  failed: Error | null;
}

/** A fixed set of zstd streams; `compress` runs on a free one (callers bound their own concurrency). */
export class ZstdCompressor {
  readonly #level: number;
  readonly #free: Slot[] = [];
  readonly #all: Slot[] = [];

  constructor(level: number, slots: number) {
    this.#level = level;
    if (level <= 0) return;
    for (let i = 0; i < slots; i++) {
      const stream = createZstdCompress({
        chunkSize: 1024 * 1024,
        params: { [constants.ZSTD_c_compressionLevel]: level, [constants.ZSTD_c_checksumFlag]: 0 },
      });
      const slot: Slot = { stream, out: [], failed: null };
      stream.on('data', (d: Buffer) => slot.out.push(d));
      stream.on('error', (e: Error) => (slot.failed = e));
      this.#free.push(slot);
      this.#all.push(slot);
    }
  }

  /** One zstd frame of `data`; null when compression is off or would not make it smaller. */
  async compress(data: Buffer): Promise<Buffer | null> {
    if (this.#level <= 0 || data.length < 64) return null;
    const slot = this.#free.pop();
    if (!slot) throw new Error('ZstdCompressor: more compressions in flight than slots.');
    try {
      const frame = await new Promise<Buffer>((resolve, reject) => {
        slot.stream.write(data);
        slot.stream.flush(constants.ZSTD_e_end, () => {
          const out = Buffer.concat(slot.out);
          slot.out = [];
          if (slot.failed) reject(slot.failed);
          else resolve(out);
        });
      });
      return frame.length < data.length ? frame : null;
    } finally {
      if (!slot.failed) this.#free.push(slot);
    }
  }

  close(): void {
    for (const slot of this.#all) slot.stream.destroy();
  }
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
