// ISO 8601 durations as Azure Backup policies use them (P3M, P1Y, P24M, P1W, P7D, PT6H, P1DT2H):
// parsing with clear errors, canonical formatting, and calendar arithmetic in a time zone.
// Pure: the instant to add to is always an argument.

import { errors } from '../../domain/errors.ts';
import { addLocalDays, addMonthsClamped, fromLocal, toLocal } from './local-time.ts';

export interface IsoDuration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const UNITS = ['years', 'months', 'weeks', 'days', 'hours', 'minutes', 'seconds'] as const;
const SHAPE = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;
const MAX_COMPONENT = 1_000_000;

export const ZERO_DURATION: IsoDuration = Object.freeze({
  years: 0,
  months: 0,
  weeks: 0,
  days: 0,
  hours: 0,
  minutes: 0,
  seconds: 0,
});

/** Why a text is not a valid duration (one sentence), or null when it is. */
export function durationProblem(text: string): string | null {
  if (typeof text !== 'string') return 'it must be a string.';
  const s = text.trim();
  if (s === '') return 'it is empty.';
  if (s.startsWith('-') || s.startsWith('+')) return 'negative or signed durations are not allowed.';
  if (!s.startsWith('P')) return "it must start with 'P'.";
  if (/[.,]/.test(s)) return 'fractional values are not supported; use a smaller unit with a whole number.';
  if (s === 'P') return 'it has no components after P.';
  if (s.endsWith('T')) return "it has no time components after 'T'.";
  const m = SHAPE.exec(s);
  if (!m) return 'its components must be whole numbers with units in the order Y, M, W, D, then T followed by H, M, S.';
  const big = UNITS.find((_, i) => Number(m[i + 1] ?? 0) > MAX_COMPONENT);
  return big ? `the ${big} component is too large.` : null;
}

/** Parses an ISO 8601 duration with whole-number components; throws InvalidDuration otherwise. */
export function parseDuration(text: string, field?: string): IsoDuration {
  const problem = durationProblem(text);
  if (problem !== null) {
    throw errors.durationInvalid(
      `'${String(text)}' is not a valid ISO 8601 duration: ${problem} Use a form such as P7D, P12W, P6M, P10Y or PT6H.`,
      field,
    );
  }
  const m = SHAPE.exec(text.trim()) ?? [];
  const d: IsoDuration = { ...ZERO_DURATION };
  UNITS.forEach((unit, i) => {
    d[unit] = Number(m[i + 1] ?? 0);
  });
  return d;
}

export function isZeroDuration(d: IsoDuration): boolean {
  return UNITS.every((u) => d[u] === 0);
}

/** The canonical text of a duration (components in ISO order; zero is P0D). */
export function formatDuration(d: IsoDuration): string {
  let date = '';
  if (d.years) date += `${d.years}Y`;
  if (d.months) date += `${d.months}M`;
  if (d.weeks) date += `${d.weeks}W`;
  if (d.days) date += `${d.days}D`;
  let time = '';
  if (d.hours) time += `${d.hours}H`;
  if (d.minutes) time += `${d.minutes}M`;
  if (d.seconds) time += `${d.seconds}S`;
  if (!date && !time) return 'P0D';
  return `P${date}${time ? `T${time}` : ''}`;
}

/** Every component multiplied by k (for the k-th repetition of a period). */
export function scaleDuration(d: IsoDuration, k: number): IsoDuration {
  const out = { ...d };
  for (const u of UNITS) out[u] = d[u] * k;
  return out;
}

/** A rough length in milliseconds (a month as 1/12 of a Gregorian year); for estimates only. */
export function nominalMs(d: IsoDuration): number {
  const day = 86_400_000;
  return (
    (d.years * 365.2425 + d.months * 30.436875 + d.weeks * 7 + d.days) * day +
    ((d.hours * 60 + d.minutes) * 60 + d.seconds) * 1000
  );
}

/**
 * Adds a duration to an instant in the given IANA zone. Years and months move the local date and
 * clamp to the month end (P3M from 31 January is 30 April; P1Y from 29 February is 28 February);
 * weeks and days move the local date and keep the local wall-clock time across DST changes;
 * hours, minutes and seconds then add absolute time.
 */
export function addDuration(instant: Date, d: IsoDuration, timeZone: string): Date {
  let ms = instant.getTime();
  const months = d.years * 12 + d.months;
  const days = d.weeks * 7 + d.days;
  if (months !== 0 || days !== 0) {
    let local = toLocal(ms, timeZone);
    if (months !== 0) local = addMonthsClamped(local, months);
    if (days !== 0) local = addLocalDays(local, days);
    ms = fromLocal(local, timeZone).getTime();
  }
  ms += ((d.hours * 60 + d.minutes) * 60 + d.seconds) * 1000;
  return new Date(ms);
}
