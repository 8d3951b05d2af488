// Chunk ids as 128-bit fingerprints, each with one 32-bit value, in an open-addressing hash table
// of typed arrays: 21 bytes a slot, at most 3/4 of the slots used, so 28 to 56 bytes a chunk where
// a Set of hex strings took ~110 and a Map from ids to pack ids ~150 (the garbage collector's
// mark and plan hold one table for every chunk of the repository: docs/benchmarks.md, "Scale 100").
//
// A fingerprint is the id's first 16 bytes XORed with its last 16, each 32-bit word of those
// multiplied by an odd constant (a bijection, so that ids whose halves are alike, as tests write
// them, do not all fold to one value). Ids are keyed SHA-256 hashes, so two ids share a
// fingerprint with a probability of about n² / 2^129 (1e-27 for a million chunks): the table
// treats a fingerprint as the id. Linear probing; no deletion.

const MAX_LOAD = 0.75;
const scratch = new ArrayBuffer(32);
const scratchBytes = Buffer.from(scratch);
const scratchWords = new Uint32Array(scratch);

export class IdFingerprints {
  #bits: number;
  #mask: number;
  /** Four words a slot. */
  #keys: Uint32Array;
  #values: Uint32Array;
  #used: Uint8Array;
  #size = 0;

  constructor(capacity = 1024) {
    let bits = 4;
    while (1 << bits < capacity / MAX_LOAD) bits++;
    this.#bits = bits;
    this.#mask = (1 << bits) - 1;
    this.#keys = new Uint32Array(4 << bits);
    this.#values = new Uint32Array(1 << bits);
    this.#used = new Uint8Array(1 << bits);
  }

  /** Distinct ids held. */
  get size(): number {
    return this.#size;
  }

  /** Bytes the table's arrays take. */
  get bytes(): number {
    return this.#keys.byteLength + this.#values.byteLength + this.#used.byteLength;
  }

  /** Folds `id` into scratchWords[0..3]. */
  static #fold(id: string): void {
    if (id.length !== 64 || scratchBytes.write(id, 0, 'hex') !== 32) throw new Error(`Not a chunk id: '${id}'.`);
    for (let i = 0; i < 4; i++) scratchWords[i] = scratchWords[i]! ^ Math.imul(scratchWords[i + 4]!, 0x9e3779b1);
  }

  /** The slot holding the folded key, or the empty slot where it would go. */
  #slot(): number {
    const w = scratchWords;
    let i = (Math.imul(w[0]! ^ w[1]! ^ w[2]! ^ w[3]!, 0x9e3779b1) >>> (32 - this.#bits)) & this.#mask;
    const k = this.#keys;
    while (this.#used[i] === 1) {
      const at = i * 4;
      if (k[at] === w[0] && k[at + 1] === w[1] && k[at + 2] === w[2] && k[at + 3] === w[3]) return i;
      i = (i + 1) & this.#mask;
    }
    return i;
  }

  has(id: string): boolean {
    IdFingerprints.#fold(id);
    return this.#used[this.#slot()] === 1;
  }

  /** The value kept for `id`, or undefined. */
  get(id: string): number | undefined {
    IdFingerprints.#fold(id);
    const i = this.#slot();
    return this.#used[i] === 1 ? this.#values[i] : undefined;
  }

  /** Adds `id` with `value` unless it is there; returns the value it has now. */
  addIfAbsent(id: string, value = 0): number {
    IdFingerprints.#fold(id);
    let i = this.#slot();
    if (this.#used[i] === 1) return this.#values[i]!;
    if (this.#size + 1 > MAX_LOAD * (this.#mask + 1)) {
      // Growing rehashes through the scratch words: the key to add is kept aside meanwhile.
      const key = scratchWords.slice(0, 4);
      this.#grow();
      scratchWords.set(key);
      i = this.#slot();
    }
    this.#used[i] = 1;
    this.#values[i] = value;
    this.#keys.set(scratchWords.subarray(0, 4), i * 4);
    this.#size++;
    return value;
  }

  /** As a set: adds `id`. */
  add(id: string): this {
    this.addIfAbsent(id);
    return this;
  }

  /** How many of the ids held here `other` does not hold. */
  countNotIn(other: IdFingerprints): number {
    let n = 0;
    for (let i = 0; i <= this.#mask; i++) {
      if (this.#used[i] !== 1) continue;
      scratchWords.set(this.#keys.subarray(i * 4, i * 4 + 4));
      if (other.#used[other.#slot()] !== 1) n++;
    }
    return n;
  }

  #grow(): void {
    const keys = this.#keys;
    const values = this.#values;
    const used = this.#used;
    this.#bits++;
    this.#mask = (1 << this.#bits) - 1;
    this.#keys = new Uint32Array(4 << this.#bits);
    this.#values = new Uint32Array(1 << this.#bits);
    this.#used = new Uint8Array(1 << this.#bits);
    for (let j = 0; j < used.length; j++) {
      if (used[j] !== 1) continue;
      scratchWords.set(keys.subarray(j * 4, j * 4 + 4));
      const i = this.#slot();
      this.#used[i] = 1;
      this.#values[i] = values[j]!;
      this.#keys.set(scratchWords.subarray(0, 4), i * 4);
    }
  }
}
