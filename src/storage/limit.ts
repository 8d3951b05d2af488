// A bound on the operations in flight against one storage: at most `properties.maxConcurrency`
// puts, gets, positional reads, stats, deletes and stream openings at once; the rest wait their turn in order. A
// stream's slot is given back once the stream is handed over, and listings are not bounded: both
// are consumed at the caller's pace, and a caller that waited for a slot while holding one could
// wait forever. A put of a stream holds its slot until the stream ends, so such a stream must
// not be fed by reads of the same storage (none is: the repository puts buffers).
import type { Readable } from 'node:stream';
import type { ByteRange, ObjectInfo, Storage } from './storage.ts';
import { StorageWrapper } from './wrapper.ts';

/** Slots handed out first come, first served. */
class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(count: number) {
    this.#free = Math.max(1, count);
  }

  async run<T>(op: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await op();
    } finally {
      const next = this.#waiting.shift();
      if (next) next(); // the slot passes on without being freed in between
      else this.#free++;
    }
  }
}

export class LimitedStorage extends StorageWrapper {
  readonly #slots: Slots;

  constructor(inner: Storage, maxConcurrency = inner.properties.maxConcurrency) {
    super(inner);
    this.#slots = new Slots(maxConcurrency);
  }

  override put(name: string, data: Buffer | Readable): Promise<void> {
    return this.#slots.run(() => this.inner.put(name, data));
  }

  override get(name: string): Promise<Buffer> {
    return this.#slots.run(() => this.inner.get(name));
  }

  override getStream(name: string, range?: ByteRange): Promise<Readable> {
    return this.#slots.run(() => this.inner.getStream(name, range));
  }

  /** Holds its slot for the whole read (the read is done when it resolves, unlike a stream's opening). */
  protected override readIntoBelow(name: string, offset: number, target: Uint8Array): Promise<number> {
    return this.#slots.run(() => super.readIntoBelow(name, offset, target));
  }

  override stat(name: string): Promise<ObjectInfo> {
    return this.#slots.run(() => this.inner.stat(name));
  }

  override delete(name: string): Promise<void> {
    return this.#slots.run(() => this.inner.delete(name));
  }
}
