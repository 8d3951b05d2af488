// The base of the storage wrappers (stack.ts): forwards every call to the storage it wraps, so
// a wrapper overrides only the operations it changes.
import type { Readable } from 'node:stream';
import type { ByteRange, ObjectInfo, Storage, StorageProperties, TierSupport } from './storage.ts';

export abstract class StorageWrapper implements Storage {
  protected readonly inner: Storage;

  constructor(inner: Storage) {
    this.inner = inner;
  }

  get displayName(): string {
    return this.inner.displayName;
  }

  get properties(): StorageProperties {
    return this.inner.properties;
  }

  get tiers(): TierSupport | undefined {
    return this.inner.tiers;
  }

  put(name: string, data: Buffer | Readable): Promise<void> {
    return this.inner.put(name, data);
  }

  get(name: string): Promise<Buffer> {
    return this.inner.get(name);
  }

  getStream(name: string, range?: ByteRange): Promise<Readable> {
    return this.inner.getStream(name, range);
  }

  stat(name: string): Promise<ObjectInfo> {
    return this.inner.stat(name);
  }

  list(prefix: string): AsyncIterable<ObjectInfo> {
    return this.inner.list(prefix);
  }

  delete(name: string): Promise<void> {
    return this.inner.delete(name);
  }

  removePartials(): Promise<number> {
    return this.inner.removePartials?.() ?? Promise.resolve(0);
  }
}
