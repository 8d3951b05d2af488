// What the scheduler decides, as pure functions of (schedule, last handled occurrence, now):
// which occurrence is due, which ones were missed, and the job key that makes a scheduled backup
// unique. Semantics (graphile-worker's cron without backfill): every occurrence after the last
// handled one and at or before `now` is due; only the most recent of them runs, the older ones
// were missed (the server was down or the tick was late) and are skipped, never run as a backlog.
import { resourceKey } from '../domain/resource-id.ts';
import { occurrences, type RepeatingInterval } from '../policy/time/interval.ts';

export interface DueDecision {
  /** The occurrence to run now, or null when none is due. */
  run: Date | null;
  /** Occurrences that were due but are skipped because a later one runs instead. */
  missed: Date[];
}

/** The occurrences in (handledThrough, now]; the latest runs, the others are missed. */
export function dueOccurrence(
  schedule: { intervals: RepeatingInterval[]; timeZone: string },
  handledThrough: Date,
  now: Date,
): DueDecision {
  if (now.getTime() <= handledThrough.getTime()) return { run: null, missed: [] };
  const due = occurrences(schedule.intervals, schedule.timeZone, new Date(handledThrough.getTime() + 1), new Date(now.getTime() + 1));
  const run = due.pop() ?? null;
  return { run, missed: due };
}

/** The task key of the scheduled backup of one instance at one occurrence: the queue keeps one. */
export function scheduledJobKey(instanceId: string, occurrence: Date): string {
  return `scheduled:${resourceKey(instanceId)}:${occurrence.toISOString()}`;
}
