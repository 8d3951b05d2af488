// A hash table from 32-byte chunk ids to four 32-bit numbers, in typed arrays: 48 bytes a slot
// and at most 70% of slots used, about 70 bytes per chunk where a Map of hex strings to objects
// took about 174. Open addressing with linear probing; deletion shifts the following entries
// back, so there are no tombstones. Ids are keyed hashes (uniform), so their first bytes are the
// hash. Hex ids are converted through one scratch buffer: no allocation per lookup.

const KEY_BYTES = 32;
const MAX_LOAD = 0.7;

export class IdTable {
  #cap: number;
  #mask: number;
  #keys: Uint8Array;
  /** Four values per slot; slot i is in use when #used[i] is 1. */
  #values: Uint32Array;
  #used: Uint8Array;
  #size = 0;
  readonly #scratch = Buffer.alloc(KEY_BYTES);

  constructor(capacity = 1024) {
    let cap = 16;
    while (cap < capacity) cap *= 2;
    this.#cap = cap;
    this.#mask = cap - 1;
    this.#keys = new Uint8Array(cap * KEY_BYTES);
    this.#values = new Uint32Array(cap * 4);
    this.#used = new Uint8Array(cap);
  }

  get size(): number {
    return this.#size;
  }

  #key(id: string): Buffer {
    if (id.length !== KEY_BYTES * 2 || this.#scratch.write(id, 'hex') !== KEY_BYTES) throw new Error(`Not a chunk id: '${id}'.`);
    return this.#scratch;
  }

  #home(key: Uint8Array, at = 0): number {
    return ((key[at]! | (key[at + 1]! << 8) | (key[at + 2]! << 16) | (key[at + 3]! << 24)) >>> 0) & this.#mask;
  }

  #equals(slot: number, key: Uint8Array): boolean {
    const base = slot * KEY_BYTES;
    for (let i = 0; i < KEY_BYTES; i++) if (this.#keys[base + i] !== key[i]) return false;
    return true;
  }

  /** The slot holding `key`, or -1. */
  #find(key: Uint8Array): number {
    for (let s = this.#home(key); this.#used[s]; s = (s + 1) & this.#mask) if (this.#equals(s, key)) return s;
    return -1;
  }

  has(id: string): boolean {
    return this.#find(this.#key(id)) >= 0;
  }

  /** The four values stored for `id`, or undefined. */
  get(id: string): [number, number, number, number] | undefined {
    const s = this.#find(this.#key(id));
    if (s < 0) return undefined;
    const v = this.#values;
    return [v[s * 4]!, v[s * 4 + 1]!, v[s * 4 + 2]!, v[s * 4 + 3]!];
  }

  /** The first value stored for `id` (no allocation), or -1 when absent. */
  first(id: string): number {
    const s = this.#find(this.#key(id));
    return s < 0 ? -1 : this.#values[s * 4]!;
  }

  /** Sets the values for `id`, adding it if absent. */
  set(id: string, a: number, b: number, c: number, d: number): void {
    if ((this.#size + 1) / this.#cap > MAX_LOAD) this.#grow();
    const key = this.#key(id);
    let s = this.#home(key);
    while (this.#used[s] && !this.#equals(s, key)) s = (s + 1) & this.#mask;
    if (!this.#used[s]) {
      this.#used[s] = 1;
      this.#keys.set(key, s * KEY_BYTES);
      this.#size++;
    }
    const v = this.#values;
    v[s * 4] = a;
    v[s * 4 + 1] = b;
    v[s * 4 + 2] = c;
    v[s * 4 + 3] = d;
  }

  delete(id: string): boolean {
    let hole = this.#find(this.#key(id));
    if (hole < 0) return false;
    this.#used[hole] = 0;
    this.#size--;
    // Shift back every later entry of the run whose home is not between the hole and itself.
    for (let s = (hole + 1) & this.#mask; this.#used[s]; s = (s + 1) & this.#mask) {
      const home = this.#home(this.#keys, s * KEY_BYTES);
      const stays = hole <= s ? hole < home && home <= s : hole < home || home <= s;
      if (stays) continue;
      this.#keys.copyWithin(hole * KEY_BYTES, s * KEY_BYTES, (s + 1) * KEY_BYTES);
      this.#values.copyWithin(hole * 4, s * 4, s * 4 + 4);
      this.#used[hole] = 1;
      this.#used[s] = 0;
      hole = s;
    }
    return true;
  }

  /** Every id (hex) and its values, in slot order. */
  *entries(): IterableIterator<[string, [number, number, number, number]]> {
    const v = this.#values;
    for (let s = 0; s < this.#cap; s++) {
      if (!this.#used[s]) continue;
      const id = Buffer.from(this.#keys.buffer, this.#keys.byteOffset + s * KEY_BYTES, KEY_BYTES).toString('hex');
      yield [id, [v[s * 4]!, v[s * 4 + 1]!, v[s * 4 + 2]!, v[s * 4 + 3]!]];
    }
  }

  #grow(): void {
    const { keys, values, used, cap } = { keys: this.#keys, values: this.#values, used: this.#used, cap: this.#cap };
    this.#cap = cap * 2;
    this.#mask = this.#cap - 1;
    this.#keys = new Uint8Array(this.#cap * KEY_BYTES);
    this.#values = new Uint32Array(this.#cap * 4);
    this.#used = new Uint8Array(this.#cap);
    for (let old = 0; old < cap; old++) {
      if (!used[old]) continue;
      let s = this.#home(keys, old * KEY_BYTES);
      while (this.#used[s]) s = (s + 1) & this.#mask;
      this.#used[s] = 1;
      this.#keys.set(keys.subarray(old * KEY_BYTES, (old + 1) * KEY_BYTES), s * KEY_BYTES);
      this.#values.set(values.subarray(old * 4, old * 4 + 4), s * 4);
    }
  }
}
