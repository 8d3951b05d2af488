// What a verify or repair learned about each recovery point's data, kept on the recovery point:
// a point whose data cannot be restored shows `recoveryPointState: 'Corrupted'` and names the
// damage (recovery-points.ts toApi) until a later verify or repair finds it restorable again (a
// later backup stored the lost chunks anew, or repair saved them).
import { BACKUP_REUSED_DAMAGED_DATA, RECOVERY_POINT_DATA_CORRUPT, RECOVERY_POINT_DATA_MISSING } from '../domain/errors.ts';
import { vaultStoreKey, type StoredHealth } from '../domain/recovery-point-store.ts';
import { RECOVERY_POINT_TYPE } from '../domain/backup-instance.ts';
import type { ServiceContext } from './context.ts';
import { saveRecoveryPoint } from './recovery-points.ts';
import type { RecoveryPointResource } from '../domain/recovery-point.ts';

export interface HealthChange {
  damaged: string[];
  healed: string[];
}

/** Applies `health` (by stored ref) to the recovery points of the vault `vaultId`. */
export async function recordRecoveryPointHealth(ctx: ServiceContext, vaultId: string, health: readonly StoredHealth[]): Promise<HealthChange> {
  const byRef = new Map(health.map((h) => [h.ref, h]));
  const at = ctx.clock.now().toISOString();
  const change: HealthChange = { damaged: [], healed: [] };
  const page = await ctx.catalog.listResources<RecoveryPointResource>({ type: RECOVERY_POINT_TYPE, idPrefix: `${vaultId}/backupInstances/` });
  for (const { body: rp } of page.items) {
    const before = rp.internal.damage ?? {};
    const after: NonNullable<RecoveryPointResource['internal']['damage']> = {};
    const stores: [string, string][] = Object.entries(rp.internal.data).map(([store, d]) => [store, d.ref]);
    if (rp.internal.rehydrated?.stored) stores.push(['VaultStore', rp.internal.rehydrated.stored.ref]);
    for (const [store, ref] of stores) {
      const h = byRef.get(ref);
      if (h === undefined) {
        if (before[store]) after[store] = before[store]; // not looked at this time: as it was
      } else if (!h.restorable) after[store] = { problem: h.problem ?? 'its data cannot be read', detectedAt: before[store]?.detectedAt ?? at };
    }
    const wasDamaged = Object.keys(before).length > 0;
    const isDamaged = Object.keys(after).length > 0;
    if (JSON.stringify(before) === JSON.stringify(after)) continue;
    if (isDamaged && !wasDamaged) change.damaged.push(rp.name);
    if (!isDamaged && wasDamaged) change.healed.push(rp.name);
    const next: RecoveryPointResource = { ...rp, internal: { ...rp.internal } };
    if (isDamaged) next.internal.damage = after;
    else delete next.internal.damage;
    await saveRecoveryPoint(ctx, next);
  }
  return change;
}

/** Error codes that mean stored data was found damaged (and quarantined) while a job ran. */
const DAMAGE_CODES = new Set([RECOVERY_POINT_DATA_CORRUPT, RECOVERY_POINT_DATA_MISSING, BACKUP_REUSED_DAMAGED_DATA]);

/**
 * After a job failed on damaged data, every recovery point of the vault is shown as the store now
 * knows it (others may share the damaged pack), without waiting for the next verify.
 */
export async function recordHealthAfterDamage(ctx: ServiceContext, vaultId: string, errorCode: string): Promise<void> {
  if (!DAMAGE_CODES.has(errorCode)) return;
  await recordRecoveryPointHealth(ctx, vaultId, await ctx.store.health(vaultStoreKey(vaultId))).catch(() => undefined);
}
