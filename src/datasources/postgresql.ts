// Manifest of AzureDatabaseForPostgreSQL: one database of a PostgreSQL single server, reached with
// credentials from a secret store (az's Manifests/AzureDatabaseForPostgreSQL.py, values verbatim,
// except itemLevelRecoveryEnabled: dpvault restores single tables out of a database's recovery point).
import type { DatasourceManifest } from './manifest.ts';
import { postgresPolicySettings } from './postgresql-policy.ts';

const DATASOURCE_TYPE = 'Microsoft.DBforPostgreSQL/servers/databases';

export const azureDatabaseForPostgreSQL: DatasourceManifest = {
  name: 'AzureDatabaseForPostgreSQL',
  // Azure's published REST examples write `OssDB` for this type in a policy's datasourceTypes.
  aliases: ['OssDB'],
  isProxyResource: true,
  enableDataSourceSetInfo: false,
  resourceType: DATASOURCE_TYPE,
  parentResourceType: 'Microsoft.DBforPostgreSQL/servers',
  datasourceType: DATASOURCE_TYPE,
  allowedRestoreModes: ['RecoveryPointBased'],
  allowedRestoreTargetTypes: ['AlternateLocation', 'RestoreAsFiles'],
  itemLevelRecoveryEnabled: true,
  addBackupDatasourceParametersList: false,
  addDataStoreParametersList: false,
  friendlyNameRequired: false,
  supportSecretStoreAuthentication: true,
  backupScope: 'Database',
  backupVaultPermissions: [{ roleDefinitionName: 'Reader', type: 'DataSource' }],
  secretStorePermissions: {
    rbacModel: { roleDefinitionName: 'Key Vault Secrets User' },
    vaultAccessPolicyModel: { accessPolicies: { permissions: { secrets: ['Get', 'List'] } } },
  },
  policySettings: postgresPolicySettings(DATASOURCE_TYPE, 'OssPolicy1'),
};
