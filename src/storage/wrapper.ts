// The base of the storage wrappers (stack.ts): forwards every call to the storage it wraps, so
// a wrapper overrides only the operations it changes. The optional positional read (`readInto`)
// is offered exactly when the storage below offers it, so a caller above an object store falls
// back to streams; a wrapper that changes reads overrides `readIntoBelow` (what readInto does).
import type { Readable } from 'node:stream';
import type { ByteRange, ObjectInfo, Storage, StorageProperties, TierSupport } from './storage.ts';

export abstract class StorageWrapper implements Storage {
  protected readonly inner: Storage;

  /** Positional reads (see Storage.readInto): present only when the wrapped storage has them. */
  readonly readInto?: (name: string, offset: number, target: Uint8Array) => Promise<number>;

  constructor(inner: Storage) {
    this.inner = inner;
    if (inner.readInto) this.readInto = (name, offset, target) => this.readIntoBelow(name, offset, target);
  }

  /** What this wrapper's readInto does; called only when the wrapped storage has readInto. */
  protected readIntoBelow(name: string, offset: number, target: Uint8Array): Promise<number> {
    return this.inner.readInto?.(name, offset, target) ?? Promise.reject(new Error(`${this.displayName} has no positional reads`));
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
