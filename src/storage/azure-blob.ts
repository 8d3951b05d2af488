// Azure Blob storage: each object is a block blob under the location's prefix in one container.
// A put uploads blocks and commits the block list last, so a blob appears whole or not at all (a
// failed stream leaves only uncommitted blocks, which Azure discards). Access tiers are exposed
// as `tiers`: puts straight into a tier, Set Blob Tier, the blob's tier and archive status, and
// rehydration in place with a priority (the blob stays in the target tier until moved back).
// Credentials come from AZURE_STORAGE_CONNECTION_STRING, or AZURE_STORAGE_ACCOUNT with
// AZURE_STORAGE_KEY, never from the location; the location's endpoint wins over a connection
// string's. Retries belong to the storage stack (stack.ts), so the SDK's own are off.
import { Readable } from 'node:stream';
import {
  AnonymousCredential, BlobServiceClient, StorageSharedKeyCredential, type BlobItem, type ContainerClient,
} from '@azure/storage-blob';
import { errors } from '../domain/errors.ts';
import { classifyObjectError, isMissingContainer, isRehydrationUnderWay, sdkFailure } from './object-errors.ts';
import { failureOf, OBJECT_STORE_PROPERTIES, onceUntilFailed } from './object-store.ts';
import { describe, type ObjectStoreLocation } from './object-url.ts';
import type { AccessTier, ByteRange, ObjectInfo, Storage, StorageProperties, TierSupport } from './storage.ts';
import { checkObjectName, checkRange, isNotFound } from './storage.ts';

/** Blocks of a streamed put: 8 MiB each, two in flight, so a stream put holds at most ~16 MiB. */
const BLOCK_SIZE = 8 * 1024 * 1024;
const BLOCKS_IN_FLIGHT = 2;

const CREDENTIAL_VARIABLES = 'AZURE_STORAGE_CONNECTION_STRING, or AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY';

const TIER_NAMES: Record<AccessTier, string> = { hot: 'Hot', cool: 'Cool', cold: 'Cold', archive: 'Archive' };

function tierOf(name: string | undefined): AccessTier {
  const found = (Object.keys(TIER_NAMES) as AccessTier[]).find((t) => TIER_NAMES[t].toLowerCase() === (name ?? 'hot').toLowerCase());
  return found ?? 'hot';
}

/** `rehydrate-pending-to-hot` → 'hot'; anything else → null. */
function rehydratingTo(archiveStatus: string | undefined): AccessTier | null {
  const m = /^rehydrate-pending-to-(\w+)$/i.exec(archiveStatus ?? '');
  return m?.[1] ? tierOf(m[1]) : null;
}

/** Account, key or SAS and endpoint from the environment; the location's endpoint wins. */
export function azureCredentials(
  loc: ObjectStoreLocation,
  env: NodeJS.ProcessEnv = process.env,
): { serviceUrl: string; credential: StorageSharedKeyCredential | AnonymousCredential } {
  const parts = new Map<string, string>();
  for (const part of (env.AZURE_STORAGE_CONNECTION_STRING ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) parts.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  const account = parts.get('accountname') ?? env.AZURE_STORAGE_ACCOUNT;
  const key = parts.get('accountkey') ?? (parts.size ? undefined : env.AZURE_STORAGE_KEY);
  const sas = parts.get('sharedaccesssignature');
  const fromString = parts.get('blobendpoint');
  const defaultEndpoint = account ? `https://${account}.blob.core.windows.net` : undefined;
  const endpoint = loc.endpoint ?? fromString ?? defaultEndpoint;
  if (!endpoint || (!key && !sas) || (key && !account)) throw errors.storageCredentialsMissing(describe(loc), CREDENTIAL_VARIABLES);
  if (sas) return { serviceUrl: `${endpoint.replace(/\/$/, '')}?${sas.replace(/^\?/, '')}`, credential: new AnonymousCredential() };
  return { serviceUrl: endpoint, credential: new StorageSharedKeyCredential(account ?? '', key ?? '') };
}

/**
 * Reads `stream` up to one block. A stream that ends within it is put in one Put Blob request:
 * fewer requests, and no uncommitted blocks another writer's commit of the same name could
 * discard (Azure then fails the later commit with InvalidBlockList; the blob stays whole).
 * Otherwise `rest` replays what was read, then the remainder.
 */
async function firstBlock(stream: Readable): Promise<{ head: Buffer; rest: Readable | null }> {
  const parts: Buffer[] = [];
  let size = 0;
  const it = (stream as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  for (;;) {
    const next = await it.next();
    if (next.done) return { head: Buffer.concat(parts), rest: null };
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    parts.push(chunk);
    size += chunk.length;
    if (size > BLOCK_SIZE) break;
  }
  async function* replay(): AsyncGenerator<Buffer> {
    yield* parts;
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      yield typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    }
  }
  return { head: Buffer.alloc(0), rest: Readable.from(replay()) };
}

export interface AzureBlobOptions {
  /** Blobs per listing page (tests lower it to exercise paging). */
  listPageSize?: number;
  env?: NodeJS.ProcessEnv;
}

export class AzureBlobStorage implements Storage {
  readonly displayName: string;
  readonly properties: StorageProperties = OBJECT_STORE_PROPERTIES;
  readonly tiers: TierSupport;
  readonly #loc: ObjectStoreLocation;
  readonly #container: ContainerClient;
  readonly #pageSize: number;
  /** Creates the container on the first put if it does not exist. */
  readonly #ensureContainer = onceUntilFailed(() => this.#container.createIfNotExists());

  constructor(loc: ObjectStoreLocation, opts: AzureBlobOptions = {}) {
    this.#loc = loc;
    this.displayName = describe(loc);
    const { serviceUrl, credential } = azureCredentials(loc, opts.env);
    const service = new BlobServiceClient(serviceUrl, credential, { retryOptions: { maxTries: 1 } });
    this.#container = service.getContainerClient(loc.container);
    this.#pageSize = opts.listPageSize ?? 5000;
    this.tiers = {
      rehydrationExpires: false,
      putInTier: (name, data, tier) => this.#put(name, data, TIER_NAMES[tier]),
      setTier: async (name, tier) => {
        await this.#call('set tier of', name, () => this.#blob(name).setAccessTier(TIER_NAMES[tier]));
      },
      getTier: async (name) => {
        const p = await this.#call('get tier of', name, () => this.#blob(name).getProperties());
        const tier = tierOf(p.accessTier);
        return { tier, rehydratingTo: rehydratingTo(p.archiveStatus), readable: tier !== 'archive' };
      },
      rehydrate: async (name, target, priority) => {
        const blob = this.#blob(name);
        await this.#call('rehydrate', name, async () => {
          try {
            await blob.setAccessTier(TIER_NAMES[target], { rehydratePriority: priority === 'high' ? 'High' : 'Standard' });
          } catch (e) {
            // Asked again while the first rehydration runs: Azure refuses, the first goes on.
            if (!isRehydrationUnderWay(sdkFailure(e))) throw e;
          }
        });
      },
    };
  }

  #blob(name: string) {
    checkObjectName(name);
    return this.#container.getBlockBlobClient(this.#loc.prefix + name);
  }

  async #call<T>(op: string, name: string, fn: () => Promise<T>, neededBytes: number | null = null): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw classifyObjectError(op, name, this.displayName, sdkFailure(e), neededBytes);
    }
  }

  put(name: string, data: Buffer | Readable): Promise<void> {
    return this.#put(name, data, undefined);
  }

  /** A put in `tier` (the account's default tier when undefined). */
  async #put(name: string, data: Buffer | Readable, tier: string | undefined): Promise<void> {
    const blob = this.#blob(name);
    const stream = Buffer.isBuffer(data) ? undefined : data;
    try {
      await this.#call('put', name, async () => {
        await this.#ensureContainer();
        if (!stream) return blob.uploadData(data as Buffer, { tier });
        const { head, rest } = await firstBlock(stream);
        if (!rest) return blob.uploadData(head, { tier });
        return Promise.race([blob.uploadStream(rest, BLOCK_SIZE, BLOCKS_IN_FLIGHT, { tier }), failureOf(rest)]);
      }, stream ? null : (data as Buffer).length);
    } catch (e) {
      stream?.destroy();
      throw e;
    }
  }

  async get(name: string): Promise<Buffer> {
    const blob = this.#blob(name);
    return this.#call('get', name, () => blob.downloadToBuffer());
  }

  async getStream(name: string, range?: ByteRange): Promise<Readable> {
    const blob = this.#blob(name);
    const { size } = await this.stat(name);
    const { start, end } = checkRange(name, size, range ?? { offset: 0 });
    if (end < start) return Readable.from([]);
    const r = await this.#call('read', name, () => blob.download(start, end - start + 1));
    return r.readableStreamBody as Readable;
  }

  async stat(name: string): Promise<ObjectInfo> {
    const blob = this.#blob(name);
    const p = await this.#call('stat', name, () => blob.getProperties());
    return { name, size: p.contentLength ?? 0, modified: p.lastModified ?? new Date(0) };
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    const pages = this.#container.listBlobsFlat({ prefix: this.#loc.prefix + prefix }).byPage({ maxPageSize: this.#pageSize });
    for (;;) {
      let page: IteratorResult<{ segment: { blobItems: BlobItem[] } }>;
      try {
        page = await pages.next();
      } catch (e) {
        if (isMissingContainer(sdkFailure(e))) return; // nothing stored yet
        throw classifyObjectError('list', prefix, this.displayName, sdkFailure(e));
      }
      if (page.done) return;
      for (const b of page.value.segment.blobItems) {
        yield { name: b.name.slice(this.#loc.prefix.length), size: b.properties.contentLength ?? 0, modified: b.properties.lastModified };
      }
    }
  }

  async delete(name: string): Promise<void> {
    const blob = this.#blob(name);
    try {
      await this.#call('delete', name, () => blob.deleteIfExists());
    } catch (e) {
      if (!isNotFound(e)) throw e; // no container: nothing to delete
    }
  }
}
