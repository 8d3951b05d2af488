// `backup-policy trigger create-schedule` and `trigger set`: repeating intervals for the backup rule.
import { badArgument } from '../../domain/errors.ts';
import { backupRuleIndex, copyPolicy, isObject, manifestOfPolicy, type PolicyDocument } from './document.ts';

export const INTERVAL_TYPES = ['Daily', 'Weekly', 'Hourly'] as const;

/** az's frequency of a repeating interval: the last character of its period (`.../P1W` -> Weekly). */
const FREQUENCY_BY_LAST_CHAR: Record<string, string> = { D: 'Daily', H: 'Hourly', W: 'Weekly' };

function periodFor(intervalType: string, count: number): string {
  switch (intervalType.toLowerCase()) {
    case 'weekly':
      return 'P1W';
    case 'daily':
      return 'P1D';
    case 'hourly':
      return `PT${count}H`;
    default:
      throw badArgument(`Interval type '${intervalType}' is not one of ${INTERVAL_TYPES.join(', ')}.`);
  }
}

/** True when the time part of `day` ends in `Z` or a UTC offset such as `+05:30`. */
function hasOffset(day: string): boolean {
  const t = day.indexOf('T');
  return t >= 0 && /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i.test(day.slice(t));
}

/** `trigger create-schedule`: one `R/<day>+00:00/<period>` per schedule day, in input order. */
export function createSchedule(intervalType: string, intervalCount: number, scheduleDays: readonly string[]): string[] {
  const type = intervalType.toLowerCase();
  if ((type === 'daily' || type === 'weekly') && intervalCount !== 1) {
    throw badArgument('Interval Count for Daily or Weekly Backup must be 1.');
  }
  if (type === 'hourly' && ![4, 6, 8, 12].includes(intervalCount)) {
    throw badArgument('Interval Count for Hourly Backup must be one of 4, 6, 8, 12.');
  }
  if (intervalCount <= 0) throw badArgument('Interval count must be greater than zero.');
  const period = periodFor(intervalType, intervalCount);
  // az appends "+00:00" blindly, so a day that already carries `Z` or an offset would become
  // "...Z+00:00/..."; what az means is a UTC-labelled start time, so such a day keeps its own offset.
  return scheduleDays.map((day) => `R/${day}${hasOffset(day) ? '' : '+00:00'}/${period}`);
}

/** az's frequency name for a repeating interval string, from its last character. */
export function frequencyOfInterval(interval: string): string {
  const frequency = FREQUENCY_BY_LAST_CHAR[interval.slice(-1)];
  if (!frequency) {
    throw badArgument(
      `Cannot tell the backup frequency of '${interval}': a schedule must end in a period of days (D), hours (H) or weeks (W), ` +
        'such as R/2021-08-15T22:00:00+00:00/P1W.',
    );
  }
  return frequency;
}

/**
 * `trigger set`: the first backup rule gets `schedule` as its repeating intervals and is renamed
 * `Backup<Frequency>`; the frequency (from the first interval) must be one the datasource supports.
 */
export function setTrigger(policy: unknown, schedule: readonly string[]): PolicyDocument {
  const doc = copyPolicy(policy);
  const manifest = manifestOfPolicy(doc);
  if (!manifest.policySettings.backupScheduleSupported) {
    throw badArgument(`Adding Backup Schedule is not supported for Datasource Type ${manifest.name}`);
  }
  const first = schedule[0];
  if (first === undefined) throw badArgument('Give at least one schedule, such as R/2021-08-15T22:00:00+00:00/P1W.');
  const frequency = frequencyOfInterval(first);
  if (!manifest.policySettings.supportedBackupFrequency.includes(frequency)) {
    throw badArgument(`${frequency} Backup Schedule is not supported for ${manifest.name} policy`);
  }
  const rule = doc.policyRules[backupRuleIndex(doc)]!;
  const trigger = rule.trigger;
  if (!isObject(trigger) || !isObject(trigger.schedule)) {
    throw badArgument(`The backup rule '${String(rule.name)}' has no trigger.schedule object.`);
  }
  trigger.schedule.repeatingTimeIntervals = [...schedule];
  rule.name = `Backup${frequency}`;
  return doc;
}
