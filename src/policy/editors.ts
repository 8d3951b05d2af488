// The CLI's client-side backup-policy editors (az dataprotection backup-policy trigger / retention-rule /
// tag helpers): pure functions of a policy document, returning a new document. The server validates
// what they produce with validate.ts.
export { getDefaultPolicyTemplate } from './template.ts';
export { createSchedule, frequencyOfInterval, INTERVAL_TYPES, setTrigger } from './editors/schedule.ts';
export {
  createLifecycle, DURATION_TYPES, type LifecycleOptions, removeRetentionRule, RETENTION_RULE_NAMES, setRetentionRule,
} from './editors/retention-rules.ts';
export {
  createAbsoluteCriteria, createGenericCriteria, type GenericCriteriaOptions, removeTag, setTag, TAG_NAMES,
} from './editors/tags.ts';
export type { JsonObject, PolicyDocument } from './editors/document.ts';
