// Deleting a backup instance, Azure's way: with the vault's soft delete On or AlwaysOn it becomes a
// deletedBackupInstances resource (services/deleted-instances.ts) and keeps its recovery points;
// with soft delete Off its recovery points and their data go at once, unless the vault is
// immutable and any of them has not expired.
import { checkNoEarlyDeletion } from '../domain/immutability.ts';
import type { BackupVault } from '../domain/vault.ts';
import type { ServiceContext } from './context.ts';
import { deletePoint } from './point-deletion.ts';
import { listPointsOf } from './recovery-point-retention.ts';
import { softDeleteInstance } from './deleted-instances.ts';

export function softDeleteOn(vault: BackupVault): boolean {
  return vault.properties.securitySettings.softDeleteSettings.state !== 'Off';
}

/** Checks, before the operation starts, that deleting the instance is allowed (throws Azure's error). */
export async function checkInstanceDeletable(ctx: ServiceContext, vault: BackupVault, instanceId: string): Promise<void> {
  if (softDeleteOn(vault)) return;
  checkNoEarlyDeletion(vault, await listPointsOf(ctx, instanceId), ctx.clock.now(), 'deleting the backup instance with soft delete Off');
}

/** Deletes the instance as the vault's soft delete setting says (run as the DELETE's operation). */
export async function deleteInstance(ctx: ServiceContext, vault: BackupVault, instanceId: string): Promise<void> {
  if (softDeleteOn(vault)) {
    await softDeleteInstance(ctx, vault, instanceId);
    return;
  }
  await checkInstanceDeletable(ctx, vault, instanceId);
  await deleteInstanceData(ctx, instanceId);
}

export async function deleteInstanceData(ctx: ServiceContext, instanceId: string): Promise<void> {
  for (const rp of await listPointsOf(ctx, instanceId)) await deletePoint(ctx, rp);
  await ctx.catalog.deleteResource(instanceId);
  await ctx.store.collectGarbage?.();
}
