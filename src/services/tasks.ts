// Queues work for the workers.
import type { ServiceContext } from './context.ts';

export async function queueTask(
  ctx: ServiceContext, kind: string, payload: Record<string, unknown>, opts: { runAt?: Date; jobKey?: string } = {},
): Promise<boolean> {
  const queued = await ctx.catalog.enqueue({ kind, payload, runAt: (opts.runAt ?? ctx.clock.now()).toISOString(), jobKey: opts.jobKey });
  if (queued) ctx.onTaskQueued?.();
  return queued;
}
