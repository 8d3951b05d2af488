// The PostgreSQL manifests hold az's values verbatim, and the registry finds them by CLI name,
// ARM datasource type or alias, whatever the casing, and explains the types it does not support.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DpError, errors, POLICY_CODES } from '../../src/domain/errors.ts';
import { DATASOURCE_TYPE_VALUES, findManifest, MANIFESTS, requireManifest } from '../../src/datasources/registry.ts';

const POLICY_SETTINGS_WITHOUT_DEFAULT = {
  supportedRetentionTags: ['Weekly', 'Monthly', 'Yearly'],
  supportedDatastoreTypes: ['VaultStore', 'ArchiveStore'],
  disableAddRetentionRule: false,
  disableCustomRetentionTag: false,
  backupScheduleSupported: true,
  supportedBackupFrequency: ['Weekly'],
};

const defaultPolicy = (datasourceType: string, name: string) => ({
  policyRules: [
    {
      name: 'BackupWeekly',
      objectType: 'AzureBackupRule',
      backupParameters: { backupType: 'Full', objectType: 'AzureBackupParams' },
      dataStore: { dataStoreType: 'VaultStore', objectType: 'DataStoreInfoBase' },
      trigger: {
        schedule: { timeZone: 'UTC', repeatingTimeIntervals: ['R/2021-08-15T06:30:00+00:00/P1W'] },
        taggingCriteria: [{ isDefault: true, taggingPriority: 99, tagInfo: { id: 'Default_', tagName: 'Default' } }],
        objectType: 'ScheduleBasedTriggerContext',
      },
    },
    {
      name: 'Default',
      objectType: 'AzureRetentionRule',
      isDefault: true,
      lifecycles: [
        {
          deleteAfter: { duration: 'P3M', objectType: 'AbsoluteDeleteOption' },
          sourceDataStore: { dataStoreType: 'VaultStore', objectType: 'DataStoreInfoBase' },
          targetDataStoreCopySettings: [],
        },
      ],
    },
  ],
  datasourceTypes: [datasourceType],
  objectType: 'BackupPolicy',
  name,
});

// az's Manifests/AzureDatabaseForPostgreSQL.py (reference §1.1), plus dpvault's name and aliases.
const SINGLE_SERVER = {
  name: 'AzureDatabaseForPostgreSQL',
  aliases: ['OssDB'],
  isProxyResource: true,
  enableDataSourceSetInfo: false,
  resourceType: 'Microsoft.DBforPostgreSQL/servers/databases',
  parentResourceType: 'Microsoft.DBforPostgreSQL/servers',
  datasourceType: 'Microsoft.DBforPostgreSQL/servers/databases',
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
  policySettings: { ...POLICY_SETTINGS_WITHOUT_DEFAULT, defaultPolicy: defaultPolicy('Microsoft.DBforPostgreSQL/servers/databases', 'OssPolicy1') },
};

// az's Manifests/AzureDatabaseForPostgreSQLFlexibleServer.py (reference §1.2).
const FLEXIBLE_SERVER = {
  name: 'AzureDatabaseForPostgreSQLFlexibleServer',
  aliases: [],
  isProxyResource: false,
  enableDataSourceSetInfo: false,
  resourceType: 'Microsoft.DBforPostgreSQL/flexibleServers',
  parentResourceType: 'Microsoft.DBforPostgreSQL/flexibleServers',
  datasourceType: 'Microsoft.DBforPostgreSQL/flexibleServers',
  allowedRestoreModes: ['RecoveryPointBased'],
  allowedRestoreTargetTypes: ['RestoreAsFiles'],
  itemLevelRecoveryEnabled: true, // dpvault: tables out of one database of a whole-server point
  addBackupDatasourceParametersList: false,
  addDataStoreParametersList: false,
  friendlyNameRequired: false,
  supportSecretStoreAuthentication: false,
  backupScope: 'Server',
  backupVaultPermissions: [
    { roleDefinitionName: 'Reader', type: 'DataSourceRG' },
    { roleDefinitionName: 'PostgreSQL Flexible Server Long Term Retention Backup Role', type: 'DataSource' },
  ],
  backupVaultRestorePermissions: [{ roleDefinitionName: 'Storage Blob Data Contributor', type: 'TargetStorageAccount' }],
  serverRestorePermissions: [{ roleDefinitionName: 'Contributor', type: 'TargetDataSource' }],
  policySettings: { ...POLICY_SETTINGS_WITHOUT_DEFAULT, defaultPolicy: defaultPolicy('Microsoft.DBforPostgreSQL/flexibleServers', 'OssFlexiblePolicy1') },
};

const SUPPORTED =
  'Supported datasource types: AzureDatabaseForPostgreSQL (Microsoft.DBforPostgreSQL/servers/databases), ' +
  'AzureDatabaseForPostgreSQLFlexibleServer (Microsoft.DBforPostgreSQL/flexibleServers).';

function errorOf(fn: () => unknown): DpError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof DpError);
    return e;
  }
  assert.fail('expected an error');
}

describe('PostgreSQL manifests', () => {
  it('hold every field of az\'s manifests verbatim', () => {
    assert.deepStrictEqual(MANIFESTS, [SINGLE_SERVER, FLEXIBLE_SERVER]);
  });

  it('are frozen so no caller can change them', () => {
    assert.throws(() => {
      (MANIFESTS[0]!.policySettings.supportedRetentionTags as string[]).push('Daily');
    }, TypeError);
    assert.throws(() => {
      MANIFESTS[0]!.policySettings.defaultPolicy.name = 'x';
    }, TypeError);
  });
});

describe('manifest lookup', () => {
  it('finds a manifest by CLI name, ARM datasource type or alias, in any casing', () => {
    assert.equal(findManifest('AzureDatabaseForPostgreSQL')?.name, 'AzureDatabaseForPostgreSQL');
    assert.equal(findManifest('azuredatabaseforpostgresql')?.name, 'AzureDatabaseForPostgreSQL');
    assert.equal(findManifest('Microsoft.DBforPostgreSQL/servers/databases')?.name, 'AzureDatabaseForPostgreSQL');
    assert.equal(findManifest('microsoft.dbforpostgresql/SERVERS/databases')?.name, 'AzureDatabaseForPostgreSQL');
    assert.equal(findManifest('OssDB')?.name, 'AzureDatabaseForPostgreSQL');
    assert.equal(findManifest('ossdb')?.name, 'AzureDatabaseForPostgreSQL');
    assert.equal(findManifest('AzureDatabaseForPostgreSQLFlexibleServer')?.name, 'AzureDatabaseForPostgreSQLFlexibleServer');
    assert.equal(findManifest('Microsoft.DBforPostgreSQL/flexibleServers')?.name, 'AzureDatabaseForPostgreSQLFlexibleServer');
    assert.equal(findManifest('Microsoft.DBforPostgreSQL/servers'), undefined);
    assert.equal(findManifest('AzureDisk'), undefined);
  });

  it('offers az\'s --datasource-type choices, including the two PostgreSQL types', () => {
    assert.deepStrictEqual([...DATASOURCE_TYPE_VALUES], [
      'AzureDisk', 'AzureBlob', 'AzureDatabaseForPostgreSQL', 'AzureKubernetesService', 'AzureDatabaseForPostgreSQLFlexibleServer',
      'AzureDatabaseForMySQL', 'AzureDataLakeStorage', 'AzureCosmosDB', 'AzureElasticSAN',
    ]);
    for (const m of MANIFESTS) assert.ok(DATASOURCE_TYPE_VALUES.includes(m.name as never));
  });

  it('explains an az datasource type dpvault does not protect, as an argument error by default', () => {
    const e = errorOf(() => requireManifest('azureblob'));
    assert.equal(e.code, 'InvalidArgumentValueError');
    assert.equal(e.message, `Datasource type AzureBlob is not supported by dpvault, which protects PostgreSQL only. ${SUPPORTED}`);
  });

  it('explains an unknown type with the error the caller chooses', () => {
    const e = errorOf(() => requireManifest('Microsoft.Compute/disks', (m) => errors.policyRejected(POLICY_CODES.unsupportedDatasource, m, 'datasourceTypes[0]')));
    assert.equal(e.code, 'UserErrorUnsupportedDatasourceType');
    assert.equal(e.target, 'datasourceTypes[0]');
    assert.equal(e.message, `'Microsoft.Compute/disks' is not a known datasource type. ${SUPPORTED}`);
    assert.equal(requireManifest(' OssDB ').name, 'AzureDatabaseForPostgreSQL');
  });
});
