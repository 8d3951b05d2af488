// Manifest of AzureDatabaseForPostgreSQLFlexibleServer: a whole PostgreSQL flexible server, backed up
// with the vault's own identity and restored as files (az's
// Manifests/AzureDatabaseForPostgreSQLFlexibleServer.py, values verbatim, except
// itemLevelRecoveryEnabled: dpvault restores tables of one database of a whole-server point), or,
// beyond Azure, as a server (dpvault's own fields: backupScope, serverRestorePermissions).
import type { DatasourceManifest } from './manifest.ts';
import { postgresPolicySettings } from './postgresql-policy.ts';

const DATASOURCE_TYPE = 'Microsoft.DBforPostgreSQL/flexibleServers';

export const azureDatabaseForPostgreSQLFlexibleServer: DatasourceManifest = {
  name: 'AzureDatabaseForPostgreSQLFlexibleServer',
  aliases: [],
  isProxyResource: false,
  enableDataSourceSetInfo: false,
  resourceType: DATASOURCE_TYPE,
  parentResourceType: DATASOURCE_TYPE,
  datasourceType: DATASOURCE_TYPE,
  allowedRestoreModes: ['RecoveryPointBased'],
  allowedRestoreTargetTypes: ['RestoreAsFiles'],
  itemLevelRecoveryEnabled: true,
  addBackupDatasourceParametersList: false,
  addDataStoreParametersList: false,
  friendlyNameRequired: false,
  supportSecretStoreAuthentication: false,
  backupScope: 'Server',
  backupVaultPermissions: [
    { roleDefinitionName: 'Reader', type: 'DataSourceRG' },
    // az c09e051's spelling (3a9a003 left out " Role"): the role's name as Azure's role table has it.
    { roleDefinitionName: 'PostgreSQL Flexible Server Long Term Retention Backup Role', type: 'DataSource' },
  ],
  backupVaultRestorePermissions: [{ roleDefinitionName: 'Storage Blob Data Contributor', type: 'TargetStorageAccount' }],
  // A restore as a server creates roles and databases there: the identity needs to manage it.
  serverRestorePermissions: [{ roleDefinitionName: 'Contributor', type: 'TargetDataSource' }],
  policySettings: postgresPolicySettings(DATASOURCE_TYPE, 'OssFlexiblePolicy1'),
};
