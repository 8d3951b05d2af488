// Deleting a backup instance: its recovery points and their data go with it.
import { RECOVERY_POINT_TYPE } from '../domain/backup-instance.ts';
import type { ServiceContext } from './context.ts';
import type { RecoveryPointResource } from '../domain/recovery-point.ts';

export async function deleteInstanceData(ctx: ServiceContext, instanceId: string): Promise<void> {
  const rps = await ctx.catalog.listResources<RecoveryPointResource>({ type: RECOVERY_POINT_TYPE, parentId: instanceId });
  for (const rp of rps.items) {
    // The catalog entry goes first: a crash in between leaves unreferenced bytes, never a recovery point without data.
    await ctx.catalog.deleteResource(rp.id);
    const internal = rp.body.internal;
    const bytes = [...Object.values(internal.data), ...(internal.pendingDelete ?? []), ...(internal.rehydrated?.stored ? [internal.rehydrated.stored] : [])];
    for (const stored of bytes) await ctx.store.delete(stored);
  }
  await ctx.catalog.deleteResource(instanceId);
  await ctx.store.collectGarbage?.();
}
