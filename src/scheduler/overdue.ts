// When a scheduled backup is overdue, as pure functions of (schedule, what was checked, now): the
// backup due at an occurrence of the schedule is missed when none has succeeded by the end of its
// grace, max(the server's minimum grace, a tenth of the time since the schedule's previous
// occurrence). A daily schedule's grace is max(1 h, 2.4 h), an hourly one's 1 h with the default.
import { nominalMs } from '../policy/time/duration.ts';
import { occurrences, type RepeatingInterval } from '../policy/time/interval.ts';

type Schedule = { intervals: RepeatingInterval[]; timeZone: string };

/** The server's minimum grace by default (`--missed-backup-grace`): an hour. */
export const DEFAULT_MIN_GRACE_MS = 3_600_000;

/** The grace of the backup due at `occurrence`. */
export function graceMs(schedule: Schedule, occurrence: Date, minGraceMs: number): number {
  const longest = Math.max(0, ...schedule.intervals.map((i) => nominalMs(i.period)));
  const before = occurrences(schedule.intervals, schedule.timeZone, new Date(occurrence.getTime() - 2 * longest), occurrence);
  const gap = before.length ? occurrence.getTime() - before.at(-1)!.getTime() : longest;
  return Math.max(minGraceMs, gap / 10);
}

export interface Overdue {
  /** The occurrence whose backup is overdue. */
  due: Date;
  /** The end of its grace. */
  overdueSince: Date;
}

/**
 * The latest occurrence after `checkedThrough` whose grace has ended by `now`, or null. Older
 * such occurrences are passed over (one alert after a long stop, not one per occurrence missed
 * meanwhile); later ones whose grace has not ended yet wait for a later check.
 */
export function latestOverdue(schedule: Schedule, checkedThrough: Date, now: Date, minGraceMs: number): Overdue | null {
  const due = occurrences(schedule.intervals, schedule.timeZone, new Date(checkedThrough.getTime() + 1), new Date(now.getTime() + 1));
  for (let k = due.length - 1; k >= 0; k--) {
    const overdueSince = new Date(due[k]!.getTime() + graceMs(schedule, due[k]!, minGraceMs));
    if (overdueSince.getTime() <= now.getTime()) return { due: due[k]!, overdueSince };
  }
  return null;
}
