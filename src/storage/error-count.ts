// A storage wrapper that reports every failed operation of the storage below it (a missing
// object aside: that is an answer, not a failure), for the `dpvault_storage_errors_total` metric.
// Stacked under retry (stack.ts), so each failed attempt counts, the ones a retry then cured too.
import type { Readable } from 'node:stream';
import type { ByteRange, ObjectInfo } from './storage.ts';
import { isNotFound, type Storage } from './storage.ts';
import { StorageWrapper } from './wrapper.ts';

export class ErrorCountingStorage extends StorageWrapper {
  readonly #onError: () => void;

  constructor(inner: Storage, onError: () => void) {
    super(inner);
    this.#onError = onError;
  }

  #seen = <T>(p: Promise<T>): Promise<T> =>
    p.catch((e: unknown) => {
      if (!isNotFound(e)) this.#onError();
      throw e;
    });

  override put(name: string, data: Buffer | Readable): Promise<void> {
    return this.#seen(this.inner.put(name, data));
  }

  override get(name: string): Promise<Buffer> {
    return this.#seen(this.inner.get(name));
  }

  override getStream(name: string, range?: ByteRange): Promise<Readable> {
    return this.#seen(this.inner.getStream(name, range));
  }

  protected override readIntoBelow(name: string, offset: number, target: Uint8Array): Promise<number> {
    return this.#seen(super.readIntoBelow(name, offset, target));
  }

  override stat(name: string): Promise<ObjectInfo> {
    return this.#seen(this.inner.stat(name));
  }

  override async *list(prefix: string): AsyncIterable<ObjectInfo> {
    try {
      yield* this.inner.list(prefix);
    } catch (e) {
      if (!isNotFound(e)) this.#onError();
      throw e;
    }
  }

  override delete(name: string): Promise<void> {
    return this.#seen(this.inner.delete(name));
  }
}
