// A storage whose backend module is loaded on its first call. The object-store SDKs cost the
// server ~35 MiB of memory each when imported (measured: RSS 41 MiB for bare Node, 76 with
// @aws-sdk/client-s3, 82 with @azure/storage-blob), so a server that keeps every vault on its own
// disk should never load them: backends.ts opens S3 and Azure Blob through this. It offers no
// positional read (`readInto`): those backends have none, so callers read through getStream.
import type { Readable } from 'node:stream';
import type { AccessTier, ByteRange, ObjectInfo, RehydrationPriority, Storage, StorageProperties, TierSupport } from './storage.ts';

export interface LazyStorageOptions {
  displayName: string;
  properties: StorageProperties;
  /**
   * The backend's access tiers, if it has them, as far as they are known before it is loaded
   * (`tiers.rehydrationExpires`); the calls load it.
   */
  tiers: { rehydrationExpires: boolean } | null;
  /** Imports the backend's module and opens the storage; called once (again after a failure). */
  load: () => Promise<Storage>;
}

export class LazyStorage implements Storage {
  readonly displayName: string;
  readonly properties: StorageProperties;
  readonly tiers?: TierSupport;
  readonly #load: () => Promise<Storage>;
  #inner: Promise<Storage> | undefined;

  constructor(opts: LazyStorageOptions) {
    this.displayName = opts.displayName;
    this.properties = opts.properties;
    this.#load = opts.load;
    if (opts.tiers) {
      const tiersOf = async (): Promise<TierSupport> => {
        const t = (await this.#open()).tiers;
        if (!t) throw new Error(`${this.displayName}: the backend declared access tiers but has none`);
        return t;
      };
      this.tiers = {
        rehydrationExpires: opts.tiers.rehydrationExpires,
        putInTier: async (name: string, data: Buffer | Readable, tier: AccessTier) => (await tiersOf()).putInTier(name, data, tier),
        setTier: async (name: string, tier: AccessTier) => (await tiersOf()).setTier(name, tier),
        getTier: async (name: string) => (await tiersOf()).getTier(name),
        rehydrate: async (name: string, target: AccessTier, priority: RehydrationPriority, days: number) =>
          (await tiersOf()).rehydrate(name, target, priority, days),
      };
    }
  }

  #open(): Promise<Storage> {
    this.#inner ??= this.#load().catch((e: unknown) => {
      this.#inner = undefined; // a failed open (credentials missing, say) is tried again next call
      throw e;
    });
    return this.#inner;
  }

  async put(name: string, data: Buffer | Readable): Promise<void> {
    return (await this.#open()).put(name, data);
  }

  async get(name: string): Promise<Buffer> {
    return (await this.#open()).get(name);
  }

  async getStream(name: string, range?: ByteRange): Promise<Readable> {
    return (await this.#open()).getStream(name, range);
  }

  async stat(name: string): Promise<ObjectInfo> {
    return (await this.#open()).stat(name);
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    yield* (await this.#open()).list(prefix);
  }

  async delete(name: string): Promise<void> {
    return (await this.#open()).delete(name);
  }
}
