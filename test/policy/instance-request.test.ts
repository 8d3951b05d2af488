// The client-side backup instance and restore request builders against az's documented outputs,
// messages and check order (reference azcli-dataprotection.md §4.1, §4.3, §5.1, §5.2, §6.1).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findManifest } from '../../src/datasources/registry.ts';
import type { DatasourceManifest } from '../../src/datasources/manifest.ts';
import { DpError } from '../../src/domain/errors.ts';
import {
  azDateTime, initializeBackupInstance, initializeForDataRecovery, initializeForDataRecoveryAsFiles, instanceCreateBody, pointInTimeArgument,
  recoveryPointTimeArgument, snakeToCamel, uuid1, type DataRecoveryArgs,
} from '../../src/policy/instance-request.ts';

const PG = findManifest('AzureDatabaseForPostgreSQL')!;
const FLEX = findManifest('AzureDatabaseForPostgreSQLFlexibleServer')!;
const GUID = 'faec6818-0720-11ec-bd1b-c8f750f92764';
const SUB = '/subscriptions/38304e13-357e-405e-9e9a-220351dcce8c/resourceGroups/oss-clitest-rg/providers/Microsoft.DBforPostgreSQL';
const DB_ID = `${SUB}/servers/oss-clitest-server/databases/postgres`;
const SERVER_ID = `${SUB}/servers/oss-clitest-server`;
const POLICY_ID = '/subscriptions/38304e13/resourceGroups/oss-clitest-rg/providers/Microsoft.DataProtection/backupVaults/clitest-bkp-vault/backupPolicies/osspolicy';
const KEY_URI = 'https://oss-clitest-keyvault.vault.azure.net/secrets/oss-clitest-secret';

async function rejectsDp(fn: () => unknown, code: string, message: string): Promise<void> {
  let caught: unknown;
  try {
    await fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof DpError, `expected a DpError, got ${String(caught)}`);
  assert.equal(caught.message, message);
  assert.equal(caught.code, code);
}

const MISSING = 'RequiredArgumentMissingError';
const BAD = 'InvalidArgumentValueError';
const EXCLUSIVE = 'MutuallyExclusiveArgumentError';

describe('snakeToCamel', () => {
  it('converts every key at every depth with az\'s _([a-z]) rule and keeps values and nulls', () => {
    assert.deepEqual(
      snakeToCamel({ restore_target_info: { target_details: { file_prefix: 'p', restore_target_location_type: 'AzureBlobs' }, list: [{ resource_id: 'x', value: null }] } }),
      { restoreTargetInfo: { targetDetails: { filePrefix: 'p', restoreTargetLocationType: 'AzureBlobs' }, list: [{ resourceId: 'x', value: null }] } },
    );
  });
  it('leaves camelCase keys, upper-case letters after _ and non-objects alone', () => {
    assert.deepEqual(snakeToCamel({ objectType: 'A', a_B: 1, x_1: 2 }), { objectType: 'A', a_B: 1, x_1: 2 });
    assert.equal(snakeToCamel('snake_case'), 'snake_case');
    assert.equal(snakeToCamel(null), null);
  });
});

describe('uuid1', () => {
  it('encodes the time, clock sequence and node as Python\'s uuid.UUID(fields=...) does', () => {
    const bytes = Uint8Array.from([0x3d, 0x1b, 0xc8, 0xf7, 0x50, 0xf9, 0x27, 0x64]);
    // 2021-08-26T13:20:00Z; expected value computed with CPython's uuid module.
    assert.equal(uuid1(Date.UTC(2021, 7, 26, 13, 20), bytes), '5099c000-0670-11ec-bd1b-c9f750f92764');
  });
  it('is version 1 with the RFC 4122 variant and a multicast (random) node', () => {
    const id = uuid1(Date.UTC(2030, 0, 1), new Uint8Array(8));
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-8000-010000000000$/);
    assert.throws(() => uuid1(0, new Uint8Array(4)), RangeError);
  });
});

const seedArgs = { datasourceId: DB_ID, datasourceLocation: 'centraluseuap', policyId: POLICY_ID, secretStoreType: 'AzureKeyVault', secretStoreUri: KEY_URI };
const DB_INFO = {
  datasource_type: 'Microsoft.DBforPostgreSQL/servers/databases', object_type: 'Datasource', resource_name: 'postgres',
  resource_type: 'Microsoft.DBforPostgreSQL/servers/databases', resource_uri: '', resource_id: DB_ID, resource_location: 'centraluseuap',
};
const SERVER_INFO = {
  datasource_type: 'Microsoft.DBforPostgreSQL/servers/databases', object_type: 'DatasourceSet', resource_name: 'oss-clitest-server',
  resource_type: 'Microsoft.DBforPostgreSQL/servers', resource_uri: '', resource_id: SERVER_ID, resource_location: 'centraluseuap',
};
const CREDENTIALS = { secret_store_resource: { uri: KEY_URI, value: null, secret_store_type: 'AzureKeyVault' }, object_type: 'SecretStoreBasedAuthCredentials' };

describe('initializeBackupInstance', () => {
  it('builds az\'s request for a single-server database (the seed\'s initialize call)', () => {
    const { value, warnings } = initializeBackupInstance(seedArgs, PG, GUID);
    assert.deepEqual(value, {
      backup_instance_name: `oss-clitest-server-postgres-${GUID}`,
      properties: {
        data_source_info: DB_INFO,
        data_source_set_info: SERVER_INFO,
        policy_info: { policy_id: POLICY_ID, policy_parameters: null },
        datasource_auth_credentials: CREDENTIALS,
        friendly_name: 'oss-clitest-server/postgres',
        object_type: 'BackupInstance',
      },
      tags: null,
    });
    assert.deepEqual(warnings, []);
  });

  it('warns as az for --friendly-name and --backup-configuration, maps a display location and keeps tags', () => {
    const { value, warnings } = initializeBackupInstance(
      { ...seedArgs, datasourceLocation: 'Central US EUAP', friendlyName: 'mine', backupConfiguration: {}, tags: { a: 'b' } },
      PG,
      GUID,
    );
    assert.deepEqual(warnings, [
      '--friendly-name is not a required parameter for the given DatasourceType, and the user input will be overridden',
      '--backup-configuration is not required for the given DatasourceType, and will not be used',
    ]);
    const props = value.properties as Record<string, any>;
    assert.equal(props.data_source_info.resource_location, 'centraluseuap');
    assert.equal(props.data_source_set_info.resource_location, 'centraluseuap');
    assert.equal(props.friendly_name, 'oss-clitest-server/postgres');
    assert.deepEqual(value.tags, { a: 'b' });
  });

  it('leaves credentials null without secret arguments and fails when only one is given', async () => {
    const props = initializeBackupInstance({ datasourceId: DB_ID, datasourceLocation: 'x', policyId: POLICY_ID }, PG, GUID).value.properties as Record<string, unknown>;
    assert.equal(props.datasource_auth_credentials, null);
    await rejectsDp(() => initializeBackupInstance({ ...seedArgs, secretStoreType: undefined }, PG, GUID), MISSING, 'Either secret store uri or secret store type not provided.');
    await rejectsDp(() => initializeBackupInstance({ ...seedArgs, secretStoreUri: undefined }, PG, GUID), MISSING, 'Either secret store uri or secret store type not provided.');
  });

  it('rejects an id of fewer than three segments before looking at the secret arguments', async () => {
    await rejectsDp(() => initializeBackupInstance({ ...seedArgs, datasourceId: 'a/b', secretStoreUri: undefined }, PG, GUID), BAD, 'a/b is not a valid resource id');
  });

  it('builds a flexible server request: no set info, no credentials (secret arguments ignored), named <server>-<server>-<guid>', () => {
    const id = `${SUB}/flexibleServers/clitest-pgflex-server`;
    const { value } = initializeBackupInstance({ datasourceId: id, datasourceLocation: 'eastus', policyId: POLICY_ID, secretStoreUri: KEY_URI }, FLEX, GUID);
    assert.deepEqual(value, {
      backup_instance_name: `clitest-pgflex-server-clitest-pgflex-server-${GUID}`,
      properties: {
        data_source_info: {
          datasource_type: 'Microsoft.DBforPostgreSQL/flexibleServers', object_type: 'Datasource', resource_name: 'clitest-pgflex-server',
          resource_type: 'Microsoft.DBforPostgreSQL/flexibleServers', resource_uri: '', resource_id: id, resource_location: 'eastus',
        },
        data_source_set_info: null,
        policy_info: { policy_id: POLICY_ID, policy_parameters: null },
        datasource_auth_credentials: null,
        friendly_name: 'clitest-pgflex-server',
        object_type: 'BackupInstance',
      },
      tags: null,
    });
  });
});

describe('instanceCreateBody', () => {
  it('serialises as az\'s create does: camelCase, resourceID, nulls left out (the recorded PUT body)', () => {
    const { value } = initializeBackupInstance(seedArgs, PG, GUID);
    const ref = (info: typeof DB_INFO) => ({
      datasourceType: info.datasource_type, objectType: info.object_type, resourceID: info.resource_id, resourceLocation: info.resource_location,
      resourceName: info.resource_name, resourceType: info.resource_type, resourceUri: '',
    });
    assert.deepEqual(instanceCreateBody(value as { properties: unknown; tags: unknown }), {
      properties: {
        dataSourceInfo: ref(DB_INFO),
        dataSourceSetInfo: ref(SERVER_INFO),
        datasourceAuthCredentials: { objectType: 'SecretStoreBasedAuthCredentials', secretStoreResource: { secretStoreType: 'AzureKeyVault', uri: KEY_URI } },
        friendlyName: 'oss-clitest-server/postgres',
        objectType: 'BackupInstance',
        policyInfo: { policyId: POLICY_ID },
      },
    });
    assert.deepEqual(instanceCreateBody({ properties: {}, tags: { env: 'prod' } }), { properties: {}, tags: { env: 'prod' } });
  });
});

const TARGET_DB = `${SERVER_ID}/databases/postgres_restore_27062023_151020`;
const rpArgs: DataRecoveryArgs = {
  sourceDatastore: 'VaultStore', restoreLocation: 'centraluseuap', recoveryPointId: 'fe57bba53e064636b8bfa2555c561f9d',
  targetResourceId: TARGET_DB, secretStoreType: 'AzureKeyVault', secretStoreUri: KEY_URI,
};
const TARGET_INFO = {
  datasource_type: 'Microsoft.DBforPostgreSQL/servers/databases', object_type: 'Datasource', resource_name: 'postgres_restore_27062023_151020',
  resource_type: 'Microsoft.DBforPostgreSQL/servers/databases', resource_uri: '', resource_id: TARGET_DB, resource_location: 'centraluseuap',
};

describe('initializeForDataRecovery', () => {
  it('builds az\'s recovery-point restore to a new database (§5.1 sample)', async () => {
    assert.deepEqual(await initializeForDataRecovery(rpArgs, PG), {
      object_type: 'AzureBackupRecoveryPointBasedRestoreRequest',
      recovery_point_id: 'fe57bba53e064636b8bfa2555c561f9d',
      source_data_store_type: 'VaultStore',
      restore_target_info: {
        object_type: 'RestoreTargetInfo', restore_location: 'centraluseuap', recovery_option: 'FailIfExists',
        datasource_info: TARGET_INFO,
        datasource_set_info: SERVER_INFO,
        datasource_auth_credentials: CREDENTIALS,
      },
    });
  });

  it('becomes a rehydration request with a priority; the duration alone is ignored', async () => {
    const archive = await initializeForDataRecovery({ ...rpArgs, sourceDatastore: 'ArchiveStore', rehydrationPriority: 'Standard', rehydrationDuration: 12 }, PG);
    assert.equal(archive.object_type, 'AzureBackupRestoreWithRehydrationRequest');
    assert.equal(archive.rehydration_priority, 'Standard');
    assert.equal(archive.rehydration_retention_duration, 'P12D');
    const fifteen = await initializeForDataRecovery({ ...rpArgs, rehydrationPriority: 'Standard' }, PG);
    assert.equal(fifteen.rehydration_retention_duration, 'P15D');
    const plain = await initializeForDataRecovery({ ...rpArgs, rehydrationDuration: 3 }, PG);
    assert.equal(plain.object_type, 'AzureBackupRecoveryPointBasedRestoreRequest');
    assert.ok(!('rehydration_retention_duration' in plain));
  });

  it('checks in az\'s order, each with az\'s message', async () => {
    const pit = '2023-06-27T09:39:18.0000000Z';
    const steps: [Partial<DataRecoveryArgs>, string, string][] = [
      [{ pointInTime: pit, sourceDatastore: 'OperationalStore' }, MISSING, 'Please provide either recovery point id or point in time parameter, not both.'],
      [{ recoveryPointId: undefined, rehydrationPriority: 'Standard', rehydrationDuration: 31 }, MISSING, 'Please provide either recovery point id or point in time parameter.'],
      [{ rehydrationPriority: 'Standard', rehydrationDuration: 9, recoveryPointId: undefined, pointInTime: pit }, BAD, 'The allowed range of rehydration duration is 10 to 30 days.'],
      [{ rehydrationPriority: 'Standard', rehydrationDuration: 31 }, BAD, 'The allowed range of rehydration duration is 10 to 30 days.'],
      [
        { recoveryPointId: undefined, pointInTime: pit, sourceDatastore: 'OperationalStore' }, BAD,
        'PointInTimeBased restore mode is not supported for datasource type AzureDatabaseForPostgreSQL. Supported restore modes are RecoveryPointBased',
      ],
      [
        { sourceDatastore: 'OperationalStore', backupInstanceId: '/x' }, BAD,
        'OperationalStore datastore type is not supported for datasource type AzureDatabaseForPostgreSQL. Supported datastore types are VaultStore,ArchiveStore',
      ],
      [{ backupInstanceId: '/x', secretStoreUri: undefined }, EXCLUSIVE, 'Please provide either target-resource-id or backup-instance-id, not both.'],
      [
        { targetResourceId: undefined, secretStoreUri: undefined }, EXCLUSIVE,
        'Please provide either target-resource-id (for alternate location restore) or backup-instance-id (for original location restore).',
      ],
      [{ targetResourceId: 'db', secretStoreUri: undefined }, BAD, 'db is not a valid resource id'],
      [{ secretStoreUri: undefined }, MISSING, 'Either secret store uri or secret store type not provided.'],
    ];
    for (const [change, code, message] of steps) await rejectsDp(() => initializeForDataRecovery({ ...rpArgs, ...change }, PG), code, message);
  });

  it('restores to the original location through the instance\'s datasource, looked up only after the earlier checks', async () => {
    const biId = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.DataProtection/backupVaults/v/backupInstances/bi';
    const asked: string[] = [];
    const lookup = async (id: string) => (asked.push(id), DB_ID);
    const request = await initializeForDataRecovery({ ...rpArgs, targetResourceId: undefined, backupInstanceId: biId }, PG, lookup);
    assert.deepEqual(asked, [biId]);
    assert.deepEqual((request.restore_target_info as Record<string, unknown>).datasource_info, { ...DB_INFO });
    await rejectsDp(() => initializeForDataRecovery({ ...rpArgs, targetResourceId: undefined, backupInstanceId: biId, sourceDatastore: 'OperationalStore' }, PG, lookup), BAD,
      'OperationalStore datastore type is not supported for datasource type AzureDatabaseForPostgreSQL. Supported datastore types are VaultStore,ArchiveStore');
    assert.equal(asked.length, 1);
  });

  it('leaves out set info and credentials for a flexible server', async () => {
    const id = `${SUB}/flexibleServers/target`;
    const request = await initializeForDataRecovery({ ...rpArgs, targetResourceId: id, secretStoreUri: undefined }, FLEX);
    assert.deepEqual(Object.keys(request.restore_target_info as object), ['object_type', 'restore_location', 'recovery_option', 'datasource_info']);
  });
});

describe('initializeForDataRecoveryAsFiles', () => {
  const filesArgs = {
    sourceDatastore: 'VaultStore', restoreLocation: 'centraluseuap', recoveryPointId: 'fe57', targetBlobContainerUrl: '/srv/restores',
    targetFileName: 'postgres_restore_27062023_151258',
  };
  it('builds az\'s restore-as-files request, passing the directory through as the url', () => {
    assert.deepEqual(initializeForDataRecoveryAsFiles(filesArgs, PG), {
      object_type: 'AzureBackupRecoveryPointBasedRestoreRequest',
      recovery_point_id: 'fe57',
      source_data_store_type: 'VaultStore',
      restore_target_info: {
        object_type: 'RestoreFilesTargetInfo', restore_location: 'centraluseuap', recovery_option: 'FailIfExists',
        target_details: { url: '/srv/restores', file_prefix: 'postgres_restore_27062023_151258', restore_target_location_type: 'AzureBlobs' },
      },
    });
    const withTarget = initializeForDataRecoveryAsFiles({ ...filesArgs, targetBlobContainerUrl: 'file:///srv/r', targetResourceId: '/c' }, FLEX);
    assert.deepEqual((withTarget.restore_target_info as Record<string, unknown>).target_details, {
      url: 'file:///srv/r', file_prefix: 'postgres_restore_27062023_151258', restore_target_location_type: 'AzureBlobs', target_resource_arm_id: '/c',
    });
  });
  it('refuses a datasource type without RestoreAsFiles before any other check, then checks 1-4 in order', async () => {
    const noFiles: DatasourceManifest = { ...PG, allowedRestoreTargetTypes: ['AlternateLocation'] };
    await rejectsDp(() => initializeForDataRecoveryAsFiles({ ...filesArgs, recoveryPointId: undefined }, noFiles), BAD,
      "Specified DatasourceType AzureDatabaseForPostgreSQL doesn't support Recovery as Files");
    await rejectsDp(() => initializeForDataRecoveryAsFiles({ ...filesArgs, recoveryPointId: undefined }, PG), MISSING, 'Please provide either recovery point id or point in time parameter.');
    await rejectsDp(() => initializeForDataRecoveryAsFiles({ ...filesArgs, rehydrationPriority: 'Standard', rehydrationDuration: 40 }, PG), BAD,
      'The allowed range of rehydration duration is 10 to 30 days.');
    await rejectsDp(() => initializeForDataRecoveryAsFiles({ ...filesArgs, sourceDatastore: 'OperationalStore' }, FLEX), BAD,
      'OperationalStore datastore type is not supported for datasource type AzureDatabaseForPostgreSQLFlexibleServer. Supported datastore types are VaultStore,ArchiveStore');
  });
});

describe('date-time arguments', () => {
  it('accepts the formats az\'s recovery point tests use and writes az\'s wire form', () => {
    for (const s of ['2023-06-16T01:00:00', '2023-06-16T01:00:00.00Z', '2023-06-16T01:00:00.000Z', '2023-06-16T01:00:00.0000000Z', '2023-06-16 01:00:00']) {
      assert.equal(azDateTime(s), '2023-06-16T01:00:00.0000000Z', s);
    }
    assert.equal(azDateTime('2023-06-16'), '2023-06-16T00:00:00.0000000Z');
    assert.equal(azDateTime('2024-02-29T23:59:59.123456789+05:30'), '2024-02-29T23:59:59.1234560Z');
  });
  it('rejects impossible dates and times', () => {
    for (const s of ['0000-13-32T01:00:00', '2023-12-31T25:60:00', '2023-02-29', '2023-06-16T01:60:00', 'yesterday', '']) assert.equal(azDateTime(s), undefined, s);
  });
  it('fails with each command\'s message: a usage error for --point-in-time, an argument error for --start-time', async () => {
    await rejectsDp(() => pointInTimeArgument('2023-12-31T25:60:00'), 'UsageError', "Input '2023-12-31T25:60:00' not valid. Valid example:2017-12-31T05:30:00");
    await rejectsDp(() => recoveryPointTimeArgument('0000-13-32T01:00:00'), BAD, "Input '0000-13-32T01:00:00' not valid datetime. Valid example: 2017-12-31T05:30:00");
    assert.equal(pointInTimeArgument('2017-12-31T05:30:00'), '2017-12-31T05:30:00.0000000Z');
  });
});
