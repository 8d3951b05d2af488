// `backup-policy tag create-absolute-criteria`, `create-generic-criteria`, `set` and `remove`: the
// tagging criteria of the first backup rule, which pick the retention rule of the same name.
import { badArgument } from '../../domain/errors.ts';
import { TAGGING_PRIORITY } from '../../domain/policy.ts';
import { copyPolicy, isObject, manifestOfPolicy, tagNameOf, taggingCriteriaOf, type JsonObject, type PolicyDocument } from './document.ts';

export const TAG_NAMES = ['Daily', 'Weekly', 'Monthly', 'Yearly'] as const;

/** `create-absolute-criteria`: e.g. `{"objectType": "ScheduleBasedBackupCriteria", "absoluteCriteria": ["FirstOfMonth"]}`. */
export function createAbsoluteCriteria(absoluteCriteria: string): JsonObject {
  return { objectType: 'ScheduleBasedBackupCriteria', absoluteCriteria: [absoluteCriteria] };
}

export interface GenericCriteriaOptions {
  daysOfWeek?: string[] | undefined;
  weeksOfMonth?: string[] | undefined;
  monthsOfYear?: string[] | undefined;
  /** `1`..`28` or `Last` (any case). */
  daysOfMonth?: string[] | undefined;
}

function dayOfMonth(value: string): JsonObject {
  if (/^[0-9]+$/.test(value)) {
    const date = Number.parseInt(value, 10);
    if (date > 28 || date < 1) throw badArgument('Day of month should be between 1 and 28.');
    return { date, is_last: false };
  }
  if (value.toLowerCase() !== 'last') throw badArgument('Day of month should either be between 1 and 28 or it should be last');
  return { is_last: true };
}

/** `create-generic-criteria`: printed with snake_case keys, exactly as az prints it; absent lists are null. */
export function createGenericCriteria(o: GenericCriteriaOptions): JsonObject {
  return {
    object_type: 'ScheduleBasedBackupCriteria',
    days_of_month: o.daysOfMonth ? o.daysOfMonth.map(dayOfMonth) : null,
    days_of_the_week: o.daysOfWeek ?? null,
    months_of_year: o.monthsOfYear ?? null,
    weeks_of_the_month: o.weeksOfMonth ?? null,
  };
}

/**
 * `tag set`: give the tag `name` these criteria, adding the tag with its az priority when the first
 * backup rule has none of that name.
 */
export function setTag(policy: unknown, name: string, criteria: readonly unknown[]): PolicyDocument {
  const doc = copyPolicy(policy);
  const manifest = manifestOfPolicy(doc);
  if (!manifest.policySettings.supportedRetentionTags.includes(name)) {
    throw badArgument(`Selected Retention Tag ${name} is not applicable for Datasource Type ${manifest.name}`);
  }
  if (manifest.policySettings.disableCustomRetentionTag && !criteria.every((c) => isObject(c) && 'absoluteCriteria' in c)) {
    throw badArgument('Only Absolute Criteria is supported for this policy');
  }
  const list = taggingCriteriaOf(doc);
  const existing = list.find((c) => tagNameOf(c) === name);
  if (existing) {
    // az writes the new list under "Criteria" (capital C) and leaves "criteria" unchanged; what it
    // means is to replace the criteria. Stray variants such as "Criteria" are dropped so the service,
    // which reads keys case-insensitively, sees only the new list.
    for (const key of Object.keys(existing)) if (key !== 'criteria' && key.toLowerCase() === 'criteria') delete existing[key];
    existing.criteria = structuredClone([...criteria]);
    return doc;
  }
  const priority = TAGGING_PRIORITY[name];
  if (priority === undefined) throw badArgument(`Tag name '${name}' is not one of ${TAG_NAMES.join(', ')}.`);
  list.push({ criteria: structuredClone([...criteria]), isDefault: false, taggingPriority: priority, tagInfo: { tagName: name } });
  return doc;
}

/** `tag remove`: drop the first tagging criterion named `name` from the first backup rule (nothing if absent). */
export function removeTag(policy: unknown, name: string): PolicyDocument {
  const doc = copyPolicy(policy);
  const list = taggingCriteriaOf(doc);
  const index = list.findIndex((c) => tagNameOf(c) === name);
  if (index >= 0) list.splice(index, 1);
  return doc;
}
