// The scheduler's memory per backup instance: the latest occurrence it has handled (run or
// skipped). Occurrences at or before the mark are never scheduled again, across restarts. Creating,
// resuming or re-pointing protection moves the mark to that moment, so the schedule starts there
// and an occurrence from before it is never "missed".
import { resourceKey } from '../domain/resource-id.ts';
import type { ServiceContext } from './context.ts';

const key = (instanceId: string): string => `scheduler:handledThrough:${resourceKey(instanceId)}`;

export async function getHandledThrough(ctx: ServiceContext, instanceId: string): Promise<Date | null> {
  const v = await ctx.catalog.getSetting(key(instanceId));
  return v ? new Date(v) : null;
}

export async function setHandledThrough(ctx: ServiceContext, instanceId: string, at: Date): Promise<void> {
  await ctx.catalog.setSetting(key(instanceId), at.toISOString());
}

/** Protection (re)starts now: the schedule counts from this instant. */
export async function startScheduleNow(ctx: ServiceContext, instanceId: string): Promise<void> {
  await setHandledThrough(ctx, instanceId, ctx.clock.now());
}
