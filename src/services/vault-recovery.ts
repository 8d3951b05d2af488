// `vault recover`: rebuilds a vault's backup instances and recovery points in the catalog from its
// storage and the master key alone. Every backup stores, beside its data, the instance and the
// recovery point it produced; recovery puts back what the catalog lacks. A recreated instance is
// ProtectionStopped (its data kept, no backups scheduled) until the user resumes it; one that was
// soft-deleted (as the note kept in its storage says) comes back soft-deleted.
import { INSTANCE_TYPE, type BackupInstanceResource } from '../domain/backup-instance.ts';
import { DELETED_INSTANCE_TYPE, type DeletedBackupInstanceResource, deletedInstanceId } from '../domain/deleted-instance.ts';
import { vaultStoreKey } from '../domain/recovery-point-store.ts';
import type { BackupVault } from '../domain/vault.ts';
import type { ServiceContext } from './context.ts';
import { saveRecoveryPoint } from './recovery-points.ts';
import type { RecoveryPointResource } from '../domain/recovery-point.ts';

export interface RecoverReport {
  objectType: 'VaultRecoveryReport';
  storedRecoveryPoints: number;
  recoveryPointsRecovered: number;
  recoveryPointsAlreadyKnown: number;
  instancesRecreated: string[];
  /** Instances that were soft-deleted (their state noted in storage): recreated soft-deleted. */
  softDeletedInstancesRecreated: string[];
  /** Stored data without the metadata recovery needs (written by an older dpvault). */
  skipped: number;
}

export async function recoverVault(ctx: ServiceContext, vault: BackupVault): Promise<RecoverReport> {
  const report: RecoverReport = {
    objectType: 'VaultRecoveryReport', storedRecoveryPoints: 0, recoveryPointsRecovered: 0, recoveryPointsAlreadyKnown: 0, instancesRecreated: [], softDeletedInstancesRecreated: [], skipped: 0,
  };
  const dumps = await ctx.store.recover(vaultStoreKey(vault.id));
  const deletedByName = softDeletedInNotes(await ctx.store.notes(vaultStoreKey(vault.id)));
  for (const dump of dumps) {
    report.storedRecoveryPoints++;
    const instance = dump.metadata.instance as BackupInstanceResource | undefined;
    const point = dump.metadata.recoveryPoint as Omit<RecoveryPointResource, 'internal'> & { internal: Omit<RecoveryPointResource['internal'], 'data'> } | undefined;
    if (!instance?.name || !point?.name) {
      report.skipped++;
      continue;
    }
    const instanceId = `${vault.id}/backupInstances/${instance.name}`;
    const known = (await ctx.catalog.getResource(instanceId)) ?? (await ctx.catalog.getResource(deletedInstanceId(instanceId)));
    const deleted = deletedByName.get(instance.name.toLowerCase());
    if (!known && deleted) {
      // Soft-deleted when the catalog was lost: it comes back soft-deleted, with its purge time.
      const body: DeletedBackupInstanceResource = { ...structuredClone(deleted), id: deletedInstanceId(instanceId) };
      await ctx.catalog.putResource({ id: body.id, type: DELETED_INSTANCE_TYPE, parentId: vault.id, body: { ...body } });
      report.softDeletedInstancesRecreated.push(instance.name);
    } else if (!known) {
      const recreated: BackupInstanceResource = structuredClone(instance);
      recreated.id = instanceId;
      recreated.properties.currentProtectionState = 'ProtectionStopped';
      recreated.properties.protectionStatus = { status: 'ProtectionStopped', errorDetails: null };
      await ctx.catalog.putResource({ id: instanceId, type: INSTANCE_TYPE, parentId: vault.id, body: { ...recreated } });
      report.instancesRecreated.push(instance.name);
    }
    const rpId = `${instanceId}/recoveryPoints/${point.name}`;
    const existing = (await ctx.catalog.getResource<RecoveryPointResource>(rpId))?.body;
    if (existing?.internal.data[dump.datastore]) {
      report.recoveryPointsAlreadyKnown++;
      continue;
    }
    const rp: RecoveryPointResource = existing ?? { ...structuredClone(point), id: rpId, internal: { ...structuredClone(point.internal), data: {} } };
    rp.internal.data[dump.datastore] = dump.stored;
    rp.internal.size = dump.stored.size;
    await saveRecoveryPoint(ctx, rp);
    report.recoveryPointsRecovered++;
  }
  return report;
}

/** The soft-deleted instances a vault's notes record, by lower-cased name. */
function softDeletedInNotes(notes: Record<string, unknown>[]): Map<string, DeletedBackupInstanceResource> {
  const out = new Map<string, DeletedBackupInstanceResource>();
  for (const n of notes) {
    const d = n as Partial<DeletedBackupInstanceResource>;
    if (d.type === DELETED_INSTANCE_TYPE && typeof d.name === 'string' && d.properties?.deletionInfo) out.set(d.name.toLowerCase(), d as DeletedBackupInstanceResource);
  }
  return out;
}
