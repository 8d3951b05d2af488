// Chunk ids as 128-bit fingerprints in an open-addressing hash table of typed arrays, 21 bytes a
// slot, at most 3/4 of the slots used, sized to the count asked for (not to a power of two), so
// about 28 bytes a chunk where a Set of hex strings took ~110 and a Map from ids to pack ids ~150.
// gc's mark and plan hold one such table for every chunk of the repository (docs/benchmarks.md,
// "Scale 100"): each id in it may be *live* (a recovery point names it: the set's members) and
// may be *located* (a value: the first stored pack holding it), so the live set and the first
// copies share one table, not two.
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

/** Slot flags. */
const USED = 1;
const LIVE = 2;
const LOCATED = 4;

export class IdFingerprints {
  #slots: number;
  /** Four words a slot. */
  #keys: Uint32Array;
  #values: Uint32Array;
  #flags: Uint8Array;
  #used = 0;
  #live = 0;
  #located = 0;

  /** `capacity`: how many ids the table holds before it grows (doubling, by rehashing). */
  constructor(capacity = 1024) {
    this.#slots = Math.max(16, Math.ceil(capacity / MAX_LOAD));
    this.#keys = new Uint32Array(4 * this.#slots);
    this.#values = new Uint32Array(this.#slots);
    this.#flags = new Uint8Array(this.#slots);
  }

  /** Live ids held (the set's members). */
  get size(): number {
    return this.#live;
  }

  /** Ids located (given a value). */
  get locatedCount(): number {
    return this.#located;
  }

  /** Bytes the table's arrays take. */
  get bytes(): number {
    return this.#keys.byteLength + this.#values.byteLength + this.#flags.byteLength;
  }

  /** Folds `id` into scratchWords[0..3]. */
  static #fold(id: string): void {
    if (id.length !== 64 || scratchBytes.write(id, 0, 'hex') !== 32) throw new Error(`Not a chunk id: '${id}'.`);
    for (let i = 0; i < 4; i++) scratchWords[i] = scratchWords[i]! ^ Math.imul(scratchWords[i + 4]!, 0x9e3779b1);
  }

  /** The slot holding the folded key, or the empty slot where it would go. */
  #slot(): number {
    const w = scratchWords;
    const n = this.#slots;
    // The hash's top 21 bits scaled to the slot count (exact in a double: at most 2^52).
    let i = Math.floor((((Math.imul(w[0]! ^ w[1]! ^ w[2]! ^ w[3]!, 0x9e3779b1) >>> 11) * n) / 2097152));
    const k = this.#keys;
    while (this.#flags[i] !== 0) {
      const at = i * 4;
      if (k[at] === w[0] && k[at + 1] === w[1] && k[at + 2] === w[2] && k[at + 3] === w[3]) return i;
      i = i + 1 === n ? 0 : i + 1;
    }
    return i;
  }

  /** The slot of the folded key, added (with no flag but USED) if it was not there. */
  #claim(): number {
    let i = this.#slot();
    if (this.#flags[i] !== 0) return i;
    if (this.#used + 1 > MAX_LOAD * this.#slots) {
      // Growing rehashes through the scratch words: the key to add is kept aside meanwhile.
      const key = scratchWords.slice(0, 4);
      this.#grow();
      scratchWords.set(key);
      i = this.#slot();
    }
    this.#flags[i] = USED;
    this.#keys.set(scratchWords.subarray(0, 4), i * 4);
    this.#used++;
    return i;
  }

  /** Whether `id` is live. */
  has(id: string): boolean {
    IdFingerprints.#fold(id);
    return (this.#flags[this.#slot()]! & LIVE) !== 0;
  }

  /** As a set: `id` is live. */
  add(id: string): this {
    IdFingerprints.#fold(id);
    const i = this.#claim();
    if ((this.#flags[i]! & LIVE) === 0) {
      this.#flags[i] = this.#flags[i]! | LIVE;
      this.#live++;
    }
    return this;
  }

  /** The value `id` was located with, or undefined. */
  get(id: string): number | undefined {
    IdFingerprints.#fold(id);
    const i = this.#slot();
    return (this.#flags[i]! & LOCATED) !== 0 ? this.#values[i] : undefined;
  }

  /** Whether `id` has a value. */
  isLocated(id: string): boolean {
    IdFingerprints.#fold(id);
    return (this.#flags[this.#slot()]! & LOCATED) !== 0;
  }

  /** Gives `id` `value` unless it has one; returns the value it has now. */
  addIfAbsent(id: string, value = 0): number {
    IdFingerprints.#fold(id);
    const i = this.#claim();
    if ((this.#flags[i]! & LOCATED) !== 0) return this.#values[i]!;
    this.#flags[i] = this.#flags[i]! | LOCATED;
    this.#values[i] = value;
    this.#located++;
    return value;
  }

  /** How many live ids have no value (live chunks no stored pack holds, in gc). */
  liveNotLocated(): number {
    let n = 0;
    for (let i = 0; i < this.#slots; i++) if ((this.#flags[i]! & (LIVE | LOCATED)) === LIVE) n++;
    return n;
  }

  #grow(): void {
    const keys = this.#keys;
    const values = this.#values;
    const flags = this.#flags;
    this.#slots *= 2;
    this.#keys = new Uint32Array(4 * this.#slots);
    this.#values = new Uint32Array(this.#slots);
    this.#flags = new Uint8Array(this.#slots);
    for (let j = 0; j < flags.length; j++) {
      if (flags[j] === 0) continue;
      scratchWords.set(keys.subarray(j * 4, j * 4 + 4));
      const i = this.#slot();
      this.#flags[i] = flags[j]!;
      this.#values[i] = values[j]!;
      this.#keys.set(scratchWords.subarray(0, 4), i * 4);
    }
  }
}
