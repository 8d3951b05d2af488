// Start-up recovery for the embedded service: work that was running when the server stopped is
// failed (its job says so, and so does a long-running operation a client may still be polling),
// what an interrupted restore wrote is removed (its staging database, its `.partial` dump:
// restore-cleanup.ts, and the job says what was removed), and what interrupted writes of backup
// data left is removed by the storage (`removePartials`, storage/factory.ts), so nothing half-done
// survives. Packs an interrupted backup finished stay until the vault's maintenance collects them
// once the grace period has passed (maintenance-job.ts): no manifest refers to them.
import type { ServiceContext } from '../services/context.ts';
import { finishJob, loadJob } from '../services/jobs.ts';
import { cleanUpInterruptedRestore } from './restore-cleanup.ts';
import type { RestoreTaskPayload } from './restore-job.ts';
import type { StorageFactory } from '../storage/factory.ts';

export async function recoverInterruptedWork(ctx: ServiceContext, storage: StorageFactory): Promise<number> {
  const running = await ctx.catalog.listTasks('running');
  for (const task of running) {
    const jobId = task.payload.jobId;
    if (typeof jobId === 'string' && (await loadJob(ctx, jobId).catch(() => undefined))?.properties.status === 'InProgress') {
      const kept = task.kind === 'restore' ? await cleanUpInterruptedRestore(ctx, task.payload as unknown as RestoreTaskPayload) : 'Nothing it wrote was kept.';
      await finishJob(ctx, jobId, {
        error: { code: 'JobInterrupted', message: `The dpvault server stopped while this job was running. ${kept} Run it again.` },
      }).catch(() => undefined);
    }
    await ctx.catalog.failTask(task.id, 'interrupted by a server stop');
  }
  for (const op of await ctx.catalog.listOperations('Inprogress')) {
    await ctx.catalog.putOperation({
      ...op,
      status: 'Failed',
      endTime: ctx.clock.now().toISOString(),
      error: { code: 'OperationInterrupted', message: 'The dpvault server stopped while this operation was running. Check the resource and run the operation again.' },
    });
  }
  await storage.removePartials();
  return running.length;
}
