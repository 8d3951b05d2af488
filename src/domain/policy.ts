// The backup policy as the REST API shows it (Microsoft.DataProtection `BaseBackupPolicy` and its
// polymorphic rules, api-version 2026-03-01), after the service has validated and normalised it.
// Client-side documents (what `az dataprotection backup-policy ...` edits) are looser; see
// src/policy/editors/document.ts.

export const DATASTORE_TYPES = ['ArchiveStore', 'OperationalStore', 'VaultStore'] as const;
export const COPY_OPTION_TYPES = ['CopyOnExpiryOption', 'CustomCopyOption', 'ImmediateCopyOption'] as const;
export const ABSOLUTE_CRITERIA = ['AllBackup', 'FirstOfDay', 'FirstOfMonth', 'FirstOfWeek', 'FirstOfYear'] as const;
export const DAYS_OF_WEEK = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
export const WEEKS_OF_MONTH = ['First', 'Second', 'Third', 'Fourth', 'Last'] as const;
export const MONTHS_OF_YEAR = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
] as const;

/** The name of the retention rule and tag that every policy has and that cannot be removed. */
export const DEFAULT_RULE_NAME = 'Default';

/** az's `helpers.get_tagging_priority`: the lowest number wins when several tags match a backup. */
export const TAGGING_PRIORITY: Readonly<Record<string, number>> = { Default: 99, Daily: 25, Weekly: 20, Monthly: 15, Yearly: 10 };

export interface DataStoreInfoBase {
  dataStoreType: string;
  objectType: 'DataStoreInfoBase';
}

export interface AzureBackupParams {
  backupType: string;
  objectType: 'AzureBackupParams';
}

export interface BackupSchedule {
  /** ISO 8601 repeating intervals, e.g. `R/2021-08-15T06:30:00+00:00/P1W`. */
  repeatingTimeIntervals: string[];
  timeZone?: string;
}

export interface RetentionTag {
  tagName: string;
  /** Filled by the service as `<tagName>_`. */
  id: string;
  eTag?: string;
}

/** `Day`: a date 1..28, or the last day of the month. */
export interface Day {
  date?: number;
  isLast?: boolean;
}

export interface ScheduleBasedBackupCriteria {
  objectType: 'ScheduleBasedBackupCriteria';
  absoluteCriteria?: string[];
  daysOfMonth?: Day[];
  daysOfTheWeek?: string[];
  monthsOfYear?: string[];
  scheduleTimes?: string[];
  weeksOfTheMonth?: string[];
}

export type BackupCriteria = ScheduleBasedBackupCriteria;

export interface TaggingCriteria {
  criteria?: BackupCriteria[];
  isDefault: boolean;
  taggingPriority: number;
  tagInfo: RetentionTag;
}

export interface ScheduleBasedTriggerContext {
  objectType: 'ScheduleBasedTriggerContext';
  schedule: BackupSchedule;
  taggingCriteria: TaggingCriteria[];
}

export interface AzureBackupRule {
  name: string;
  objectType: 'AzureBackupRule';
  backupParameters: AzureBackupParams;
  dataStore: DataStoreInfoBase;
  trigger: ScheduleBasedTriggerContext;
}

export type CopyOption =
  | { objectType: 'CopyOnExpiryOption' }
  | { objectType: 'ImmediateCopyOption' }
  | { objectType: 'CustomCopyOption'; duration: string };

export interface TargetCopySetting {
  copyAfter: CopyOption;
  dataStore: DataStoreInfoBase;
}

export interface AbsoluteDeleteOption {
  /** ISO 8601 duration such as `P3M`. */
  duration: string;
  objectType: 'AbsoluteDeleteOption';
}

export interface SourceLifeCycle {
  deleteAfter: AbsoluteDeleteOption;
  sourceDataStore: DataStoreInfoBase;
  targetDataStoreCopySettings: TargetCopySetting[];
}

export interface AzureRetentionRule {
  name: string;
  objectType: 'AzureRetentionRule';
  isDefault: boolean;
  lifecycles: SourceLifeCycle[];
}

export type BasePolicyRule = AzureBackupRule | AzureRetentionRule;

export interface BackupPolicyProperties {
  datasourceTypes: string[];
  objectType: 'BackupPolicy';
  policyRules: BasePolicyRule[];
}

export const POLICY_TYPE = 'Microsoft.DataProtection/backupVaults/backupPolicies';

/** A backup policy as the API shows and the catalog stores it: its properties as validated. */
export interface PolicyResource {
  id: string;
  name: string;
  type: string;
  resourceGroup: string;
  systemData: null;
  properties: BackupPolicyProperties;
}
