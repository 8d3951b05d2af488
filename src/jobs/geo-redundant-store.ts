// The store of a server that pairs locations (`--paired-location A=B`): the vaults' own storage,
// plus each vault's copy in its location's pair. Backups, restores and everything else go to the
// vault's own storage as before; `replicate` copies a recovery point to the pair
// (repository/replicate.ts); deleting a point deletes it in both, and garbage collection and
// maintenance run on both, so retention and maintenance need not know about the copy. The copy is
// never created here other than by `replicate`: a vault that has none (LocallyRedundant, or no
// pair) is left alone in the pair's storage.
import { REPOSITORY_NOT_FOUND } from '../domain/errors.ts';
import type {
  DumpLocation, RecoveredDump, RecoveryPointStore, StoreMaintenanceReport, StoreRepairReport, StoredDump, StoredHealth, StoredReplication, StoreVerifyReport,
  StreamPart,
} from '../domain/recovery-point-store.ts';
import type { Readable, Writable } from 'node:stream';
import { replicateManifest } from '../repository/replicate.ts';
import type { LockOptions } from '../repository/locks.ts';
import type { Clock } from '../util/clock.ts';
import { parseRef, type RepositoryStore } from './repository-store.ts';

export class GeoRedundantStore implements RecoveryPointStore {
  readonly #primary: RepositoryStore;
  readonly secondary: RepositoryStore;
  readonly #hasPair: (vaultKey: string) => Promise<boolean>;
  readonly #opts: { clock: Clock; locks?: LockOptions };

  /** `hasPair`: whether a vault copies to a pair (was created GeoRedundant in a paired location). */
  constructor(primary: RepositoryStore, secondary: RepositoryStore, hasPair: (vaultKey: string) => Promise<boolean>, opts: { clock: Clock; locks?: LockOptions }) {
    this.#primary = primary;
    this.secondary = secondary;
    this.#hasPair = hasPair;
    this.#opts = opts;
  }

  async replicate(stored: StoredDump): Promise<StoredReplication> {
    const { vaultKey, datastore, manifestId } = parseRef(stored.ref);
    const source = await this.#primary.storageOf(vaultKey, datastore);
    const target = await this.secondary.storageOf(vaultKey, datastore);
    const report = await replicateManifest(source, target, manifestId, this.#opts);
    this.secondary.forget(vaultKey, datastore); // its index grew
    return { objectsCopied: report.objectsCopied, bytesCopied: report.bytesCopied, objectsPresent: report.objectsPresent };
  }

  async delete(stored: StoredDump): Promise<void> {
    await this.#primary.delete(stored);
    if (!(await this.#hasPair(parseRef(stored.ref).vaultKey))) return;
    try {
      await this.secondary.delete(stored);
    } catch (e) {
      if ((e as { code?: string }).code !== REPOSITORY_NOT_FOUND) throw e; // never copied there
    }
  }

  async collectGarbage(): Promise<void> {
    await this.#primary.collectGarbage();
    await this.secondary.collectGarbage();
  }

  async maintain(vaultKey: string, opts?: { graceMs?: number }): Promise<StoreMaintenanceReport> {
    const report = await this.#primary.maintain(vaultKey, opts);
    if (await this.#hasPair(vaultKey)) {
      const secondary = await this.secondary.maintain(vaultKey, opts);
      if (secondary.datastores.length > 0) report.secondary = secondary;
    }
    return report;
  }

  // Everything else is the vault's own storage's.
  placeVault(vaultKey: string, azureLocation: string, secondaryRegion?: string): Promise<void> {
    this.secondary.forgetVault(vaultKey);
    return this.#primary.placeVault(vaultKey, azureLocation, secondaryRegion);
  }
  write(loc: DumpLocation, input: Readable, onBytes?: (total: number) => void): Promise<StoredDump> {
    return this.#primary.write(loc, input, onBytes);
  }
  read(stored: StoredDump, recoveryPointId: string): Readable {
    return this.#primary.read(stored, recoveryPointId);
  }
  readInto(stored: StoredDump, recoveryPointId: string, sink: Writable, onBytes?: (total: number) => void, part?: StreamPart): Promise<void> {
    return this.#primary.readInto(stored, recoveryPointId, sink, onBytes, part);
  }
  copy(stored: StoredDump, to: DumpLocation): Promise<StoredDump> {
    return this.#primary.copy(stored, to);
  }
  setNote(vaultKey: string, key: string, value: Record<string, unknown> | null): Promise<void> {
    return this.#primary.setNote(vaultKey, key, value);
  }
  notes(vaultKey: string): Promise<Record<string, unknown>[]> {
    return this.#primary.notes(vaultKey);
  }
  storedBytes(vaultKey: string): Promise<Record<string, number>> {
    return this.#primary.storedBytes(vaultKey);
  }
  storedPoints(vaultKey: string): Promise<RecoveredDump[]> {
    return this.#primary.storedPoints(vaultKey);
  }
  recover(vaultKey: string): Promise<RecoveredDump[]> {
    return this.#primary.recover(vaultKey);
  }
  verify(vaultKey: string, samplePercent: number): Promise<StoreVerifyReport> {
    return this.#primary.verify(vaultKey, samplePercent);
  }
  health(vaultKey: string): Promise<StoredHealth[]> {
    return this.#primary.health(vaultKey);
  }
  repair(vaultKey: string): Promise<StoreRepairReport> {
    return this.#primary.repair(vaultKey);
  }
}
