// Reading a stored backup policy the way the scheduler and the retention worker need it: the backup
// rule's schedule (intervals parsed, time zone resolved), its tagging criteria, and the retention
// rule a tag selects. Pure: the policy is an argument.
import { invalid } from '../domain/errors.ts';
import type { RetentionRuleInput } from '../policy/retention.ts';
import type { TaggingCriterionInput } from '../policy/tagging.ts';
import { parseRepeatingInterval, type RepeatingInterval } from '../policy/time/interval.ts';
import { resolveTimeZone } from '../policy/time/zones.ts';

export interface PolicyLike {
  name: string;
  properties: Record<string, unknown>;
}

export interface BackupSchedule {
  /** The AzureBackupRule's name (`BackupWeekly`), shown as PolicyRuleName on scheduled jobs. */
  ruleName: string;
  intervals: RepeatingInterval[];
  /** The resolved IANA zone of the schedule. */
  timeZone: string;
  taggingCriteria: TaggingCriterionInput[];
}

interface BackupRuleShape {
  name: string;
  objectType: string;
  trigger?: { schedule?: { repeatingTimeIntervals?: string[]; timeZone?: string | null } | null; taggingCriteria?: TaggingCriterionInput[] | null } | null;
}

const rulesOf = (policy: PolicyLike): Record<string, unknown>[] =>
  Array.isArray(policy.properties.policyRules) ? (policy.properties.policyRules as Record<string, unknown>[]) : [];

const same = (a: unknown, b: string): boolean => String(a).toLowerCase() === b.toLowerCase();

/** The policy's backup rule and its schedule; throws UserErrorInvalidPolicy when it has none. */
export function backupScheduleOf(policy: PolicyLike): BackupSchedule {
  const rule = rulesOf(policy).find((r) => same(r.objectType, 'AzureBackupRule')) as BackupRuleShape | undefined;
  const schedule = rule?.trigger?.schedule;
  if (!rule || !schedule || !Array.isArray(schedule.repeatingTimeIntervals)) {
    throw invalid('UserErrorInvalidPolicy', `The backup policy '${policy.name}' has no AzureBackupRule with a schedule.`);
  }
  return {
    ruleName: rule.name,
    intervals: schedule.repeatingTimeIntervals.map((t) => parseRepeatingInterval(t)),
    timeZone: resolveTimeZone(schedule.timeZone ?? 'UTC'),
    taggingCriteria: rule.trigger?.taggingCriteria ?? [],
  };
}

/** The policy's time zone (the backup rule's schedule), in which retention durations are counted. */
export function policyTimeZone(policy: PolicyLike): string {
  const rule = rulesOf(policy).find((r) => same(r.objectType, 'AzureBackupRule')) as BackupRuleShape | undefined;
  return resolveTimeZone(rule?.trigger?.schedule?.timeZone ?? 'UTC');
}

/**
 * The retention rule a tag selects (joined by name, case-insensitively); the default rule when the
 * policy has no rule of that name, e.g. after a policy change removed the tag.
 */
export function retentionRuleForTag(policy: PolicyLike, tag: string): RetentionRuleInput {
  const retention = rulesOf(policy).filter((r) => same(r.objectType, 'AzureRetentionRule')) as unknown as RetentionRuleInput[];
  const rule = retention.find((r) => same(r.name, tag)) ?? retention.find((r) => r.isDefault === true);
  if (!rule) throw invalid('UserErrorInvalidPolicy', `The backup policy '${policy.name}' has no retention rule for tag '${tag}' and no default rule.`);
  return rule;
}
