// The one reader of a stored backup policy's rules, for everything that acts on a policy after it
// was saved: the scheduler (the backup rule's schedule, intervals parsed, time zone resolved), the
// backup job and the on-demand backup (tagging criteria, the retention rule a tag selects) and the
// retention worker (the rule of a point's tag, the policy's time zone). Rules are told apart by
// `objectType` and joined by name without regard to case, as Azure does. Pure: the policy is an
// argument.
import { errors } from '../domain/errors.ts';
import type { AzureBackupRule, AzureRetentionRule, BasePolicyRule, PolicyResource } from '../domain/policy.ts';
import { parseRepeatingInterval, type RepeatingInterval } from './time/interval.ts';
import { resolveTimeZone } from './time/zones.ts';

/** What the reader needs of a policy: its name (for messages) and its properties. */
export type PolicyLike = Pick<PolicyResource, 'name' | 'properties'>;

export interface BackupSchedule {
  /** The AzureBackupRule's name (`BackupWeekly`), shown as PolicyRuleName on scheduled jobs. */
  ruleName: string;
  intervals: RepeatingInterval[];
  /** The resolved IANA zone of the schedule. */
  timeZone: string;
  taggingCriteria: AzureBackupRule['trigger']['taggingCriteria'];
}

const same = (a: unknown, b: string): boolean => String(a).toLowerCase() === b.toLowerCase();

const rulesOf = (policy: PolicyLike): BasePolicyRule[] => (Array.isArray(policy.properties.policyRules) ? policy.properties.policyRules : []);

const isBackupRule = (r: BasePolicyRule): r is AzureBackupRule => same(r.objectType, 'AzureBackupRule');
const isRetentionRule = (r: BasePolicyRule): r is AzureRetentionRule => same(r.objectType, 'AzureRetentionRule');

const findBackupRule = (policy: PolicyLike): AzureBackupRule | undefined => rulesOf(policy).find(isBackupRule);

/** The policy's backup rule with its schedule; throws UserErrorInvalidPolicy when it has none. */
export function backupRuleOf(policy: PolicyLike): AzureBackupRule {
  const rule = findBackupRule(policy);
  if (!rule || !Array.isArray(rule.trigger?.schedule?.repeatingTimeIntervals)) {
    throw errors.policyInvalid(`The backup policy '${policy.name}' has no AzureBackupRule with a schedule.`);
  }
  return rule;
}

/** The policy's retention rules, in the policy's order. */
export function retentionRulesOf(policy: PolicyLike): AzureRetentionRule[] {
  return rulesOf(policy).filter(isRetentionRule);
}

/** The policy's backup rule and its schedule; throws UserErrorInvalidPolicy when it has none. */
export function backupScheduleOf(policy: PolicyLike): BackupSchedule {
  const rule = backupRuleOf(policy);
  const schedule = rule.trigger.schedule;
  return {
    ruleName: rule.name,
    intervals: schedule.repeatingTimeIntervals.map((t) => parseRepeatingInterval(t)),
    timeZone: resolveTimeZone(schedule.timeZone ?? 'UTC'),
    taggingCriteria: rule.trigger.taggingCriteria ?? [],
  };
}

/** The policy's time zone (the backup rule's schedule), in which retention durations are counted. */
export function policyTimeZone(policy: PolicyLike): string {
  return resolveTimeZone(findBackupRule(policy)?.trigger?.schedule?.timeZone ?? 'UTC');
}

/**
 * The retention rule a tag selects (joined by name, case-insensitively); the default rule when the
 * policy has no rule of that name, e.g. after a policy change removed the tag.
 */
export function retentionRuleForTag(policy: PolicyLike, tag: string): AzureRetentionRule {
  const retention = retentionRulesOf(policy);
  const rule = retention.find((r) => same(r.name, tag)) ?? retention.find((r) => r.isDefault === true);
  if (!rule) throw errors.policyInvalid(`The backup policy '${policy.name}' has no retention rule for tag '${tag}' and no default rule.`);
  return rule;
}
