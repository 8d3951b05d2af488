// Wall-clock time in an IANA time zone, computed with Intl (no tz database of our own).
// Converting an instant to local parts and back is the one primitive the policy engine needs:
// calendar arithmetic (P3M, P1W) and calendar periods (first backup of the week) both work on
// local dates and then come back to instants. Pure: no clock, no I/O.

/** A local date and time; month is 1-12, weekday 0 (Sunday) to 6 (Saturday). */
export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

export interface LocalParts extends LocalDateTime {
  weekday: number;
}

const UTC_NAMES = new Set(['utc', 'etc/utc', 'etc/gmt', 'gmt', 'etc/uct', 'uct', 'etc/universal', 'etc/zulu']);
const formatters = new Map<string, Intl.DateTimeFormat>();

function isUtc(timeZone: string): boolean {
  return UTC_NAMES.has(timeZone.toLowerCase());
}

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The zone's offset from UTC at an instant, in milliseconds (local = instant + offset). */
export function offsetAt(instantMs: number, timeZone: string): number {
  if (isUtc(timeZone)) return 0;
  const whole = Math.floor(instantMs / 1000) * 1000;
  const p = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatter(timeZone).formatToParts(whole)) {
    if (part.type in p) p[part.type as keyof typeof p] = Number(part.value);
  }
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - whole;
}

/** The local date and time of an instant in a zone. */
export function toLocal(instant: Date | number, timeZone: string): LocalParts {
  const ms = typeof instant === 'number' ? instant : instant.getTime();
  const d = new Date(ms + offsetAt(ms, timeZone));
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
    weekday: d.getUTCDay(),
  };
}

/** Milliseconds of a local date-time read as if it were UTC (before the zone is applied). */
export function localAsUtcMs(t: LocalDateTime): number {
  const d = new Date(0);
  d.setUTCFullYear(t.year, t.month - 1, t.day);
  d.setUTCHours(t.hour, t.minute, t.second, t.millisecond);
  return d.getTime();
}

/**
 * The instant of a local date-time in a zone. A wall-clock time that occurs twice (autumn
 * overlap) maps to the earlier instant; one skipped by a spring-forward gap is moved forward by
 * the length of the gap (02:30 becomes 03:30), the same rule as Temporal's 'compatible'.
 */
export function fromLocal(t: LocalDateTime, timeZone: string): Date {
  const local = localAsUtcMs(t);
  if (isUtc(timeZone)) return new Date(local);
  const day = 86_400_000;
  const before = offsetAt(local - day, timeZone);
  const after = offsetAt(local + day, timeZone);
  const valid: number[] = [];
  for (const off of before === after ? [before] : [before, after]) {
    const candidate = local - off;
    if (offsetAt(candidate, timeZone) === off) valid.push(candidate);
  }
  if (valid.length > 0) return new Date(Math.min(...valid));
  // In a gap: keep the offset in force before the transition, which lands after it.
  return new Date(local - before);
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in a month (month 1-12). */
export function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

/** A local date moved by whole months, the day clamped to the end of the target month. */
export function addMonthsClamped<T extends LocalDateTime>(t: T, months: number): T {
  const index = t.year * 12 + (t.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  return { ...t, year, month, day: Math.min(t.day, daysInMonth(year, month)) };
}

/** A local date moved by whole calendar days, the time of day unchanged. */
export function addLocalDays<T extends LocalDateTime>(t: T, days: number): T {
  const d = new Date(Date.UTC(2000, 0, 1));
  d.setUTCFullYear(t.year, t.month - 1, t.day + days);
  return { ...t, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}
