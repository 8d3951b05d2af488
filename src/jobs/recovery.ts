// Start-up recovery for the embedded service: work that was running when the server stopped (its
// lease is over) is failed (its job says so, and so does a long-running operation a client may
// still be polling), what an interrupted restore wrote is removed (its staging database, its
// `.partial` dump: restore-cleanup.ts, and the job says what was removed), and what interrupted writes of backup
// data left is removed by the storage (`removePartials`, storage/factory.ts), so nothing half-done
// survives. Packs an interrupted backup finished stay until the vault's maintenance collects them
// once the grace period has passed (maintenance-job.ts): no manifest refers to them.
import { errors } from '../domain/errors.ts';
import type { ServiceContext } from '../services/context.ts';
import { failLostTask } from './lost-tasks.ts';
import { StorageFactory } from '../storage/factory.ts';
import type { StoragePlacement } from '../storage/placement.ts';

/**
 * Start-up recovery of the embedded server. It holds the data-dir lock, so no other process runs
 * tasks: every lease not held by this process instance (`instancePrefix`, which starts its
 * workers' ids) belongs to a previous instance that stopped, and is ended now; then the tasks
 * whose lease is over are failed (failExpiredTasks). Returns how many.
 *
 * `shared`: other processes work on the same catalog and storage (a PostgreSQL catalog): their
 * operations in progress and the partial files of their writes under way are theirs, so only the
 * tasks are recovered.
 */
export async function recoverInterruptedWork(ctx: ServiceContext, storage: StorageFactory | StoragePlacement, instancePrefix: string, shared = false): Promise<number> {
  const now = ctx.clock.now().toISOString();
  // A queue other processes claim from too (PostgreSQL): their leases are theirs; only those over fail here.
  if (!ctx.queue.shared) await ctx.queue.expireLeases(now, instancePrefix);
  // Shared: a task whose lease is over is the lost-task look's (lost-tasks.ts), which runs it again or fails it.
  const failed = ctx.queue.shared ? 0 : await failExpiredTasks(ctx, now);
  if (shared) return failed;
  const interrupted = errors.operationInterrupted();
  for (const op of await ctx.catalog.listOperations('Inprogress')) {
    await ctx.catalog.putOperation({
      ...op,
      status: 'Failed',
      endTime: ctx.clock.now().toISOString(),
      error: { code: interrupted.code, message: interrupted.message },
    });
  }
  const all = storage instanceof StorageFactory ? [storage] : (await storage.all()).map((s) => s.factory);
  for (const factory of all) await factory.removePartials();
  return failed;
}

/**
 * Fails the tasks whose lease is over at `now` (their worker is gone; tasks whose lease still
 * holds may be running in another process and are left alone). A job still InProgress fails with
 * JobInterrupted, saying what of an interrupted restore was removed; an alert's delivery is queued
 * again instead. Returns how many.
 */
export async function failExpiredTasks(ctx: ServiceContext, now: string): Promise<number> {
  const expired = await ctx.queue.listExpired(now);
  for (const task of expired) {
    if (task.kind === 'alertDelivery') {
      // No job: the attempt the stop interrupted runs again (its delivery is still Pending).
      await ctx.queue.enqueue('alertDelivery', task.payload, { runAt: now, jobKey: `alert-resumed:${task.id}` });
      await ctx.queue.fail(task.id, 'interrupted by a server stop; queued again');
      continue;
    }
    await failLostTask(ctx, task, errors.jobInterrupted, 'interrupted by a server stop');
  }
  return expired.length;
}
