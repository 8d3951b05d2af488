// The one list of storage backends, and opening a storage from a location string. A new backend
// is added to `storageBackends` here, nowhere else: no registration by import. The object stores'
// modules (and their SDKs) load on a storage's first call (lazy.ts), never in a server without one.
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errors } from '../domain/errors.ts';
import { FsStorage } from './fs.ts';
import { LazyStorage } from './lazy.ts';
import { OBJECT_STORE_PROPERTIES } from './object-store.ts';
import { describe, parseObjectStoreUrl } from './object-url.ts';
import type { Storage } from './storage.ts';

export interface StorageBackend {
  /** URL scheme, without the colon. */
  scheme: string;
  description: string;
  open(location: URL): Storage;
}

export const storageBackends: readonly StorageBackend[] = [
  {
    scheme: 'file',
    description: 'a directory on a local or mounted filesystem',
    open: (location) => new FsStorage(fileURLToPath(location)),
  },
  {
    scheme: 's3',
    description: 'a bucket of Amazon S3 or an S3-compatible store: s3://BUCKET[/PREFIX]?endpoint=URL&region=R&forcePathStyle=true&archiveClass=GLACIER|DEEP_ARCHIVE',
    open: (location) => {
      const loc = parseObjectStoreUrl(location);
      return new LazyStorage({
        displayName: describe(loc),
        properties: OBJECT_STORE_PROPERTIES,
        tiers: { rehydrationExpires: true },
        load: async () => new (await import('./s3.ts')).S3Storage(loc),
      });
    },
  },
  {
    scheme: 'azblob',
    description: 'a container of Azure Blob storage: azblob://CONTAINER[/PREFIX]?endpoint=URL',
    open: (location) => {
      const loc = parseObjectStoreUrl(location);
      return new LazyStorage({
        displayName: describe(loc),
        properties: OBJECT_STORE_PROPERTIES,
        tiers: { rehydrationExpires: false },
        load: async () => new (await import('./azure-blob.ts')).AzureBlobStorage(loc),
      });
    },
  },
];

/** Opens `location`: a URL whose scheme names a backend, or an absolute local path. */
export function openStorage(location: string): Storage {
  if (isAbsolute(location)) return new FsStorage(location);
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw errors.storageLocationNotUnderstood(location);
  }
  const scheme = url.protocol.replace(/:$/, '');
  const backend = storageBackends.find((b) => b.scheme === scheme);
  if (!backend) {
    const known = storageBackends.map((b) => b.scheme).join(', ');
    throw errors.storageSchemeUnknown(scheme, known);
  }
  return backend.open(url);
}
