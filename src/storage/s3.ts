// Amazon S3 and S3-compatible stores (MinIO, Ceph, s3rver): each object is a key under the
// location's prefix in one bucket. A put of a buffer is one PutObject; a put of a stream is a
// multipart upload (@aws-sdk/lib-storage) that is completed only after the whole stream was read,
// and aborted when the stream fails, so readers never see a partial object. Against a custom
// endpoint the SDK computes request checksums only when an operation requires them: some
// S3-compatible servers store the aws-chunked checksum trailer as object bytes otherwise.
// Access tiers are storage classes (s3-tiers.ts): puts straight into a class, a copy onto itself to
// change it, RestoreObject to read an archived object for some days.
// Credentials come from the AWS SDK's default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY,
// profiles, instance roles), never from the location. Retries belong to the storage stack
// (stack.ts), so the SDK's own are off.
import { Readable } from 'node:stream';
import {
  CopyObjectCommand, CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command,
  PutObjectCommand, RestoreObjectCommand, S3Client, type StorageClass,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { classifyObjectError, isMissingContainer, isRehydrationUnderWay, sdkFailure } from './object-errors.ts';
import { failureOf, OBJECT_STORE_PROPERTIES, onceUntilFailed } from './object-store.ts';
import { describe, type ObjectStoreLocation } from './object-url.ts';
import { retrievalTierOf, storageClassOf, tierStateOf } from './s3-tiers.ts';
import type { ByteRange, ObjectInfo, Storage, StorageProperties, TierSupport } from './storage.ts';
import { checkObjectName, checkRange, isNotFound } from './storage.ts';

/** Parts of a streamed put: 8 MiB each, two in flight, so a stream put holds at most ~16 MiB. */
const PART_SIZE = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 2;

export interface S3Options {
  /** Objects per listing page (S3 allows at most 1000; tests lower it to exercise paging). */
  listPageSize?: number;
}

/** One client per endpoint, region and addressing style: its connection pool is shared. */
const clients = new Map<string, S3Client>();

/** The client of a location (shared, see `clients`); exported for the tests of its settings. */
export function clientFor(loc: ObjectStoreLocation): S3Client {
  const region = loc.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const key = JSON.stringify([loc.endpoint, region, loc.forcePathStyle]);
  let client = clients.get(key);
  if (!client) {
    const custom = loc.endpoint !== undefined;
    client = new S3Client({
      region,
      endpoint: loc.endpoint,
      forcePathStyle: loc.forcePathStyle,
      maxAttempts: 1,
      requestHandler: { connectionTimeout: 10_000 },
      ...(custom ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
    });
    clients.set(key, client);
  }
  return client;
}

export class S3Storage implements Storage {
  readonly displayName: string;
  readonly properties: StorageProperties = OBJECT_STORE_PROPERTIES;
  readonly tiers: TierSupport;
  readonly #loc: ObjectStoreLocation;
  readonly #client: S3Client;
  readonly #pageSize: number;
  /** Creates the bucket on the first put if it does not exist (as `restic init` does). */
  readonly #ensureBucket = onceUntilFailed(async () => {
    try {
      await this.#client.send(new HeadBucketCommand({ Bucket: this.#bucket }));
    } catch (e) {
      if (sdkFailure(e).status !== 404) throw e;
      await this.#client.send(new CreateBucketCommand({ Bucket: this.#bucket }));
    }
  });

  constructor(loc: ObjectStoreLocation, opts: S3Options = {}) {
    this.#loc = loc;
    this.#client = clientFor(loc);
    this.displayName = describe(loc);
    this.#pageSize = opts.listPageSize ?? 1000;
    const archiveClass = loc.archiveClass ?? 'GLACIER';
    this.tiers = {
      rehydrationExpires: true,
      putInTier: (name, data, tier) => this.#put(name, data, storageClassOf(tier, archiveClass)),
      setTier: async (name, tier) => {
        // A copy onto itself in the new class (REPLACE: S3 refuses a copy that changes nothing it sees).
        const key = this.#key(name);
        const StorageClass = storageClassOf(tier, archiveClass);
        await this.#call('set tier of', name, () => this.#client.send(new CopyObjectCommand({
          Bucket: this.#bucket, Key: key, CopySource: `${this.#bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`, StorageClass, MetadataDirective: 'REPLACE',
        })));
      },
      getTier: async (name) => {
        const key = this.#key(name);
        const r = await this.#call('get tier of', name, () => this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key })));
        return tierStateOf(r.StorageClass, r.Restore);
      },
      rehydrate: async (name, _target, priority, days) => {
        const key = this.#key(name);
        await this.#call('rehydrate', name, async () => {
          try {
            await this.#client.send(new RestoreObjectCommand({
              Bucket: this.#bucket, Key: key, RestoreRequest: { Days: days, GlacierJobParameters: { Tier: retrievalTierOf(priority, archiveClass) } },
            }));
          } catch (e) {
            // Asked again while the first restore runs: S3 refuses, the first goes on.
            if (!isRehydrationUnderWay(sdkFailure(e))) throw e;
          }
        });
      },
    };
  }

  async #call<T>(op: string, name: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw this.#fail(op, name, e);
    }
  }

  get #bucket(): string {
    return this.#loc.container;
  }

  #key(name: string): string {
    checkObjectName(name);
    return this.#loc.prefix + name;
  }

  #fail(op: string, name: string, e: unknown, neededBytes: number | null = null): Error {
    return classifyObjectError(op, name, this.displayName, sdkFailure(e), neededBytes);
  }

  put(name: string, data: Buffer | Readable): Promise<void> {
    return this.#put(name, data, undefined);
  }

  /** A put in `StorageClass` (the bucket's default, STANDARD, when undefined). */
  async #put(name: string, data: Buffer | Readable, StorageClass: StorageClass | undefined): Promise<void> {
    const key = this.#key(name);
    try {
      await this.#ensureBucket();
      if (Buffer.isBuffer(data)) {
        await this.#client.send(new PutObjectCommand({ Bucket: this.#bucket, Key: key, Body: data, ContentLength: data.length, StorageClass }));
      } else {
        const upload = new Upload({
          client: this.#client,
          params: { Bucket: this.#bucket, Key: key, Body: data, StorageClass },
          partSize: PART_SIZE,
          queueSize: PARTS_IN_FLIGHT,
          leavePartsOnError: false,
        });
        await Promise.race([upload.done(), failureOf(data).finally(() => upload.abort().catch(() => undefined))]);
      }
    } catch (e) {
      if (!Buffer.isBuffer(data)) data.destroy();
      throw this.#fail('put', name, e, Buffer.isBuffer(data) ? data.length : null);
    }
  }

  async get(name: string): Promise<Buffer> {
    const key = this.#key(name);
    try {
      const r = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      return r.Body ? Buffer.from(await r.Body.transformToByteArray()) : Buffer.alloc(0);
    } catch (e) {
      throw this.#fail('get', name, e);
    }
  }

  async getStream(name: string, range?: ByteRange): Promise<Readable> {
    const key = this.#key(name);
    const { size } = await this.stat(name);
    const { start, end } = checkRange(name, size, range ?? { offset: 0 });
    if (end < start) return Readable.from([]);
    try {
      const r = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key, Range: `bytes=${start}-${end}` }));
      return r.Body as Readable;
    } catch (e) {
      throw this.#fail('read', name, e);
    }
  }

  async stat(name: string): Promise<ObjectInfo> {
    const key = this.#key(name);
    try {
      const r = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return { name, size: r.ContentLength ?? 0, modified: r.LastModified ?? new Date(0) };
    } catch (e) {
      throw this.#fail('stat', name, e);
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.#client.send(new ListObjectsV2Command({
          Bucket: this.#bucket, Prefix: this.#loc.prefix + prefix, ContinuationToken: token, MaxKeys: this.#pageSize,
        }));
      } catch (e) {
        if (isMissingContainer(sdkFailure(e))) return; // nothing stored yet
        throw this.#fail('list', prefix, e);
      }
      for (const o of page.Contents ?? []) {
        if (!o.Key) continue;
        yield { name: o.Key.slice(this.#loc.prefix.length), size: o.Size ?? 0, modified: o.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async delete(name: string): Promise<void> {
    const key = this.#key(name);
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
    } catch (e) {
      const err = this.#fail('delete', name, e);
      if (!isNotFound(err)) throw err;
    }
  }
}
