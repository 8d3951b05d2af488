// Queues work for the workers, by kind with its typed payload (queue/tasks.ts).
import type { Tasks } from '../queue/tasks.ts';
import type { ServiceContext } from './context.ts';

export async function queueTask<K extends keyof Tasks>(
  ctx: ServiceContext, kind: K, payload: Tasks[K], opts: { runAt?: Date; jobKey?: string } = {},
): Promise<boolean> {
  const queued = await ctx.queue.enqueue(kind, payload, { runAt: (opts.runAt ?? ctx.clock.now()).toISOString(), jobKey: opts.jobKey });
  if (queued) ctx.onTaskQueued?.();
  return queued;
}
