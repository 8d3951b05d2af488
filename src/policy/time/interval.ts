// ISO 8601 repeating intervals as backup schedules use them ("R/2021-08-15T22:00:00+00:00/P1W")
// and the backup instants they produce in a policy's time zone.
//
// Semantics (Azure's): the start instant is read in the policy's time zone; its local wall-clock
// time and local date are what repeat. A weekly 22:00 backup in 'Pacific Standard Time' stays at
// 22:00 local across DST, and the weekday is the start date's local weekday. Occurrence k is
// start + k × period with the calendar rules of addDuration, computed from the start each time so
// that month-end clamping does not drift.

import { errors } from '../../domain/errors.ts';
import { addDuration, durationProblem, isZeroDuration, nominalMs, parseDuration, scaleDuration } from './duration.ts';
import type { IsoDuration } from './duration.ts';
import { daysInMonth, localAsUtcMs } from './local-time.ts';

export interface RepeatingInterval {
  text: string;
  /** The start instant. */
  start: Date;
  /** The offset written in the start, in minutes east of UTC ('Z' is 0). Always set: local forms are rejected. */
  offsetMinutes: number | null;
  period: IsoDuration;
  /** Rn gives n occurrences; plain R (null) repeats without end. */
  repetitions: number | null;
}

const EXAMPLE = "Use a form such as 'R/2021-08-15T22:00:00+00:00/P1W'.";

function fail(text: string, why: string, field?: string): never {
  throw errors.repeatingIntervalInvalid(`'${text}' is not a valid repeating time interval: ${why} ${EXAMPLE}`, field);
}

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/;

/** Parses the start date-time; returns the instant and the written offset. */
function parseStart(text: string, s: string, field?: string): { start: Date; offsetMinutes: number } {
  if (/(Z|[+-]\d{2}:?\d{2})(Z|[+-]\d{2}:?\d{2})$/i.test(s)) {
    fail(
      text,
      `the start '${s}' gives its UTC offset twice. Write the start date-time once with either 'Z' or an offset ` +
        "(az's create-schedule appends +00:00 itself, so pass --schedule-days without 'Z').",
      field,
    );
  }
  if (/^\d{8}T/.test(s) || /T\d{4}/.test(s)) {
    fail(text, `the start '${s}' must use the extended format with hyphens and colons (YYYY-MM-DDThh:mm:ss).`, field);
  }
  if (!/T/.test(s)) fail(text, `the start '${s}' must be a date and time (YYYY-MM-DDThh:mm:ss with Z or ±hh:mm).`, field);
  if (/T\d{2}(:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(s)) {
    fail(text, `the start '${s}' has no UTC offset; end it with 'Z' or an offset such as +00:00.`, field);
  }
  const m = DATE_TIME.exec(s);
  if (!m) {
    fail(text, `the start '${s}' must look like YYYY-MM-DDThh:mm, YYYY-MM-DDThh:mm:ss or YYYY-MM-DDThh:mm:ss.sss followed by Z or ±hh:mm.`, field);
  }
  const [, y, mo, d, h, mi, sec, frac, off] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = sec === undefined ? 0 : Number(sec);
  const millisecond = frac === undefined ? 0 : Number(frac.padEnd(3, '0').slice(0, 3));
  if (month < 1 || month > 12) fail(text, `the month ${mo} of the start does not exist.`, field);
  if (day < 1 || day > daysInMonth(year, month)) fail(text, `the day ${y}-${mo}-${d} of the start does not exist.`, field);
  if (hour === 24) fail(text, 'T24:00 is not supported; use T00:00 of the next day.', field);
  if (hour > 23) fail(text, `the hour ${h} of the start is out of range (00-23).`, field);
  if (minute > 59) fail(text, `the minute ${mi} of the start is out of range (00-59).`, field);
  if (second === 60) fail(text, 'leap seconds (:60) are not supported.', field);
  if (second > 59) fail(text, `the second ${sec} of the start is out of range (00-59).`, field);
  let offsetMinutes = 0;
  if (off && off !== 'Z') {
    const oh = Number(off.slice(1, 3));
    const om = Number(off.slice(4, 6));
    if (oh > 14 || om > 59 || oh * 60 + om > 14 * 60) fail(text, `the UTC offset ${off} is out of range.`, field);
    offsetMinutes = (off.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  const local = localAsUtcMs({ year, month, day, hour, minute, second, millisecond });
  return { start: new Date(local - offsetMinutes * 60_000), offsetMinutes };
}

/** Parses `R[n]/<start date-time>/<period>`; throws InvalidRepeatingInterval with the reason. */
export function parseRepeatingInterval(text: string, field?: string): RepeatingInterval {
  if (typeof text !== 'string' || text.trim() === '') fail(String(text ?? ''), 'it is empty.', field);
  const s = text.trim();
  const parts = s.split('/');
  if (parts.length !== 3) fail(text, 'it must have three parts separated by /: R, the start and the period.', field);
  const [r, startText, periodText] = parts as [string, string, string];
  const rm = /^R(\d*)$/.exec(r);
  if (!rm) fail(text, `it must begin with 'R' or 'Rn' (n repetitions), not '${r}'.`, field);
  const repetitions = rm[1] ? Number(rm[1]) : null;
  if (startText.startsWith('P')) fail(text, 'the start must come before the period (R/<start>/<period>).', field);
  const { start, offsetMinutes } = parseStart(text, startText, field);
  if (!periodText.startsWith('P')) fail(text, `the last part '${periodText}' must be a duration such as P1W or PT6H.`, field);
  const problem = durationProblem(periodText);
  if (problem !== null) fail(text, `the period '${periodText}' is not a valid ISO 8601 duration: ${problem}`, field);
  const period = parseDuration(periodText, field);
  if (isZeroDuration(period)) fail(text, 'the period must be longer than zero.', field);
  return { text: s, start, offsetMinutes, period, repetitions };
}

/** The k-th occurrence (k = 0 is the start) of an interval in a zone. */
export function occurrenceAt(interval: RepeatingInterval, k: number, timeZone: string): Date {
  return k === 0 ? new Date(interval.start) : addDuration(interval.start, scaleDuration(interval.period, k), timeZone);
}

/**
 * The backup instants of all intervals in [from, to), sorted, without duplicates. Cost is
 * proportional to the number of occurrences in the range, not to its length.
 */
export function occurrences(intervals: RepeatingInterval[], timeZone: string, from: Date, to: Date): Date[] {
  const lo = from.getTime();
  const hi = to.getTime();
  const found = new Set<number>();
  for (const iv of intervals) {
    const last = iv.repetitions === null ? Infinity : iv.repetitions - 1;
    if (last < 0) continue;
    const at = (k: number): number => occurrenceAt(iv, k, timeZone).getTime();
    // Jump close to `from` by the nominal length, then settle on the first occurrence >= from.
    let k = Math.max(0, Math.min(last, Math.floor((lo - iv.start.getTime()) / nominalMs(iv.period)) - 1));
    while (k > 0 && at(k) >= lo) k--;
    for (; k <= last; k++) {
      const t = at(k);
      if (t >= hi) break;
      if (t >= lo) found.add(t);
    }
  }
  return [...found].sort((a, b) => a - b).map((t) => new Date(t));
}
