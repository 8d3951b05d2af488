// The one list of storage backends, and opening a storage from a location string. New backends
// (Azure Blob, S3) are added to `storageBackends` here, nowhere else: no registration by import.
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errors } from '../domain/errors.ts';
import { FsStorage } from './fs.ts';
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
