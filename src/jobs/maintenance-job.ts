// Vault maintenance: garbage collection and repacking of a vault's backup data in every datastore,
// recorded as a Management job ('Maintenance'). It gives back what deleted recovery points used,
// and the packs of backups that never finished once the grace period (24 h by the service's
// clock) has passed since they were written; it is safe beside backups and restores running in
// this process (repository/guard.ts), and the store never runs two at once for one vault. It
// runs as a queued task, on demand (`POST {vault}/maintain`) and for every vault on its own timer.
import { toDpError } from '../domain/errors.ts';
import type { StoreMaintenanceReport } from '../domain/recovery-point-store.ts';
import { vaultStoreKey } from '../domain/recovery-point-store.ts';
import { VAULT_TYPE, type BackupVault } from '../domain/vault.ts';
import type { ServiceContext } from '../services/context.ts';
import { createJob, finishJob, loadJob } from '../services/jobs.ts';
import { queueTask } from '../services/tasks.ts';
import { SerialRunner } from '../util/serial-runner.ts';

export interface MaintenanceTaskPayload {
  jobId: string;
}

export async function runMaintenanceJob(ctx: ServiceContext, payload: MaintenanceTaskPayload): Promise<StoreMaintenanceReport | null> {
  const job = await loadJob(ctx, payload.jobId);
  if (!job || job.properties.status !== 'InProgress') return null;
  try {
    const report = await ctx.store.maintain(vaultStoreKey(job.id.split('/backupJobs/')[0]!));
    const details = {
      Datastores: report.datastores.join(',') || 'none',
      PacksDeleted: String(report.packsDeleted),
      PacksRepacked: String(report.packsRepacked),
      UnfinishedBackupPacksDeleted: String(report.unfinishedBackupPacksDeleted),
      PacksKeptWithinGracePeriod: String(report.packsKeptYoung),
      IndexFilesReplaced: String(report.indexFilesReplaced),
      ChunkListsDeleted: String(report.chunkListsDeleted),
      BytesFreed: String(report.bytesFreed),
      StoredBytes: String(report.storedBytes),
    };
    const error = report.problems.length
      ? { code: 'UserErrorBackupDataDamaged', message: `${report.problems.join('\n')}\nRun 'dpvault vault verify' to see the recovery points affected.` }
      : undefined;
    await finishJob(ctx, job.id, error ? { error } : {}, (p) => {
      p.extendedInfo.additionalDetails = details;
    });
    return report;
  } catch (e) {
    const err = toDpError(e);
    await finishJob(ctx, job.id, { error: { code: err.code, message: err.message } });
    return null;
  }
}

/** Queues a maintenance job for every vault on a timer; the worker runs them like any task. */
export class MaintenanceScheduler {
  readonly #ctx: ServiceContext;
  readonly #runner: SerialRunner<void, string[]>;

  constructor(ctx: ServiceContext, opts: { log?: (line: string) => void } = {}) {
    this.#ctx = ctx;
    this.#runner = new SerialRunner('vault maintenance', () => this.#queueAll(), opts.log ?? (() => undefined));
  }

  /** Queues every vault's maintenance every `intervalMs` until stopped (the timer does not keep the process alive). */
  start(intervalMs: number): void {
    this.#runner.start(intervalMs, () => undefined);
  }

  stop(): Promise<void> {
    return this.#runner.stop();
  }

  /** Queues every vault's maintenance now; resolves with the ids of the jobs queued. */
  queueAll(): Promise<string[]> {
    return this.#runner.run();
  }

  async #queueAll(): Promise<string[]> {
    const ctx = this.#ctx;
    const vaults = await ctx.catalog.listResources<BackupVault>({ type: VAULT_TYPE, idPrefix: `/subscriptions/${ctx.subscriptionId}/` });
    const jobs: string[] = [];
    for (const { body: vault } of vaults.items) jobs.push(await queueMaintenance(ctx, vault, false));
    return jobs;
  }
}

/** Creates a maintenance job for `vault` and queues its task; returns the job id. */
export async function queueMaintenance(ctx: ServiceContext, vault: BackupVault, isUserTriggered: boolean): Promise<string> {
  const job = await createJob(ctx, {
    vault, instance: null, policy: null, category: 'Management', operation: 'Maintenance', isUserTriggered, taskName: 'Maintain backup data',
  });
  await queueTask(ctx, 'maintenance', { jobId: job.id });
  return job.id;
}
