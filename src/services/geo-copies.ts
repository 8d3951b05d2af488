// Geo-redundant vaults: a vault whose VaultStore is GeoRedundant, in a location the server pairs
// with another (`--paired-location A=B`), has each recovery point copied to the pair's storage
// after its backup (the store's `replicate`: repository/replicate.ts). The point shows the copy's
// state in `secondaryRegionDetails`; a copy that failed (the pair's storage unreachable, the
// server stopped) is tried again, sending only what is missing, by the vault's next backup or
// maintenance, oldest point first.
import { RECOVERY_POINT_TYPE } from '../domain/backup-instance.ts';
import { errors, REPOSITORY_MANIFEST_NOT_FOUND, toDpError } from '../domain/errors.ts';
import type { RecoveryPointResource } from '../domain/recovery-point.ts';
import { isGeoRedundant, type BackupVault } from '../domain/vault.ts';
import type { ServiceContext } from './context.ts';
import { updateRecoveryPoint } from './recovery-point-retention.ts';

/** The region a vault's points are copied to: its location's pair when it was created GeoRedundant. */
export function secondaryRegionOf(vault: BackupVault): string | undefined {
  return isGeoRedundant(vault) ? vault.properties.replicatedRegions?.[0] : undefined;
}

/** The regions a vault (being created or updated) replicates to; refuses a GeoRedundant vault without a pair of its own. */
export function replicatedRegionsFor(ctx: ServiceContext, vault: BackupVault): string[] {
  if (!isGeoRedundant(vault)) return [];
  const refusal = ctx.placement ? ctx.placement.geoRedundancyRefusal(vault.location) : 'this server keeps no storage per location.';
  if (refusal) throw errors.geoRedundancyUnavailable(refusal, 'properties.storageSettings');
  return [ctx.placement!.pairOf(vault.location)!];
}

/** Marks a new point of a GeoRedundant vault as waiting for its copy (before it is first saved). */
export function markCopyPending(vault: BackupVault, rp: RecoveryPointResource): void {
  const region = secondaryRegionOf(vault);
  if (region) rp.properties.secondaryRegionDetails = { region, state: 'COPY_PENDING', copyTime: null, error: null };
}

export interface CopyOutcome {
  committed: string[];
  failed: { recoveryPointId: string; code: string; message: string }[];
}

/**
 * Copies every point of the vault whose copy is not committed yet, oldest first, and records each
 * outcome on the point. Never throws for a copy that fails: the point says why.
 */
export async function copyPendingToSecondary(ctx: ServiceContext, vault: BackupVault): Promise<CopyOutcome> {
  const out: CopyOutcome = { committed: [], failed: [] };
  const region = secondaryRegionOf(vault);
  if (!region || !ctx.store.replicate) return out;
  const points = (await ctx.catalog.listResources<RecoveryPointResource>({ type: RECOVERY_POINT_TYPE, idPrefix: `${vault.id}/` })).items
    .map((r) => r.body)
    .filter((rp) => rp.internal.data.VaultStore && rp.properties.secondaryRegionDetails?.state !== 'COMMITTED')
    .sort((a, b) => a.properties.recoveryPointTime.localeCompare(b.properties.recoveryPointTime));
  for (const rp of points) {
    const stored = rp.internal.data.VaultStore!;
    try {
      await ctx.store.replicate(stored);
    } catch (e) {
      const err = toDpError(e);
      if (err.code === REPOSITORY_MANIFEST_NOT_FOUND) continue; // deleted meanwhile (retention)
      await updateRecoveryPoint(ctx, rp.id, (r) => {
        r.properties.secondaryRegionDetails = { region, state: 'FAILED', copyTime: r.properties.secondaryRegionDetails?.copyTime ?? null, error: { code: err.code, message: err.message } };
      });
      ctx.log?.(`geo-redundant copy of recovery point ${rp.name} to ${region} failed: ${err.message}`);
      out.failed.push({ recoveryPointId: rp.name, code: err.code, message: err.message });
      continue;
    }
    const kept = await updateRecoveryPoint(ctx, rp.id, (r) => {
      r.properties.secondaryRegionDetails = { region, state: 'COMMITTED', copyTime: ctx.clock.now().toISOString(), error: null };
    });
    // Deleted (by retention, in both regions) while it was being copied: the copy goes too.
    if (!kept) await ctx.store.secondary?.delete(stored).catch((e: unknown) => ctx.log?.(`removing the copy of deleted recovery point ${rp.name} from ${region} failed: ${toDpError(e).message}`));
    else out.committed.push(rp.name);
  }
  return out;
}
