// The scheduler's memory per backup instance: the latest occurrence it has handled (run or
// skipped), and the latest occurrence it has checked for a missed backup (scheduler/overdue.ts).
// Occurrences at or before a mark are never scheduled or checked again, across restarts. Creating,
// resuming or re-pointing protection moves both marks to that moment, so the schedule starts there
// and an occurrence from before it (while protection was stopped, say) is never "missed".
import { resourceKey } from '../domain/resource-id.ts';
import type { ServiceContext } from './context.ts';

const HANDLED = 'scheduler:handledThrough:';
const CHECKED = 'scheduler:missedCheckedThrough:';
const key = (instanceId: string): string => `${HANDLED}${resourceKey(instanceId)}`;
const checkedKey = (instanceId: string): string => `${CHECKED}${resourceKey(instanceId)}`;

/** Every instance's marks, read in two queries (a tick over many instances reads them this way, not one by one). */
export interface ScheduleMarks {
  handledThrough(instanceId: string): Date | null;
  missedCheckedThrough(instanceId: string): Date | null;
}

export async function loadScheduleMarks(ctx: ServiceContext): Promise<ScheduleMarks> {
  const read = async (prefix: string): Promise<Map<string, Date>> =>
    new Map((await ctx.catalog.listSettings(prefix)).map((s) => [s.key.slice(prefix.length), new Date(s.value)]));
  const [handled, checked] = await Promise.all([read(HANDLED), read(CHECKED)]);
  return {
    handledThrough: (id) => handled.get(resourceKey(id)) ?? null,
    missedCheckedThrough: (id) => checked.get(resourceKey(id)) ?? null,
  };
}

export async function getHandledThrough(ctx: ServiceContext, instanceId: string): Promise<Date | null> {
  const v = await ctx.catalog.getSetting(key(instanceId));
  return v ? new Date(v) : null;
}

export async function setHandledThrough(ctx: ServiceContext, instanceId: string, at: Date): Promise<void> {
  await ctx.catalog.setSetting(key(instanceId), at.toISOString());
}

export async function getMissedCheckedThrough(ctx: ServiceContext, instanceId: string): Promise<Date | null> {
  const v = await ctx.catalog.getSetting(checkedKey(instanceId));
  return v ? new Date(v) : null;
}

export async function setMissedCheckedThrough(ctx: ServiceContext, instanceId: string, at: Date): Promise<void> {
  await ctx.catalog.setSetting(checkedKey(instanceId), at.toISOString());
}

/** Protection (re)starts now: the schedule, and the check for missed backups, count from this instant. */
export async function startScheduleNow(ctx: ServiceContext, instanceId: string): Promise<void> {
  const now = ctx.clock.now();
  await setHandledThrough(ctx, instanceId, now);
  await setMissedCheckedThrough(ctx, instanceId, now);
}
