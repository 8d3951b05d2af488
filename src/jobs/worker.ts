// The worker: claims queued tasks from the task queue and runs them, a few at a time, keeping each
// task's lease alive with a heartbeat while it runs. In the embedded service it runs inside
// `dpvault server`; the same loop can run in separate worker processes against a shared queue.
import { randomUUID } from 'node:crypto';
import type { AnyTask, QueuedTask, TaskMap, TaskQueue } from '../queue/queue.ts';
import type { Tasks } from '../queue/tasks.ts';
import type { ServiceContext } from '../services/context.ts';
import { toDpError } from '../domain/errors.ts';
import { finishJob } from '../services/jobs.ts';
import { collectIfGrown } from '../util/full-gc.ts';
import { runGuarded } from './job-guard.ts';

/** One handler per task kind, each given its kind's payload. */
export type TaskHandlers<M extends TaskMap<M> = Tasks> = {
  [K in keyof M & string]: (payload: M[K], task: QueuedTask<M, K>) => Promise<void>;
};

/** How long a claimed task stays leased without a heartbeat, unless told otherwise. */
export const DEFAULT_TASK_LEASE_MS = 300_000;
/** RSS growth since the last collection after which a finished task is followed by one. */
export const COLLECT_ABOVE_BYTES = 32 * 1024 * 1024;

export interface WorkerOptions {
  concurrency?: number;
  pollMs?: number;
  /** How long a claimed task stays leased to this worker without a heartbeat (default 5 min). */
  leaseMs?: number;
  /** How often a running task's lease is extended (default a fifth of leaseMs). */
  heartbeatMs?: number;
  /** Starts this worker's id (its lease holder name): the process instance it belongs to. */
  idPrefix?: string;
  /** Runs a full garbage collection after each task that grew the process by COLLECT_ABOVE_BYTES (default true). */
  collectAfterTask?: boolean;
  log?: (line: string) => void;
}

export class Worker<M extends TaskMap<M> = Tasks> {
  readonly id: string;
  readonly #ctx: ServiceContext;
  readonly #queue: TaskQueue<M>;
  readonly #handlers: TaskHandlers<M>;
  readonly #opts: Required<Omit<WorkerOptions, 'log' | 'idPrefix'>> & { log: (line: string) => void };
  readonly #running = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #stopped = true;
  /** The poll under way, if any: a second caller waits for it instead of returning early. */
  #polling: Promise<void> | undefined;

  constructor(ctx: ServiceContext, queue: TaskQueue<M>, handlers: TaskHandlers<M>, opts: WorkerOptions = {}) {
    this.#ctx = ctx;
    this.#queue = queue;
    this.#handlers = handlers;
    this.id = `${opts.idPrefix ?? ''}worker-${randomUUID()}`;
    const leaseMs = opts.leaseMs ?? DEFAULT_TASK_LEASE_MS;
    this.#opts = {
      concurrency: opts.concurrency ?? 2, pollMs: opts.pollMs ?? 500, leaseMs, heartbeatMs: opts.heartbeatMs ?? leaseMs / 5, log: opts.log ?? (() => undefined),
      collectAfterTask: opts.collectAfterTask ?? true,
    };
  }

  start(): void {
    this.#stopped = false;
    this.poke();
  }

  /** Looks for work now (called after a task is queued). */
  poke(): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    void this.#poll();
  }

  #poll(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    this.#polling ??= this.#claimWork().finally(() => {
      this.#polling = undefined;
      if (!this.#stopped) this.#timer = setTimeout(() => void this.#poll(), this.#opts.pollMs);
    });
    return this.#polling;
  }

  #leaseUntil(): string {
    return new Date(this.#ctx.clock.now().getTime() + this.#opts.leaseMs).toISOString();
  }

  async #claimWork(): Promise<void> {
    clearTimeout(this.#timer);
    try {
      const kinds = Object.keys(this.#handlers) as (keyof M & string)[];
      while (!this.#stopped && this.#running.size < this.#opts.concurrency) {
        const task = await this.#queue.claim(this.id, { now: this.#ctx.clock.now().toISOString(), leaseUntil: this.#leaseUntil(), kinds });
        if (!task) break;
        const run = this.#run(task).finally(() => {
          this.#running.delete(run);
          this.poke();
        });
        this.#running.add(run);
      }
    } catch (e) {
      this.#opts.log(`worker poll failed: ${(e as Error).message}`);
    }
  }

  #handle<K extends keyof M & string>(task: QueuedTask<M, K>): Promise<void> {
    return this.#handlers[task.kind](task.payload, task);
  }

  async #run(task: AnyTask<M>): Promise<void> {
    const heartbeat = setInterval(() => void this.#heartbeat(task), this.#opts.heartbeatMs);
    heartbeat.unref();
    try {
      try {
        await runGuarded(() => this.#handle(task));
      } finally {
        // What the task dropped goes back now, not when allocation next forces a collection:
        // the next task's peak starts from the idle footprint (util/full-gc.ts). Tasks that left
        // the process within COLLECT_ABOVE_BYTES of its last collection are not worth one.
        if (this.#opts.collectAfterTask) collectIfGrown(COLLECT_ABOVE_BYTES);
      }
      clearInterval(heartbeat);
      await this.#queue.complete(task.id);
    } catch (e) {
      clearInterval(heartbeat);
      this.#opts.log(`task ${task.id} (${task.kind}) failed: ${(e as Error).message}`);
      // A handler that failed without ending its job (an error nothing handled): the job says so.
      const jobId = jobIdOf(task.payload);
      if (jobId !== undefined) {
        const err = toDpError(e);
        await finishJob(this.#ctx, jobId, { error: { code: err.code, message: err.message } }).catch(() => undefined);
      }
      await this.#queue.fail(task.id, (e as Error).message);
    }
  }

  async #heartbeat(task: AnyTask<M>): Promise<void> {
    try {
      if (!(await this.#queue.heartbeat(task.id, this.id, this.#leaseUntil()))) this.#opts.log(`task ${task.id} (${task.kind}): its lease is no longer this worker's`);
    } catch (e) {
      this.#opts.log(`task ${task.id} (${task.kind}): heartbeat failed: ${(e as Error).message}`);
    }
  }

  /** Stops claiming work and waits for what is running. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    while (this.#running.size) await Promise.allSettled([...this.#running]);
  }

  /** Resolves when no task is running or due (for tests). */
  async drain(): Promise<void> {
    while (true) {
      while (this.#running.size) await Promise.allSettled([...this.#running]);
      await this.#poll();
      if (!this.#running.size) return;
    }
  }
}

/** The job a payload reports to, if it names one (every task of the service's map does). */
function jobIdOf(payload: object): string | undefined {
  return 'jobId' in payload && typeof payload.jobId === 'string' ? payload.jobId : undefined;
}
