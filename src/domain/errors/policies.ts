// Errors of backup policies and the times they are written in (durations, repeating intervals, time
// zones).
import { DpError } from './dp-error.ts';

/** The codes a policy body is refused with, by what is wrong in it (src/policy/validate/ raises them). */
export const POLICY_CODES = {
  /** Malformed in a way Azure has no specific code for. */
  invalid: 'UserErrorInvalidPolicy',
  unsupportedDatasource: 'UserErrorUnsupportedDatasourceType',
  backupRuleCount: 'UserErrorInvalidBackupRuleCount',
  defaultRule: 'UserErrorDefaultRetentionRuleRequired',
  defaultTag: 'UserErrorDefaultTagRequired',
  duplicateName: 'UserErrorDuplicateRuleName',
  tagWithoutRule: 'UserErrorRetentionRuleNotFoundForTag',
  ruleWithoutTag: 'UserErrorTagNotFoundForRetentionRule',
  unsupportedTag: 'UserErrorUnsupportedRetentionTag',
  invalidCriteria: 'UserErrorInvalidBackupCriteria',
  frequencyNotSupported: 'BMSUserErrorDPPBackupPolicyBackupFrequencyNotMatchingRule',
  unsupportedDatastore: 'UserErrorUnsupportedDatastoreType',
  invalidCopyOption: 'UserErrorInvalidCopyOption',
} as const;
export type PolicyCode = (typeof POLICY_CODES)[keyof typeof POLICY_CODES];

export const policyErrors = {
  /** A policy body refused by the validator, with the JSON path of the offending value. */
  policyRejected: (code: PolicyCode, message: string, target: string): DpError => new DpError('invalid', code, message, { target }),
  /** A refused part of a policy (a duration, an interval, a retention rule) reported at `target`, its place in the whole policy. */
  policyPartRejected: (e: DpError, target: string): DpError => new DpError('invalid', e.code, e.message, { target }),
  defaultPolicyTemplateMissing: (): DpError => new DpError('internal', 'CLIInternalError', 'Unable to get default policy template.'),
  defaultRetentionRuleRemoval: (): DpError => new DpError('forbidden', 'ForbiddenError', 'Removing Default Retention Rule is not allowed. Please try again with different rule name.'),
  durationInvalid: (message: string, target?: string): DpError => new DpError('invalid', 'InvalidDuration', message, { target: target ?? null }),
  policyInUse: (message: string): DpError => new DpError('conflict', 'UserErrorBackupPolicyInUse', message),
  policyInvalid: (message: string, target?: string): DpError => new DpError('invalid', 'UserErrorInvalidPolicy', message, { target: target ?? null }),
  policyNotFound: (name: string, vault: string): DpError =>
    new DpError('notFound', 'UserErrorPolicyNotFound', `The backup policy '${name}' was not found in the Backup vault '${vault}'.`),
  repeatingIntervalInvalid: (message: string, target?: string): DpError => new DpError('invalid', 'InvalidRepeatingInterval', message, { target: target ?? null }),
  retentionRuleInvalid: (message: string, target?: string): DpError => new DpError('invalid', 'UserErrorInvalidRetentionRule', message, { target: target ?? null }),
  retentionTagOverrideInvalid: (message: string, target?: string): DpError => new DpError('invalid', 'UserErrorInvalidRetentionTagOverride', message, { target: target ?? null }),
  timeZoneInvalid: (message: string, target?: string): DpError => new DpError('invalid', 'InvalidTimeZone', message, { target: target ?? null }),
};
