// Deleting one recovery point with its data, outside the retention worker's timeline (instance
// deletion, purge of a soft-deleted instance).
import type { ServiceContext } from './context.ts';
import type { RecoveryPointResource } from '../domain/recovery-point.ts';

/** The catalog entry goes first: a crash in between leaves unreferenced bytes, never a recovery point without data. */
export async function deletePoint(ctx: ServiceContext, rp: RecoveryPointResource): Promise<void> {
  await ctx.catalog.deleteResource(rp.id);
  const internal = rp.internal;
  const bytes = [...Object.values(internal.data), ...(internal.pendingDelete ?? []), ...(internal.rehydrated?.stored ? [internal.rehydrated.stored] : [])];
  for (const stored of bytes) await ctx.store.delete(stored);
}
