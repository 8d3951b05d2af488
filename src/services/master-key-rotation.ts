// Rotating the server's master key, with the server stopped: each repository's keys are wrapped
// again under the new key (its data is not re-encrypted: the keys it is encrypted with do not
// change) and every key vault secret is sealed again. Crash-safe by being resumable: the new key
// is written to `master.key.new` first; every step skips what is already under the new key; the
// new key replaces `master.key` last. While `master.key.new` exists the server refuses to start
// (the rotation must be finished by running it again). With DPVAULT_MASTER_KEY the keys stay in
// the operator's hands: the new one comes from DPVAULT_NEW_MASTER_KEY and no key file is written.
import { randomBytes } from 'node:crypto';
import { existsSync, renameSync, writeFileSync, chmodSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteCatalog } from '../catalog/sqlite.ts';
import { type DpError, errors, REPOSITORY_KEY_MISMATCH } from '../domain/errors.ts';
import { CONFIG_NAME } from '../repository/layout.ts';
import { Repository } from '../repository/repository.ts';
import { decodeMasterKey } from '../secrets/master-key.ts';
import { resealSecrets } from '../secrets/reseal.ts';
import { recordedSetting, STORAGE_SETTING_KEY, storageFactoryFor } from '../storage/configured.ts';
import type { DatastoreRef, StorageFactory } from '../storage/factory.ts';
import { StoragePlacement } from '../storage/placement.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { catalogVaultStorageRecords } from './vault-storage-records.ts';

export const NEXT_KEY_FILE = 'master.key.new';

export interface RotationReport {
  repositories: number;
  repositoriesRewrapped: number;
  secretsResealed: number;
  /** Where the new key is: the key file, or the DPVAULT_NEW_MASTER_KEY the operator gave. */
  newKey: 'master.key' | 'DPVAULT_NEW_MASTER_KEY';
}

/** Refuses to start a server over an unfinished rotation. */
export function checkNoRotationPending(dataDir: string): void {
  if (existsSync(join(dataDir, NEXT_KEY_FILE))) {
    throw errors.masterKeyRotationInterrupted(dataDir);
  }
}

/** Wraps a repository's keys under `next` unless they already are; true when it did. */
async function rewrap(storage: StorageFactory, where: DatastoreRef, current: Buffer, next: Buffer): Promise<boolean> {
  const data = storage.open(where.vaultKey, where.datastore);
  try {
    await Repository.rewrapKeys(data, current, next);
    return true;
  } catch (e) {
    if ((e as DpError).code !== REPOSITORY_KEY_MISMATCH) throw e;
    try {
      await Repository.rewrapKeys(data, next, next); // already done: proves the new key opens it
    } catch {
      throw errors.noMasterKeyOpensRepository(storage.location(where.vaultKey, where.datastore));
    }
    return false;
  }
}

function writeKeyFile(path: string, key: Buffer): void {
  const tmp = `${path}.tmp`;
  rmSync(tmp, { force: true });
  writeFileSync(tmp, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

export async function rotateMasterKey(dataDir: string, env: Record<string, string | undefined> = process.env): Promise<RotationReport> {
  if (!existsSync(join(dataDir, 'catalog.sqlite'))) {
    throw errors.dataDirNotFound(dataDir);
  }
  const unlock = lockDataDir(dataDir);
  try {
    const keyFile = join(dataDir, 'master.key');
    const nextFile = join(dataDir, NEXT_KEY_FILE);
    let current: Buffer;
    let next: Buffer;
    if (env.DPVAULT_MASTER_KEY) {
      if (!env.DPVAULT_NEW_MASTER_KEY) {
        throw errors.newMasterKeyRequired();
      }
      current = decodeMasterKey(env.DPVAULT_MASTER_KEY);
      next = decodeMasterKey(env.DPVAULT_NEW_MASTER_KEY);
    } else {
      if (!existsSync(keyFile)) throw errors.masterKeyNotFound(keyFile);
      current = decodeMasterKey(readFileSync(keyFile, 'utf8'));
      if (!existsSync(nextFile)) writeKeyFile(nextFile, randomBytes(32));
      next = decodeMasterKey(readFileSync(nextFile, 'utf8'));
    }
    if (current.equals(next)) throw errors.sameMasterKey();
    const catalog = new SqliteCatalog(join(dataDir, 'catalog.sqlite'));
    let resealed: number;
    let repositories: DatastoreRef[];
    let rewrapped = 0;
    try {
      // The repositories: every vault's datastore with a repository config in it, in the
      // storage the server recorded at its first start (the data directory before that).
      // Vaults placed in their location's storage (storage/placement.ts) are found there.
      const storage = storageFactoryFor(dataDir, recordedSetting(await catalog.getSetting(STORAGE_SETTING_KEY)));
      const placement = new StoragePlacement(storage, [], catalogVaultStorageRecords(catalog));
      repositories = [];
      for (const { factory } of await placement.all()) {
        for (const where of await factory.holding(CONFIG_NAME)) {
          if ((await placement.forVault(where.vaultKey)) !== factory) continue; // another vault's data, or a stale copy
          repositories.push(where);
          if (await rewrap(factory, where, current, next)) rewrapped++;
        }
      }
      resealed = await resealSecrets(catalog, current, next);
    } finally {
      await catalog.close();
    }
    if (!env.DPVAULT_MASTER_KEY) renameSync(nextFile, keyFile);
    return { repositories: repositories.length, repositoriesRewrapped: rewrapped, secretsResealed: resealed, newKey: env.DPVAULT_MASTER_KEY ? 'DPVAULT_NEW_MASTER_KEY' : 'master.key' };
  } finally {
    unlock();
  }
}
