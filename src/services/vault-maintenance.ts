// Queues a vault's maintenance (garbage collection, repacking; jobs/maintenance-job.ts runs it):
// on demand (`POST {vault}/maintain`) and from the maintenance schedule.
import type { BackupVault } from '../domain/vault.ts';
import type { ServiceContext } from './context.ts';
import { createJob } from './jobs.ts';
import { queueTask } from './tasks.ts';

/** Creates a maintenance job for `vault` and queues its task; returns the job id. */
export async function queueMaintenance(ctx: ServiceContext, vault: BackupVault, isUserTriggered: boolean): Promise<string> {
  const job = await createJob(ctx, {
    vault, instance: null, policy: null, category: 'Management', operation: 'Maintenance', isUserTriggered, taskName: 'Maintain backup data',
  });
  await queueTask(ctx, 'maintenance', { jobId: job.id });
  return job.id;
}
