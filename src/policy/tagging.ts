// Choosing the one retention tag of a recovery point from a backup rule's taggingCriteria.
//
// Rules (Azure's): among the non-default criteria that match the backup, the lowest
// taggingPriority wins (ties: the first in the list); the isDefault criterion is the fallback.
// FirstOfDay/Week/Month/Year mean the first SUCCESSFUL backup of that period in the policy's time
// zone (weeks start on Sunday): callers pass only successful earlier backups, so a failed attempt
// never uses up the slot. Generic criteria (daysOfTheWeek, weeksOfTheMonth, monthsOfYear,
// daysOfMonth, scheduleTimes) match when every field a criterion object sets matches; the objects
// of one tag are OR-ed. camelCase and az's snake_case keys are both read. Pure.

import { errors } from '../domain/errors.ts';
import { daysInMonth, fromLocal, toLocal } from './time/local-time.ts';
import { ownValue } from '../util/own-key.ts';
import type { LocalParts } from './time/local-time.ts';

export interface DayOfMonth {
  date?: number | null;
  isLast?: boolean | null;
  is_last?: boolean | null;
}

/** A ScheduleBasedBackupCriteria as it arrives (REST camelCase or az snake_case). */
export interface BackupCriterionInput {
  objectType?: string;
  object_type?: string;
  absoluteCriteria?: string[] | null;
  absolute_criteria?: string[] | null;
  daysOfTheWeek?: string[] | null;
  days_of_the_week?: string[] | null;
  weeksOfTheMonth?: string[] | null;
  weeks_of_the_month?: string[] | null;
  monthsOfYear?: string[] | null;
  months_of_year?: string[] | null;
  daysOfMonth?: DayOfMonth[] | null;
  days_of_month?: DayOfMonth[] | null;
  scheduleTimes?: string[] | null;
  schedule_times?: string[] | null;
}

export interface TaggingCriterionInput {
  tagInfo: { tagName: string; id?: string | null };
  taggingPriority: number;
  isDefault: boolean;
  criteria?: BackupCriterionInput[] | null;
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = [
  'january', 'february', 'march', 'april', 'may', 'june',
  'july', 'august', 'september', 'october', 'november', 'december',
];
const WEEKS = ['first', 'second', 'third', 'fourth'];

type Period = 'day' | 'week' | 'month' | 'year';
const FIRST_OF: Record<string, Period> = {
  firstofday: 'day',
  firstofweek: 'week',
  firstofmonth: 'month',
  firstofyear: 'year',
};

function list<T>(a: T[] | null | undefined, b: T[] | null | undefined): T[] | null {
  const v = a ?? b;
  return Array.isArray(v) && v.length > 0 ? v : null;
}

const lower = (v: unknown): string => String(v).toLowerCase();

/** The instant the local period containing `p` begins, in the zone. */
export function periodStart(p: LocalParts, period: Period, timeZone: string): Date {
  const midnight = { hour: 0, minute: 0, second: 0, millisecond: 0 };
  switch (period) {
    case 'day':
      return fromLocal({ ...p, ...midnight }, timeZone);
    case 'week': {
      const d = new Date(Date.UTC(2000, 0, 1));
      d.setUTCFullYear(p.year, p.month - 1, p.day - p.weekday);
      return fromLocal({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), ...midnight }, timeZone);
    }
    case 'month':
      return fromLocal({ year: p.year, month: p.month, day: 1, ...midnight }, timeZone);
    case 'year':
      return fromLocal({ year: p.year, month: 1, day: 1, ...midnight }, timeZone);
  }
}

/** What a criterion needs to know about one backup. */
interface BackupContext {
  instant: number;
  local: LocalParts;
  timeZone: string;
  /** The latest successful backup before this one, in ms, or null. */
  previous: number | null;
}

function isFirstOf(ctx: BackupContext, period: Period): boolean {
  if (ctx.previous === null) return true;
  return ctx.previous < periodStart(ctx.local, period, ctx.timeZone).getTime();
}

function matchesAbsolute(values: string[], ctx: BackupContext): boolean {
  return values.some((v) => {
    const key = lower(v);
    if (key === 'allbackup') return true;
    const period = ownValue(FIRST_OF, key);
    return period ? isFirstOf(ctx, period) : false;
  });
}

function matchesWeekOfMonth(values: string[], local: LocalParts): boolean {
  const last = daysInMonth(local.year, local.month);
  return values.some((v) => {
    const key = lower(v);
    if (key === 'last') return local.day > last - 7;
    const i = WEEKS.indexOf(key);
    return i >= 0 && local.day > i * 7 && local.day <= (i + 1) * 7;
  });
}

function matchesDayOfMonth(values: DayOfMonth[], local: LocalParts): boolean {
  const last = daysInMonth(local.year, local.month);
  return values.some((d) => ((d.isLast ?? d.is_last) === true ? local.day === last : d.date === local.day));
}

function matchesScheduleTime(values: string[], ctx: BackupContext): boolean {
  return values.some((v) => {
    const t = Date.parse(v);
    if (Number.isNaN(t)) return false;
    const s = toLocal(t, ctx.timeZone);
    return s.hour === ctx.local.hour && s.minute === ctx.local.minute;
  });
}

/**
 * Whether one criterion object matches: every field it sets must match. An object that sets no
 * field at all matches nothing (a tag that catches everything says AllBackup).
 */
export function criterionMatches(c: BackupCriterionInput, ctx: BackupContext): boolean {
  const checks: boolean[] = [];
  const absolute = list(c.absoluteCriteria, c.absolute_criteria);
  if (absolute) checks.push(matchesAbsolute(absolute, ctx));
  const days = list(c.daysOfTheWeek, c.days_of_the_week);
  if (days) checks.push(days.some((d) => WEEKDAYS.indexOf(lower(d)) === ctx.local.weekday));
  const weeks = list(c.weeksOfTheMonth, c.weeks_of_the_month);
  if (weeks) checks.push(matchesWeekOfMonth(weeks, ctx.local));
  const months = list(c.monthsOfYear, c.months_of_year);
  if (months) checks.push(months.some((m) => MONTHS.indexOf(lower(m)) === ctx.local.month - 1));
  const dom = list(c.daysOfMonth, c.days_of_month);
  if (dom) checks.push(matchesDayOfMonth(dom, ctx.local));
  const times = list(c.scheduleTimes, c.schedule_times);
  if (times) checks.push(matchesScheduleTime(times, ctx));
  return checks.length > 0 && checks.every(Boolean);
}

function defaultTag(taggingCriteria: TaggingCriterionInput[]): string {
  const d = taggingCriteria.find((t) => t.isDefault);
  if (!d) {
    throw errors.policyInvalid('The backup rule has no default tagging criterion (isDefault: true), so some backups would have no retention tag.');
  }
  return d.tagInfo.tagName;
}

/**
 * The retention tag of a scheduled backup taken (successfully) at `instant`.
 * `successfulHistory` holds the instants of earlier successful backups of the same backup
 * instance; all of them or only the latest one give the same answer, and instants at or after
 * `instant` are ignored.
 */
export function chooseTag(
  taggingCriteria: TaggingCriterionInput[],
  timeZone: string,
  instant: Date,
  successfulHistory: readonly Date[],
): string {
  const t = instant.getTime();
  let previous: number | null = null;
  for (const h of successfulHistory) {
    const ms = h.getTime();
    if (ms < t && (previous === null || ms > previous)) previous = ms;
  }
  const ctx: BackupContext = { instant: t, local: toLocal(t, timeZone), timeZone, previous };
  let best: TaggingCriterionInput | null = null;
  for (const tc of taggingCriteria) {
    if (tc.isDefault) continue;
    if (best !== null && tc.taggingPriority >= best.taggingPriority) continue;
    if ((tc.criteria ?? []).some((c) => criterionMatches(c, ctx))) best = tc;
  }
  return best ? best.tagInfo.tagName : defaultTag(taggingCriteria);
}

/**
 * The retention tag of an on-demand backup: the override when given (matched to the policy's tag
 * names without regard to case), else the default tag.
 */
export function chooseAdhocTag(taggingCriteria: TaggingCriterionInput[], retentionTagOverride?: string | null): string {
  if (retentionTagOverride === undefined || retentionTagOverride === null || retentionTagOverride === '') {
    return defaultTag(taggingCriteria);
  }
  const found = taggingCriteria.find((t) => lower(t.tagInfo.tagName) === lower(retentionTagOverride));
  if (!found) {
    const names = taggingCriteria.map((t) => t.tagInfo.tagName).join(', ');
    throw errors.retentionTagOverrideInvalid(
      `The retention tag override '${retentionTagOverride}' is not a tag of the backup rule; use one of: ${names}.`,
      'backupRuleOptions.triggerOption.retentionTagOverride',
    );
  }
  return found.tagInfo.tagName;
}
