// Policy settings shared by both PostgreSQL datasource types (az's two PostgreSQL manifests carry
// identical policySettings except for the default policy's datasource type and name).
import type { DefaultPolicyTemplate, PolicySettings } from './manifest.ts';

/** The default weekly policy: full backup Sundays 06:30 UTC into the vault, kept three months. */
function defaultPolicy(datasourceType: string, name: string): DefaultPolicyTemplate {
  return {
    datasourceTypes: [datasourceType],
    name,
    objectType: 'BackupPolicy',
    policyRules: [
      {
        backupParameters: { backupType: 'Full', objectType: 'AzureBackupParams' },
        dataStore: { dataStoreType: 'VaultStore', objectType: 'DataStoreInfoBase' },
        name: 'BackupWeekly',
        objectType: 'AzureBackupRule',
        trigger: {
          objectType: 'ScheduleBasedTriggerContext',
          schedule: { repeatingTimeIntervals: ['R/2021-08-15T06:30:00+00:00/P1W'], timeZone: 'UTC' },
          taggingCriteria: [{ isDefault: true, tagInfo: { id: 'Default_', tagName: 'Default' }, taggingPriority: 99 }],
        },
      },
      {
        isDefault: true,
        lifecycles: [
          {
            deleteAfter: { duration: 'P3M', objectType: 'AbsoluteDeleteOption' },
            sourceDataStore: { dataStoreType: 'VaultStore', objectType: 'DataStoreInfoBase' },
            targetDataStoreCopySettings: [],
          },
        ],
        name: 'Default',
        objectType: 'AzureRetentionRule',
      },
    ],
  };
}

export function postgresPolicySettings(datasourceType: string, defaultPolicyName: string): PolicySettings {
  return {
    supportedRetentionTags: ['Weekly', 'Monthly', 'Yearly'],
    supportedDatastoreTypes: ['VaultStore', 'ArchiveStore'],
    disableAddRetentionRule: false,
    disableCustomRetentionTag: false,
    backupScheduleSupported: true,
    supportedBackupFrequency: ['Weekly'],
    defaultPolicy: defaultPolicy(datasourceType, defaultPolicyName),
  };
}
