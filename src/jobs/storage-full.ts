// The words a job uses when a vault's storage ran out of space: which vault and datastore, how much
// was free and how much was needed, and that the failed work's own data is gone again.
import { DpError, errors } from '../domain/errors.ts';
import type { BackupVault } from '../domain/vault.ts';
import { formatBytes, isStorageFull, STORAGE_FAILURE, STORAGE_FULL } from '../storage/storage.ts';

interface SpaceInfo {
  freeBytes: number | null;
  neededBytes: number | null;
}

function spaceOf(e: DpError): SpaceInfo {
  const info = e.additionalInfo?.find((a) => a.type === 'StorageSpace')?.info as Partial<SpaceInfo> | undefined;
  return { freeBytes: info?.freeBytes ?? null, neededBytes: info?.neededBytes ?? null };
}

/** A storage failure of the writer's own (full, or broken), as opposed to a failure passed to it. */
export function isStorageError(e: unknown): e is DpError {
  return e instanceof DpError && (e.code === STORAGE_FULL || e.code === STORAGE_FAILURE);
}

/**
 * A backup's storage-full error naming the vault and datastore; other errors pass unchanged.
 * `sizeBytes` is the database's size, what a first backup of it may need at most.
 */
export function backupStorageFull(e: unknown, vault: BackupVault, datastore: string, sizeBytes: number | null): unknown {
  if (!isStorageFull(e)) return e;
  const { freeBytes, neededBytes } = spaceOf(e);
  const free = freeBytes === null ? 'an unknown amount of space was free' : `${formatBytes(freeBytes)} was free`;
  const needed = neededBytes === null ? '' : ` and it needed ${formatBytes(neededBytes)} more for its next pack`;
  const size = sizeBytes === null ? '' : ` The database is ${formatBytes(sizeBytes)}: a first backup of it may need up to that much, later ones about what changed.`;
  return errors.storageFull(
    `The ${datastore} of Backup vault '${vault.name}' has no space left: when the backup stopped ${free}${needed}.${size} ` +
      'What the failed backup had stored was removed. Free space on the vault\'s storage (or raise its quota) and run the backup again.',
    { freeBytes, neededBytes },
  );
}
