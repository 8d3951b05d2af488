// GET {vault}/storageUsage (dpvault's own, read-only): a vault's recovery points, logical and stored
// bytes per datastore now (the figures GET /metrics shows), and their history (storage-history.ts).
import { JOB_TYPE, type JobResource } from '../domain/job.ts';
import { RECOVERY_POINT_TYPE } from '../domain/backup-instance.ts';
import type { RecoveryPointResource } from '../domain/recovery-point.ts';
import { vaultStoreKey } from '../domain/recovery-point-store.ts';
import type { ServiceContext } from './context.ts';
import { pointsByDatastore } from './metrics-state.ts';
import { storageHistory, type StorageSample } from './storage-history.ts';
import { getVault } from './vaults.ts';

export interface DatastoreUsage {
  dataStoreType: string;
  recoveryPoints: number;
  logicalBytes: number;
  storedBytes: number;
}

export interface VaultStorageUsage {
  datastores: DatastoreUsage[];
  history: StorageSample[];
}

export async function vaultStorageUsage(ctx: ServiceContext, sub: string, rg: string, vaultName: string): Promise<VaultStorageUsage> {
  const vault = await getVault(ctx, sub, rg, vaultName);
  const [points, jobs] = await Promise.all([
    ctx.catalog.listResources<RecoveryPointResource>({ type: RECOVERY_POINT_TYPE, idPrefix: `${vault.id}/` }),
    ctx.catalog.listResources<JobResource>({ type: JOB_TYPE, parentId: vault.id }),
  ]);
  const rps = points.items.map((r) => r.body);
  const stored = (await ctx.store.storedBytes?.(vaultStoreKey(vault.id))) ?? {};
  const counted = pointsByDatastore(rps);
  const types = new Set([...Object.keys(stored), ...counted.points.map((s) => s.labels.datastore!)]);
  const value = (samples: { labels: Record<string, string>; value: number }[], type: string) => samples.find((s) => s.labels.datastore === type)?.value ?? 0;
  const datastores = [...types].sort().map((type) => ({
    dataStoreType: type,
    recoveryPoints: value(counted.points, type),
    logicalBytes: value(counted.logicalBytes, type),
    storedBytes: stored[type] ?? 0,
  }));
  const storedNow = datastores.reduce((sum, d) => sum + d.storedBytes, 0);
  return { datastores, history: storageHistory(rps, jobs.items.map((r) => r.body), ctx.clock.now(), storedNow) };
}
