// Soft-deleted backup instances (Azure's deletedBackupInstances): made by deleting an instance in
// a vault with soft delete On or AlwaysOn, listed, shown, undeleted (back as ProtectionStopped with
// its recovery points) and, once their scheduled purge time has passed, purged with their data by
// the retention worker. Their recovery points stay in the catalog under the instance's id, so
// nothing lists them while the instance is deleted and undelete has nothing to move.
import {
  DELETED_INSTANCE_TYPE, type DeletedBackupInstanceResource, deletedInstanceId, liveInstanceId, purgeDue, softDeleted, undeleted,
} from '../domain/deleted-instance.ts';
import { INSTANCE_TYPE, type BackupInstanceResource } from '../domain/backup-instance.ts';
import { errors } from '../domain/errors.ts';
import { deletableNow } from '../domain/immutability.ts';
import type { BackupVault } from '../domain/vault.ts';
import { VAULT_TYPE } from '../domain/vault.ts';
import { newGuid } from '../util/ids.ts';
import { vaultStoreKey } from '../domain/recovery-point-store.ts';
import type { ServiceContext } from './context.ts';
import { deletePoint } from './point-deletion.ts';
import { listPointsOf } from './recovery-point-retention.ts';
import { getVault } from './vaults.ts';

/** The key of a soft-deleted instance's note in its vault's storage (vault-recovery.ts reads them). */
export function deletionNoteKey(name: string): string {
  return `deletedBackupInstance:${name.toLowerCase()}`;
}

/**
 * Moves a live instance to deletedBackupInstances, atomically (a no-op when it is already gone).
 * Its deletion state is first noted in the vault's storage, so `vault recover` after the catalog is
 * lost finds it soft-deleted, not live.
 */
export async function softDeleteInstance(ctx: ServiceContext, vault: BackupVault, instanceId: string): Promise<DeletedBackupInstanceResource | undefined> {
  const current = await ctx.catalog.getResource<BackupInstanceResource>(instanceId);
  if (!current) return undefined;
  const days = vault.properties.securitySettings.softDeleteSettings.retentionDurationInDays;
  const deleted = softDeleted(current.body, ctx.clock.now(), days, newGuid());
  await ctx.store.setNote(vaultStoreKey(vault.id), deletionNoteKey(deleted.name), { ...deleted });
  return ctx.catalog.transaction(async () => {
    if (!(await ctx.catalog.getResource(instanceId))) return undefined;
    await ctx.catalog.putResource({ id: deleted.id, type: DELETED_INSTANCE_TYPE, parentId: vault.id, body: { ...deleted } });
    await ctx.catalog.deleteResource(instanceId);
    return deleted;
  });
}

export async function listDeletedInstances(ctx: ServiceContext, sub: string, rg: string, vault: string): Promise<DeletedBackupInstanceResource[]> {
  const v = await getVault(ctx, sub, rg, vault);
  return (await ctx.catalog.listResources<DeletedBackupInstanceResource>({ type: DELETED_INSTANCE_TYPE, parentId: v.id })).items.map((r) => r.body);
}

export async function getDeletedInstance(ctx: ServiceContext, sub: string, rg: string, vault: string, name: string): Promise<DeletedBackupInstanceResource> {
  const v = await getVault(ctx, sub, rg, vault);
  const found = await ctx.catalog.getResource<DeletedBackupInstanceResource>(`${v.id}/deletedBackupInstances/${name}`);
  if (!found) throw errors.deletedInstanceNotFound(name, v.name);
  return found.body;
}

/** Whether `name` is taken by a soft-deleted instance of the vault (a new instance may not reuse it). */
export async function checkNameNotSoftDeleted(ctx: ServiceContext, vault: BackupVault, instanceId: string): Promise<void> {
  const found = await ctx.catalog.getResource<DeletedBackupInstanceResource>(deletedInstanceId(instanceId));
  if (found) throw errors.instanceNameSoftDeleted(found.body.name, vault.name);
}

/** Undelete: the instance back as ProtectionStopped with the recovery points not yet purged. */
export async function undeleteInstance(ctx: ServiceContext, vault: BackupVault, name: string): Promise<BackupInstanceResource> {
  const instance = await ctx.catalog.transaction(async () => {
    const found = await ctx.catalog.getResource<DeletedBackupInstanceResource>(`${vault.id}/deletedBackupInstances/${name}`);
    if (!found) throw errors.deletedInstanceNotFound(name, vault.name);
    const back = undeleted(found.body);
    await ctx.catalog.putResource({ id: back.id, type: INSTANCE_TYPE, parentId: vault.id, body: { ...back } });
    await ctx.catalog.deleteResource(found.id);
    return back;
  });
  // A crash before this leaves the note: a recovery from storage would find it deleted (the safe side).
  await ctx.store.setNote(vaultStoreKey(vault.id), deletionNoteKey(instance.name), null);
  return instance;
}

export interface PurgeReport {
  /** Deleted instances purged entirely. */
  purged: string[];
  /** Recovery points deleted. */
  deletedPoints: number;
  /** Points an immutable vault keeps past the purge time until they expire. */
  keptByImmutability: number;
}

/**
 * Purges every soft-deleted instance whose scheduled purge time has passed at `now`: its recovery
 * points and their data, then the resource. An immutable vault keeps the points that have not
 * expired (and so the resource) until they have. Each point goes in a transaction that checks
 * the instance is still deleted, so an undelete racing the purge keeps what is not yet gone.
 */
export async function purgeDeletedInstances(ctx: ServiceContext, now: Date): Promise<PurgeReport> {
  const report: PurgeReport = { purged: [], deletedPoints: 0, keptByImmutability: 0 };
  const all = await ctx.catalog.listResources<DeletedBackupInstanceResource>({ type: DELETED_INSTANCE_TYPE, idPrefix: `/subscriptions/${ctx.subscriptionId}/` });
  for (const { body: deleted, parentId } of all.items) {
    if (!purgeDue(deleted, now)) continue;
    const vault = parentId ? (await ctx.catalog.getResource<BackupVault>(parentId))?.body : undefined;
    if (!vault || vault.type !== VAULT_TYPE) continue;
    const points = await listPointsOf(ctx, liveInstanceId(deleted.id));
    const deletable = deletableNow(vault, points, now);
    report.keptByImmutability += points.length - deletable.length;
    for (const rp of deletable) {
      const stillDeleted = await ctx.catalog.transaction(async () => {
        if (!(await ctx.catalog.getResource(deleted.id))) return false;
        await ctx.catalog.deleteResource(rp.id);
        return true;
      });
      if (!stillDeleted) break;
      await deletePoint(ctx, rp);
      report.deletedPoints++;
    }
    const gone = await ctx.catalog.transaction(async () => {
      if (await ctx.catalog.countResources({ parentId: liveInstanceId(deleted.id) })) return false;
      return ctx.catalog.deleteResource(deleted.id);
    });
    if (gone) {
      await ctx.store.setNote(vaultStoreKey(vault.id), deletionNoteKey(deleted.name), null);
      report.purged.push(deleted.name);
    }
  }
  return report;
}
