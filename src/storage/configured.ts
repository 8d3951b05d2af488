// The server's storage setting: where every vault's datastores live, a storage URL or absolute
// path given by `--storage` or DPVAULT_STORAGE, by default `backup-data` under the data directory.
// A setting that names no usable storage is refused at start-up with an error naming the
// setting; what the error says of the storage is stripped of secrets.
import { DpError, errors } from '../domain/errors.ts';
import { backupDataStorage, StorageFactory } from './factory.ts';
import { redact } from './object-errors.ts';

export interface StorageSetting {
  /** A storage URL (backends.ts) or an absolute path. */
  location: string;
  /** What set it, as the user wrote it: `--storage` or `DPVAULT_STORAGE`. */
  setting: string;
}

/** The catalog setting that records the storage a data directory's vaults were created with. */
export const STORAGE_SETTING_KEY = 'storage';

/** How the default location is recorded and shown: it moves with the data directory. */
export const DEFAULT_STORAGE = 'the data directory';

/** How long start-up waits for the storage to answer a listing. */
export const PROBE_TIMEOUT_MS = 30_000;

function refused(setting: StorageSetting | undefined, e: unknown): DpError {
  const problem = redact(e instanceof Error ? e.message : String(e));
  return errors.storageSettingRefused(setting?.setting ?? '--data-dir', problem);
}

/** The storage factory of `setting`, or of the data directory without one. */
export function storageFactoryFor(dataDir: string, setting: StorageSetting | undefined): StorageFactory {
  if (!setting) return backupDataStorage(dataDir);
  try {
    return new StorageFactory(setting.location);
  } catch (e) {
    throw refused(setting, e);
  }
}

/** The storage the catalog records for `setting` (credential-free: URLs carry none). */
export function recordedStorage(setting: StorageSetting | undefined): string {
  return setting?.location ?? DEFAULT_STORAGE;
}

/** The setting a recorded storage stands for (none for the default, or when nothing is recorded). */
export function recordedSetting(recorded: string | null | undefined): StorageSetting | undefined {
  if (!recorded || recorded === DEFAULT_STORAGE) return undefined;
  return { location: recorded, setting: 'the storage recorded in the catalog' };
}

/** Fails, naming the setting, unless the storage answers a listing within `timeoutMs`. */
export async function checkStorageReachable(factory: StorageFactory, setting: StorageSetting | undefined, timeoutMs = PROBE_TIMEOUT_MS): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`it did not answer within ${Math.round(timeoutMs / 1000)} s.`)), timeoutMs);
  });
  try {
    await Promise.race([factory.probe(), timeout]);
  } catch (e) {
    throw refused(setting, e);
  } finally {
    clearTimeout(timer);
  }
}
