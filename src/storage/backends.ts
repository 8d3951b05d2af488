// The one list of storage backends, and opening a storage from a location string. A new backend
// is added to `storageBackends` here, nowhere else: no registration by import.
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errors } from '../domain/errors.ts';
import { AzureBlobStorage } from './azure-blob.ts';
import { FsStorage } from './fs.ts';
import { parseObjectStoreUrl } from './object-url.ts';
import { S3Storage } from './s3.ts';
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
    description: 'a bucket of Amazon S3 or an S3-compatible store: s3://BUCKET[/PREFIX]?endpoint=URL&region=R&forcePathStyle=true',
    open: (location) => new S3Storage(parseObjectStoreUrl(location)),
  },
  {
    scheme: 'azblob',
    description: 'a container of Azure Blob storage: azblob://CONTAINER[/PREFIX]?endpoint=URL',
    open: (location) => new AzureBlobStorage(parseObjectStoreUrl(location)),
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
