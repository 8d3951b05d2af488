// The worker: claims queued tasks from the catalog and runs them, a few at a time. In the embedded
// service it runs inside `dpvault server`; the same loop can run in separate worker processes
// against a shared catalog.
import { randomUUID } from 'node:crypto';
import type { QueuedTask } from '../catalog/catalog.ts';
import type { ServiceContext } from '../services/context.ts';
import { toDpError } from '../domain/errors.ts';
import { finishJob } from '../services/jobs.ts';
import { runGuarded } from './job-guard.ts';

export type TaskHandler = (payload: Record<string, unknown>, task: QueuedTask) => Promise<void>;

export interface WorkerOptions {
  concurrency?: number;
  pollMs?: number;
  /** How long a claimed task stays leased to this worker. */
  leaseMs?: number;
  log?: (line: string) => void;
}

export class Worker {
  readonly id = `worker-${randomUUID()}`;
  readonly #ctx: ServiceContext;
  readonly #handlers: Record<string, TaskHandler>;
  readonly #opts: Required<Omit<WorkerOptions, 'log'>> & { log: (line: string) => void };
  readonly #running = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #stopped = true;
  /** The poll under way, if any: a second caller waits for it instead of returning early. */
  #polling: Promise<void> | undefined;

  constructor(ctx: ServiceContext, handlers: Record<string, TaskHandler>, opts: WorkerOptions = {}) {
    this.#ctx = ctx;
    this.#handlers = handlers;
    this.#opts = { concurrency: opts.concurrency ?? 2, pollMs: opts.pollMs ?? 500, leaseMs: opts.leaseMs ?? 24 * 3_600_000, log: opts.log ?? (() => undefined) };
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

  async #claimWork(): Promise<void> {
    clearTimeout(this.#timer);
    try {
      while (!this.#stopped && this.#running.size < this.#opts.concurrency) {
        const now = this.#ctx.clock.now();
        const task = await this.#ctx.catalog.claimTask(this.id, now.toISOString(), new Date(now.getTime() + this.#opts.leaseMs).toISOString(), Object.keys(this.#handlers));
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

  async #run(task: QueuedTask): Promise<void> {
    try {
      await runGuarded(() => this.#handlers[task.kind]!(task.payload, task));
      await this.#ctx.catalog.completeTask(task.id);
    } catch (e) {
      this.#opts.log(`task ${task.id} (${task.kind}) failed: ${(e as Error).message}`);
      // A handler that failed without ending its job (an error nothing handled): the job says so.
      const jobId = task.payload.jobId;
      if (typeof jobId === 'string') {
        const err = toDpError(e);
        await finishJob(this.#ctx, jobId, { error: { code: err.code, message: err.message } }).catch(() => undefined);
      }
      await this.#ctx.catalog.failTask(task.id, (e as Error).message);
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
