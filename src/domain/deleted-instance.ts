// A soft-deleted backup instance (Microsoft.DataProtection `DeletedBackupInstanceResource`): the
// instance as it was, in the state `SoftDeleted`, with when it was deleted and when it is purged.
// Pure: the service (services/deleted-instances.ts) stores and moves it.
import { INSTANCE_TYPE, type BackupInstanceResource, type BackupInstanceProperties } from './backup-instance.ts';
import type { RecoveryPointResource } from './recovery-point.ts';

export const DELETED_INSTANCE_TYPE = 'Microsoft.DataProtection/backupVaults/deletedBackupInstances';

const DAY_MS = 86_400_000;

export interface DeletionInfo {
  deletionTime: string;
  billingEndDate: string;
  scheduledPurgeTime: string;
  deleteActivityID: string;
}

export interface DeletedBackupInstanceResource {
  id: string;
  name: string;
  type: typeof DELETED_INSTANCE_TYPE;
  tags: Record<string, string> | null;
  properties: BackupInstanceProperties & { deletionInfo: DeletionInfo };
}

/** The live instance's id a deleted one was (its recovery points stay under it). */
export function liveInstanceId(deletedId: string): string {
  return deletedId.replace(/\/deletedBackupInstances\//i, '/backupInstances/');
}

export function deletedInstanceId(instanceId: string): string {
  return instanceId.replace(/\/backupInstances\//i, '/deletedBackupInstances/');
}

/** The properties in a protection state (its status the same, without error). */
function inState(props: BackupInstanceProperties, state: string): BackupInstanceProperties {
  props.currentProtectionState = state;
  props.protectionStatus = { status: state, errorDetails: null };
  return props;
}

/**
 * The instance soft-deleted at `now` for `retentionDays` (the vault's setting at deletion time:
 * a later change of the setting does not move the purge).
 */
export function softDeleted(instance: BackupInstanceResource, now: Date, retentionDays: number, activityId: string): DeletedBackupInstanceResource {
  return {
    id: deletedInstanceId(instance.id),
    name: instance.name,
    type: DELETED_INSTANCE_TYPE,
    tags: instance.tags ?? null,
    properties: {
      ...inState(structuredClone(instance.properties), 'SoftDeleted'),
      deletionInfo: {
        deletionTime: now.toISOString(),
        // Nothing is billed here; Azure stops billing at deletion plus a short grace.
        billingEndDate: now.toISOString(),
        scheduledPurgeTime: new Date(now.getTime() + retentionDays * DAY_MS).toISOString(),
        deleteActivityID: activityId,
      },
    },
  };
}

/** Undelete: the instance back as "stop protection and retain data" (ProtectionStopped), as Azure does. */
export function undeleted(deleted: DeletedBackupInstanceResource): BackupInstanceResource {
  const { deletionInfo: _gone, ...props } = structuredClone(deleted.properties);
  return { id: liveInstanceId(deleted.id), name: deleted.name, type: INSTANCE_TYPE, tags: deleted.tags, properties: inState(props, 'ProtectionStopped') };
}

export function purgeDue(deleted: DeletedBackupInstanceResource, now: Date): boolean {
  return Date.parse(deleted.properties.deletionInfo.scheduledPurgeTime) <= now.getTime();
}

/**
 * When a recovery point expires by its retention timeline: the end of its last residency, null
 * when it has none (kept forever).
 */
export function pointExpiry(rp: RecoveryPointResource): Date | null {
  let last = 0;
  for (const r of rp.internal.timeline) {
    if (r.until === null) return null;
    last = Math.max(last, Date.parse(r.until));
  }
  return rp.internal.timeline.length ? new Date(last) : null;
}
