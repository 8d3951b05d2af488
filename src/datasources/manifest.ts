// The shape of a datasource manifest: everything datasource-specific that the CLI helpers and the
// service decide by (az dataprotection's `Manifests/<Type>.py`, as data). Field names follow az's
// manifests, except `itemLevelRecoveryEnabled`, which some az versions misspell `itemLevelRecoveyEnabled`.
import type { BackupPolicyProperties } from '../domain/policy.ts';

export interface RoleRequirement {
  roleDefinitionName: string;
  /**
   * Where the vault's identity needs the role: DataSource, DataSourceRG, TargetStorageAccount, ...;
   * TargetDataSource (dpvault's) is the server a restore writes into.
   */
  type: string;
}

export interface SecretStorePermissions {
  rbacModel: { roleDefinitionName: string };
  vaultAccessPolicyModel: { accessPolicies: { permissions: { secrets: string[] } } };
}

/** The policy `get-default-policy-template` prints: a policy body plus the client-side `name`. */
export type DefaultPolicyTemplate = BackupPolicyProperties & { name: string };

export interface PolicySettings {
  /** Names a non-default retention rule or tag may have. */
  supportedRetentionTags: string[];
  supportedDatastoreTypes: string[];
  disableAddRetentionRule: boolean;
  disableCustomRetentionTag: boolean;
  backupScheduleSupported: boolean;
  /** Daily, Hourly and/or Weekly. */
  supportedBackupFrequency: string[];
  defaultPolicy: DefaultPolicyTemplate;
}

export interface DatasourceManifest {
  /** The CLI's `--datasource-type` value, e.g. AzureDatabaseForPostgreSQL. */
  name: string;
  /** Other spellings of `datasourceType` met in policies, e.g. `OssDB` in Azure's published examples. */
  aliases: string[];
  isProxyResource: boolean;
  enableDataSourceSetInfo: boolean;
  resourceType: string;
  parentResourceType: string;
  /** The ARM datasource type used in policies and backup instances. */
  datasourceType: string;
  allowedRestoreModes: string[];
  allowedRestoreTargetTypes: string[];
  itemLevelRecoveryEnabled: boolean;
  addBackupDatasourceParametersList: boolean;
  addDataStoreParametersList: boolean;
  friendlyNameRequired: boolean;
  supportSecretStoreAuthentication: boolean;
  /**
   * dpvault's: what one recovery point holds. `Database`: one database, reached with the key vault
   * secret the backup instance names. `Server`: every database of a server plus its roles and
   * tablespaces, reached with the vault's own identity (the roles below, and read access to the
   * server's administrator secret).
   */
  backupScope: 'Database' | 'Server';
  backupVaultPermissions: RoleRequirement[];
  backupVaultRestorePermissions?: RoleRequirement[];
  /**
   * dpvault's: what a whole-server point restored as a server needs over the target server
   * (type TargetDataSource), beside backupVaultRestorePermissions; only for backupScope Server.
   */
  serverRestorePermissions?: RoleRequirement[];
  secretStorePermissions?: SecretStorePermissions;
  policySettings: PolicySettings;
}
