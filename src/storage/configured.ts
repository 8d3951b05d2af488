// The server's storage setting: where every vault's datastores live, a storage URL or absolute
// path given by `--storage`, the config file or DPVAULT_STORAGE, by default `backup-data` under the
// data directory. A setting that names no usable storage is refused at start-up with an error
// naming the setting; what the error says of the storage is stripped of secrets.
import { backupDataStorage, StorageFactory } from './factory.ts';
import { DEFAULT_STORAGE, probeStorage, PROBE_TIMEOUT_MS, storageRefused, type StorageSetting } from './placement.ts';

export { DEFAULT_STORAGE, PROBE_TIMEOUT_MS, type StorageSetting } from './placement.ts';

/** The catalog setting that records the storage a data directory's vaults were created with. */
export const STORAGE_SETTING_KEY = 'storage';

/** The storage factory of `setting`, or of the data directory without one. */
export function storageFactoryFor(dataDir: string, setting: StorageSetting | undefined, stackOptions: ConstructorParameters<typeof StorageFactory>[1] = {}): StorageFactory {
  if (!setting) return backupDataStorage(dataDir, stackOptions);
  try {
    return new StorageFactory(setting.location, stackOptions);
  } catch (e) {
    throw storageRefused(setting.setting, e);
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
  await probeStorage(factory, setting?.setting ?? '--data-dir', timeoutMs);
}
