// Normalising the tagging criteria of a backup rule: names, priorities, `tagInfo.id` as Azure fills
// it, and each ScheduleBasedBackupCriteria in camelCase (az's create-generic-criteria writes
// snake_case, which is read here too).
import type { DatasourceManifest } from '../../datasources/manifest.ts';
import { POLICY_CODES } from '../../domain/errors.ts';
import {
  ABSOLUTE_CRITERIA, type BackupCriteria, DAYS_OF_WEEK, DEFAULT_RULE_NAME, type Day, MONTHS_OF_YEAR, TAGGING_PRIORITY,
  type TaggingCriteria, WEEKS_OF_MONTH,
} from '../../domain/policy.ts';
import { array, choice, fail, INVALID_POLICY, isAbsent, object, objectType, prop, string } from './read.ts';

export const UNSUPPORTED_TAG = POLICY_CODES.unsupportedTag;
const INVALID_CRITERIA = POLICY_CODES.invalidCriteria;

function enumList(v: unknown, choices: readonly string[], path: string): string[] | undefined {
  if (isAbsent(v)) return undefined;
  const list = array(v, path, `values among ${choices.join(', ')}`).map((x, i) => choice(x, choices, `${path}[${i}]`, INVALID_CRITERIA));
  return list.length ? list : undefined;
}

function dayOfMonth(v: unknown, path: string): Day {
  const o = object(v, path, 'a day of the month: {"date": 1..28} or {"isLast": true}');
  const isLast = prop(o, 'isLast');
  const date = prop(o, 'date');
  if (!isAbsent(isLast) && typeof isLast !== 'boolean') throw fail(INVALID_CRITERIA, `${path}.isLast must be true or false.`, `${path}.isLast`);
  if (isLast === true) return isAbsent(date) ? { isLast: true } : { date: date as number, isLast: true };
  if (typeof date !== 'number' || !Number.isInteger(date) || date < 1 || date > 28) {
    throw fail(INVALID_CRITERIA, `${path}.date must be a day of the month from 1 to 28, or set isLast to true for the last day.`, `${path}.date`);
  }
  return isAbsent(isLast) ? { date } : { date, isLast: false };
}

function criterion(v: unknown, path: string): BackupCriteria {
  const o = object(v, path, 'a ScheduleBasedBackupCriteria');
  const out: BackupCriteria = { objectType: objectType(o, 'ScheduleBasedBackupCriteria', path) as 'ScheduleBasedBackupCriteria' };
  const absolute = enumList(prop(o, 'absoluteCriteria'), ABSOLUTE_CRITERIA, `${path}.absoluteCriteria`);
  if (absolute) out.absoluteCriteria = absolute;
  const daysOfMonth = prop(o, 'daysOfMonth');
  if (!isAbsent(daysOfMonth)) {
    const days = array(daysOfMonth, `${path}.daysOfMonth`, 'days of the month').map((d, i) => dayOfMonth(d, `${path}.daysOfMonth[${i}]`));
    if (days.length) out.daysOfMonth = days;
  }
  const week = enumList(prop(o, 'daysOfTheWeek'), DAYS_OF_WEEK, `${path}.daysOfTheWeek`);
  if (week) out.daysOfTheWeek = week;
  const months = enumList(prop(o, 'monthsOfYear'), MONTHS_OF_YEAR, `${path}.monthsOfYear`);
  if (months) out.monthsOfYear = months;
  const times = prop(o, 'scheduleTimes');
  if (!isAbsent(times)) {
    const list = array(times, `${path}.scheduleTimes`, 'date-times').map((t, i) => {
      const p = `${path}.scheduleTimes[${i}]`;
      if (typeof t !== 'string' || Number.isNaN(Date.parse(t))) throw fail(INVALID_CRITERIA, `${p} must be a date-time such as 2019-03-01T13:00:00Z.`, p);
      return t;
    });
    if (list.length) out.scheduleTimes = list;
  }
  const weeks = enumList(prop(o, 'weeksOfTheMonth'), WEEKS_OF_MONTH, `${path}.weeksOfTheMonth`);
  if (weeks) out.weeksOfTheMonth = weeks;
  if (Object.keys(out).length === 1) {
    throw fail(
      INVALID_CRITERIA,
      `${path} selects no backups: set absoluteCriteria, daysOfTheWeek, weeksOfTheMonth, monthsOfYear, daysOfMonth or scheduleTimes.`,
      path,
    );
  }
  return out;
}

/** One tagging criterion, normalised; tag names are checked against the manifest's retention tags. */
export function taggingCriterion(v: unknown, path: string, manifest: DatasourceManifest): TaggingCriteria {
  const o = object(v, path, 'a tagging criterion');
  const tagInfo = object(prop(o, 'tagInfo'), `${path}.tagInfo`, 'the tag: {"tagName": ...}');
  const rawName = string(prop(tagInfo, 'tagName'), `${path}.tagInfo.tagName`, 'the name of the retention rule this tag selects');
  const isDefault = prop(o, 'isDefault') ?? false;
  if (typeof isDefault !== 'boolean') throw fail(INVALID_POLICY, `${path}.isDefault must be true or false.`, `${path}.isDefault`);
  const allowed = isDefault ? [DEFAULT_RULE_NAME] : manifest.policySettings.supportedRetentionTags;
  const tagName = allowed.find((n) => n.toLowerCase() === rawName.trim().toLowerCase());
  if (tagName === undefined) {
    throw fail(
      isDefault ? INVALID_POLICY : UNSUPPORTED_TAG,
      isDefault
        ? `The default tagging criterion must be named Default, not '${rawName}'.`
        : `The retention tag '${rawName}' is not supported for ${manifest.name} policies; use one of ${allowed.join(', ')}` +
          (rawName.toLowerCase() === DEFAULT_RULE_NAME.toLowerCase() ? ', or set isDefault to true on the Default tag.' : '.'),
      `${path}.tagInfo.tagName`,
    );
  }
  const priority = prop(o, 'taggingPriority') ?? TAGGING_PRIORITY[tagName];
  if (typeof priority !== 'number' || !Number.isInteger(priority)) {
    throw fail(INVALID_POLICY, `${path}.taggingPriority must be a whole number (lower wins).`, `${path}.taggingPriority`);
  }
  const out: TaggingCriteria = { isDefault, tagInfo: { tagName, id: `${tagName}_` }, taggingPriority: priority };
  const criteria = prop(o, 'criteria');
  if (!isAbsent(criteria)) {
    const list = array(criteria, `${path}.criteria`, 'backup criteria').map((c, i) => criterion(c, `${path}.criteria[${i}]`));
    if (list.length) out.criteria = list;
  }
  if (!isDefault && !out.criteria) {
    throw fail(
      INVALID_CRITERIA,
      `The tag '${tagName}' has no criteria, so it would never select a backup: give it criteria such as {"objectType": "ScheduleBasedBackupCriteria", "absoluteCriteria": ["FirstOfMonth"]}.`,
      `${path}.criteria`,
    );
  }
  return out;
}
