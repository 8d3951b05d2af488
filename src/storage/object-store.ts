// What the object store backends (s3.ts, azure-blob.ts) share beyond their errors.
import type { Readable } from 'node:stream';
import type { StorageProperties } from './storage.ts';

/** Object stores serve many requests at once; more than a local disk is worth. */
export const OBJECT_STORE_PROPERTIES: StorageProperties = { maxConcurrency: 8 };

/**
 * `make` run once and its promise shared, until it fails: the next call runs it again (creating
 * a bucket or container on first use, where a failure may be passing).
 */
export function onceUntilFailed(make: () => Promise<unknown>): () => Promise<unknown> {
  let pending: Promise<unknown> | undefined;
  return () => {
    pending ??= make().catch((e: unknown) => {
      pending = undefined;
      throw e;
    });
    return pending;
  };
}

/**
 * Rejects when `source` errors. An upload raced against it fails with the source: the SDKs'
 * uploaders may otherwise take a failed stream for a short one and store what they had.
 */
export function failureOf(source: Readable): Promise<never> {
  const failed = new Promise<never>((_, reject) => source.once('error', reject));
  failed.catch(() => undefined);
  return failed;
}
