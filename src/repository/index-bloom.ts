// A blocked Bloom filter over 32-byte chunk ids: one 64-byte block (a cache line) per lookup,
// seven bits in it. Chunk ids are keyed hashes (uniform), so their bytes are the hash: bytes 8–11
// pick the block, bytes 12–23 the bits (the first 8 bytes order the index runs and are not used
// here). At 10 bits per id it answers "maybe" for about 1% of absent ids, so almost every lookup
// of a new chunk needs no read (docs/repository-format.md, "The index in memory").

const BLOCK_WORDS = 16;
const PROBES = 7;
/** Bits per id: 1.25 bytes, about 1% false positives. */
export const BLOOM_BITS_PER_ID = 10;

export class BloomFilter {
  readonly #words: Uint32Array;
  readonly #blocks: number;

  /** A filter sized for `capacity` ids. */
  constructor(capacity: number) {
    this.#blocks = Math.max(1, Math.ceil((capacity * BLOOM_BITS_PER_ID) / (BLOCK_WORDS * 32)));
    this.#words = new Uint32Array(this.#blocks * BLOCK_WORDS);
  }

  /** Bytes of memory the filter holds. */
  get bytes(): number {
    return this.#words.byteLength;
  }

  add(key: Uint8Array, at = 0): void {
    const base = this.#base(key, at);
    for (let i = 0; i < PROBES; i++) {
      const pos = probe(key, at, i);
      this.#words[base + (pos >>> 5)]! |= 1 << (pos & 31);
    }
  }

  /** False when `key` was certainly never added. */
  mayHave(key: Uint8Array, at = 0): boolean {
    const base = this.#base(key, at);
    for (let i = 0; i < PROBES; i++) {
      const pos = probe(key, at, i);
      if ((this.#words[base + (pos >>> 5)]! & (1 << (pos & 31))) === 0) return false;
    }
    return true;
  }

  #base(key: Uint8Array, at: number): number {
    return (word(key, at + 8) % this.#blocks) * BLOCK_WORDS;
  }
}

function word(key: Uint8Array, at: number): number {
  return (key[at]! | (key[at + 1]! << 8) | (key[at + 2]! << 16) | (key[at + 3]! << 24)) >>> 0;
}

/** Probe `i`'s bit in the block: 9 bits of the id, three probes to each word from byte 12 on. */
function probe(key: Uint8Array, at: number, i: number): number {
  return (word(key, at + 12 + 4 * Math.floor(i / 3)) >>> (9 * (i % 3))) & 511;
}
