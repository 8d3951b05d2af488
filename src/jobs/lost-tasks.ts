// Tasks whose worker was lost, in the shared mode (issue 22): many servers and workers claim from
// one PostgreSQL queue, so no process may end another's leases at start (recovery.ts); instead a
// task whose lease is over (its worker was killed, its machine lost) is found by a periodic look
// in the background work of every server and worker, one process at a time (it holds the catalog
// lease LOST_TASKS_LEASE, so two processes never act on one task twice).
//
// What happens to such a task (lostTaskAction, pure):
// - backup, verify and maintenance are run again, as the same job (still InProgress; its details
//   say it was retried after its worker was lost), up to MAX_TASK_ATTEMPTS claims. Running them
//   again is safe: a backup writes a new recovery point only at its end (the packs a lost attempt
//   finished are left to maintenance's grace period, as after any interrupted backup), a verify
//   only reads, a maintenance round takes the repository's lock again. An alert's delivery is
//   attempted again likewise.
// - a restore fails with JobInterrupted once what it half-wrote is removed (restore-cleanup.ts),
//   as start-up recovery does in the embedded mode: a second attempt would write into a target a
//   user may already be looking at, so the user decides. A repair fails likewise.
// - past MAX_TASK_ATTEMPTS a task fails with JobInterrupted: a job whose worker is lost every time
//   (say, one that exhausts the worker's memory) ends visibly instead of killing worker after worker.
import { errors } from '../domain/errors.ts';
import type { AnyTask } from '../queue/queue.ts';
import type { CatalogLeases } from '../services/catalog-lease.ts';
import type { ServiceContext } from '../services/context.ts';
import { finishJob, loadJob, updateJob } from '../services/jobs.ts';
import { cleanUpInterruptedRestore } from './restore-cleanup.ts';

/** Claims a task may have before a lost worker fails it instead of running it again. */
export const MAX_TASK_ATTEMPTS = 3;
export const LOST_TASKS_LEASE = 'lost-tasks';
/** The job detail that says a job was run again after its worker was lost. */
export const WORKER_LOST_DETAIL = 'RetriedAfterWorkerLost';

const RETRIED_KINDS: ReadonlySet<string> = new Set(['backup', 'verify', 'maintenance', 'alertDelivery']);

export type LostTaskAction = 'retry' | 'fail';

/** What becomes of a task whose lease is over: run again (an idempotent kind under the attempt limit) or failed. */
export function lostTaskAction(task: { kind: string; attempts: number }, maxAttempts = MAX_TASK_ATTEMPTS): LostTaskAction {
  return RETRIED_KINDS.has(task.kind) && task.attempts < maxAttempts ? 'retry' : 'fail';
}

/** Retries or fails every task whose lease is over at `now`; returns what was done to each. */
export async function reapLostTasks(ctx: ServiceContext, now: string, maxAttempts = MAX_TASK_ATTEMPTS): Promise<{ taskId: number; kind: string; action: LostTaskAction }[]> {
  const done: { taskId: number; kind: string; action: LostTaskAction }[] = [];
  for (const task of await ctx.queue.listExpired(now)) {
    const action = lostTaskAction(task, maxAttempts);
    if (action === 'retry') await retryLostTask(ctx, task, now, maxAttempts);
    else await failLostTask(ctx, task, errors.jobWorkerLost, 'its worker was lost');
    ctx.log?.(`task ${task.id} (${task.kind}): its worker ${task.leasedBy ?? ''} was lost; ${action === 'retry' ? `running it again (attempt ${task.attempts + 1} of ${maxAttempts})` : 'failed'}`);
    done.push({ taskId: task.id, kind: task.kind, action });
  }
  return done;
}

async function retryLostTask(ctx: ServiceContext, task: AnyTask, now: string, maxAttempts: number): Promise<void> {
  if (task.kind !== 'alertDelivery') {
    const jobId = task.payload.jobId;
    const job = await loadJob(ctx, jobId).catch(() => undefined);
    if (job?.properties.status === 'InProgress') {
      await updateJob(ctx, jobId, (p) => {
        p.extendedInfo.additionalDetails = {
          ...(p.extendedInfo.additionalDetails ?? {}),
          [WORKER_LOST_DETAIL]: `Its worker was lost at attempt ${task.attempts} (its lease ended ${task.leaseUntil ?? now}); run again, attempt ${task.attempts + 1} of ${maxAttempts}.`,
        };
      });
    }
  }
  await ctx.queue.retry(task.id, 'its worker was lost', now);
}

/**
 * Fails a task whose worker is gone: a job still InProgress fails with the error `make` gives
 * (JobInterrupted), saying what of an interrupted restore was removed. An alert's delivery has no
 * job: the task alone fails.
 */
export async function failLostTask(ctx: ServiceContext, task: AnyTask, make: (kept: string) => { code: string; message: string }, reason: string): Promise<void> {
  if (task.kind !== 'alertDelivery') {
    const jobId = task.payload.jobId;
    if ((await loadJob(ctx, jobId).catch(() => undefined))?.properties.status === 'InProgress') {
      const kept = task.kind === 'restore' ? await cleanUpInterruptedRestore(ctx, task.payload) : 'Nothing it wrote was kept.';
      const err = make(kept);
      await finishJob(ctx, jobId, { error: { code: err.code, message: err.message } }).catch(() => undefined);
    }
  }
  await ctx.queue.fail(task.id, reason);
}

/** The periodic look for lost tasks of one process, under the catalog lease (one process at a time). */
export class LostTaskReaper {
  readonly #ctx: ServiceContext;
  readonly #leases: CatalogLeases;
  readonly #maxAttempts: number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;

  constructor(ctx: ServiceContext, leases: CatalogLeases, opts: { maxAttempts?: number } = {}) {
    this.#ctx = ctx;
    this.#leases = leases;
    this.#maxAttempts = opts.maxAttempts ?? MAX_TASK_ATTEMPTS;
  }

  /** One look now (when another process is looking, nothing): the tasks retried or failed. */
  async reap(): Promise<number> {
    const leased = await this.#leases.run(LOST_TASKS_LEASE, () => reapLostTasks(this.#ctx, this.#ctx.clock.now().toISOString(), this.#maxAttempts));
    return leased.held ? leased.value.length : 0;
  }

  start(intervalMs: number): void {
    this.#timer = setInterval(() => {
      this.#running ??= this.reap()
        .catch((e: unknown) => this.#ctx.log?.(`looking for tasks of lost workers failed: ${(e as Error).message}`))
        .finally(() => (this.#running = undefined));
    }, intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }
}
