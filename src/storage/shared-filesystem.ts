// In the scale-out mode (a PostgreSQL catalog, issue 22) any server or worker may run any job, on
// any machine, so each must see the same backup data: a storage on this machine's filesystem (a
// path, a file:// URL, or the data directory's backup-data) is refused unless the operator says,
// with --shared-filesystem, that every process sees the same directory there.
import { join } from 'node:path';
import { errors } from '../domain/errors.ts';
import { DEFAULT_STORAGE, type LocationStorage, type StorageSetting, type VaultStorageRecords } from './placement.ts';

/** Whether a storage location is a directory of this machine's filesystem. */
export function isLocalStorage(location: string): boolean {
  if (location === DEFAULT_STORAGE) return true;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(location)?.[1]?.toLowerCase();
  return scheme === undefined || scheme === 'file';
}

/** The first storage the settings name on this machine's filesystem (the server's, then a location's), with its setting. */
export function localStorageConfigured(
  dataDir: string, storage: StorageSetting | undefined, locations: readonly LocationStorage[],
): { setting: string; location: string } | undefined {
  if (!storage) return { setting: 'The default storage (no --storage, DPVAULT_STORAGE or config file)', location: join(dataDir, 'backup-data') };
  if (isLocalStorage(storage.location)) return { setting: storage.setting, location: storage.location };
  const local = locations.find((l) => isLocalStorage(l.storage.location));
  return local && { setting: local.storage.setting, location: local.storage.location };
}

/** The first vault whose recorded storage is on this machine's filesystem (made before the catalog was shared), with its setting. */
export async function localStorageRecorded(records: VaultStorageRecords): Promise<{ setting: string; location: string } | undefined> {
  for (const { vaultKey, record } of await records.list()) {
    if (record.storage !== DEFAULT_STORAGE && isLocalStorage(record.storage)) return { setting: `The storage recorded for vault ${vaultKey}`, location: record.storage };
  }
  return undefined;
}

/** Refuses a storage on this machine's filesystem, naming its setting, unless `shared` (--shared-filesystem). */
export function refuseUnlessShared(shared: boolean, local: { setting: string; location: string } | undefined): void {
  if (!shared && local) throw errors.localStorageNotShared(local.setting, local.location);
}
