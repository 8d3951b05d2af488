// Vault maintenance: garbage collection and repacking of a vault's backup data in every datastore,
// recorded as a Management job ('Maintenance'). It gives back what deleted recovery points used,
// and the packs of backups that never finished once the grace period (24 h by the service's
// clock) has passed since they were written; it is safe beside backups and restores running in
// this process (repository/guard.ts), and the store never runs two at once for one vault. It
// runs as a queued task, on demand (`POST {vault}/maintain`) and for every vault on its own
// schedule (daily by default).
import { BACKUP_DATA_DAMAGED } from '../domain/errors.ts';
import type { StoreMaintenanceReport } from '../domain/recovery-point-store.ts';
import { vaultStoreKey } from '../domain/recovery-point-store.ts';
import { VAULT_TYPE, type BackupVault } from '../domain/vault.ts';
import { copyPendingToSecondary } from '../services/geo-copies.ts';
import type { ServiceContext } from '../services/context.ts';
import { queueMaintenance } from '../services/vault-maintenance.ts';
import { SerialRunner } from '../util/serial-runner.ts';
import { runVaultJob } from './vault-job.ts';
import type { MaintenanceTaskPayload } from '../queue/tasks.ts';
import { DEFAULT_AUDIT_RETENTION_DAYS, pruneAuditLog } from '../services/audit.ts';
import { CatalogLeases } from '../services/catalog-lease.ts';

export async function runMaintenanceJob(ctx: ServiceContext, payload: MaintenanceTaskPayload): Promise<StoreMaintenanceReport | null> {
  return runVaultJob(ctx, payload.jobId, async (vaultId) => {
    // A GeoRedundant vault's copies that failed are tried again first, so the pair's gc sees them.
    const vault = (await ctx.catalog.getResource<BackupVault>(vaultId))?.body;
    const geo = vault ? await copyPendingToSecondary(ctx, vault) : { committed: [], failed: [] };
    const report = await ctx.store.maintain(vaultStoreKey(vaultId));
    const secondary = report.secondary;
    const details: Record<string, string> = {
      Datastores: report.datastores.join(',') || 'none',
      PacksDeleted: String(report.packsDeleted),
      PacksRepacked: String(report.packsRepacked),
      UnfinishedBackupPacksDeleted: String(report.unfinishedBackupPacksDeleted),
      PacksKeptWithinGracePeriod: String(report.packsKeptYoung),
      IndexFilesReplaced: String(report.indexFilesReplaced),
      ChunkListsDeleted: String(report.chunkListsDeleted),
      BytesFreed: String(report.bytesFreed),
      StoredBytes: String(report.storedBytes),
      LocalityRepackBytesWritten: String(report.localityBytesWritten),
      LocalityRepackBudgetBytes: String(report.localityBudgetBytes),
      LocalityRunsBefore: String(report.localityRunsBefore),
      LocalityRunsAfter: String(report.localityRunsAfter),
      ...(geo.committed.length || geo.failed.length ? { SecondaryRegionCopiesCommitted: String(geo.committed.length), SecondaryRegionCopiesFailed: String(geo.failed.length) } : {}),
      ...(secondary ? { SecondaryRegionPacksDeleted: String(secondary.packsDeleted), SecondaryRegionBytesFreed: String(secondary.bytesFreed), SecondaryRegionStoredBytes: String(secondary.storedBytes) } : {}),
    };
    const problems = [...report.problems, ...(secondary?.problems ?? []).map((p) => `secondary region: ${p}`)];
    const error = problems.length
      ? { code: BACKUP_DATA_DAMAGED, message: `${problems.join('\n')}\nRun 'dpvault vault verify' to see the recovery points affected.` }
      : undefined;
    return { result: report, details, error };
  });
}

/** The catalog setting holding when every vault's maintenance was last queued by the timer. */
const LAST_QUEUED = 'maintenanceQueuedAt';
/** The timer looks at least this often whether maintenance is due. */
const CHECK_MS = 3_600_000;
/** The catalog lease a look holds: of the processes sharing a catalog, one queues each round. */
export const MAINTENANCE_LEASE = 'maintenance-queue';

/**
 * Queues a maintenance job for every vault once `intervalMs` has passed (by the service's clock)
 * since the last time it did, looking every hour at most; the worker runs them like any task.
 * The time is kept in the catalog, so a server restarted more often than the interval still
 * maintains its vaults on time; a look holds the catalog lease MAINTENANCE_LEASE, so of several
 * processes on one catalog one queues each round (another finding the lease held skips its look).
 */
export class MaintenanceScheduler {
  readonly #ctx: ServiceContext;
  readonly #runner: SerialRunner<number, string[]>;
  readonly #auditRetentionDays: number;
  readonly #leases: CatalogLeases;

  /** `auditRetentionDays`: audit log entries older than this are removed at each look (default 90); `leases`: this process's leases in the catalog. */
  constructor(ctx: ServiceContext, opts: { log?: (line: string) => void; auditRetentionDays?: number; leases?: CatalogLeases } = {}) {
    this.#ctx = ctx;
    this.#auditRetentionDays = opts.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS;
    this.#leases = opts.leases ?? new CatalogLeases(ctx.catalog, ctx.clock, { log: opts.log });
    this.#runner = new SerialRunner('vault maintenance', async (interval) => {
      const leased = await this.#leases.run(MAINTENANCE_LEASE, () => this.#run(interval));
      return leased.held ? leased.value : [];
    }, opts.log ?? (() => undefined));
  }

  /** Looks every min(`intervalMs`, 1 h) whether maintenance is due, until stopped (the timer does not keep the process alive). */
  start(intervalMs: number): void {
    this.#runner.start(Math.min(intervalMs, CHECK_MS), () => intervalMs);
  }

  stop(): Promise<void> {
    return this.#runner.stop();
  }

  /** Removes audit entries past their retention; queues every vault's maintenance if `intervalMs` has passed since the last time; returns the jobs queued. */
  tick(intervalMs: number): Promise<string[]> {
    return this.#runner.run(intervalMs);
  }

  async #run(intervalMs: number): Promise<string[]> {
    const ctx = this.#ctx;
    const now = ctx.clock.now();
    await pruneAuditLog(ctx, this.#auditRetentionDays);
    const last = await ctx.catalog.getSetting(LAST_QUEUED);
    // The first start counts as a run: a new server does not maintain empty vaults at once.
    if (last !== undefined && now.getTime() - Date.parse(last) < intervalMs) return [];
    await ctx.catalog.setSetting(LAST_QUEUED, now.toISOString());
    if (last === undefined) return [];
    const vaults = await ctx.catalog.listResources<BackupVault>({ type: VAULT_TYPE, idPrefix: `/subscriptions/${ctx.subscriptionId}/` });
    const jobs: string[] = [];
    for (const { body: vault } of vaults.items) jobs.push(await queueMaintenance(ctx, vault, false));
    return jobs;
  }
}
