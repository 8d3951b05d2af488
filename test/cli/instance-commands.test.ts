// Argument handling of the backup-instance, restore, recovery-point and job commands that needs no
// server: the CLI runs in-process against an endpoint where nothing listens, so any command that
// reached for the service would fail with ServiceUnreachable instead of the outcome asserted here.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { main } from '../../src/cli/main.ts';
import { jobOperation } from '../../src/cli/commands/job/list-from-resourcegraph.ts';
import { recoveryPointFilter } from '../../src/cli/commands/recovery-point/index.ts';

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string; json: any }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: { DPVAULT_ENDPOINT: 'http://127.0.0.1:9' },
    isTty: false,
  });
  return { code, stdout, stderr, json: stdout ? JSON.parse(stdout) : undefined };
}

const dir = mkdtempSync(join(tmpdir(), 'dpvault-instance-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// The seed's variables.
const ossId = '/subscriptions/xxxxxxxx-xxxx-xxxx-xxxx/resourcegroups/ossrg/providers/Microsoft.DBforPostgreSQL/servers/archive-postgresql-ccy/databases/empdb11';
const keyURI = 'https://testkeyvaulteus.vault.azure.net/secrets/ossdbkey';
const policyId = '/subscriptions/s/resourceGroups/testBkpVaultRG/providers/Microsoft.DataProtection/backupVaults/TestBkpVault/backupPolicies/FinalOSSPolicy';
const init = ['dataprotection', 'backup-instance', 'initialize', '--datasource-id', ossId, '--datasource-type', 'AzureDatabaseForPostgreSQL', '-l', 'westus',
  '--policy-id', policyId];
const secret = ['--secret-store-type', 'AzureKeyVault', '--secret-store-uri', keyURI];

describe('backup-instance initialize', () => {
  it('runs the seed\'s command offline and prints az\'s snake_case request with a <server>-<db>-<uuid1> name', async () => {
    const r = await run(...init, ...secret);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.json.backup_instance_name, /^archive-postgresql-ccy-empdb11-[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(r.json.properties.friendly_name, 'archive-postgresql-ccy/empdb11');
    assert.equal(r.json.properties.data_source_set_info.resource_id, ossId.split('/').slice(0, -2).join('/'));
    assert.deepEqual(r.json.properties.datasource_auth_credentials, {
      object_type: 'SecretStoreBasedAuthCredentials',
      secret_store_resource: { secret_store_type: 'AzureKeyVault', uri: keyURI, value: null },
    });
    assert.deepEqual(Object.keys(r.json), ['backup_instance_name', 'properties', 'tags']);
    const second = await run(...init, ...secret);
    assert.notEqual(second.json.backup_instance_name, r.json.backup_instance_name);
  });

  it('normalises enum casing and warns on stderr as az does (silenced by --only-show-errors)', async () => {
    const r = await run(...init.map((w) => (w === 'AzureDatabaseForPostgreSQL' ? 'azuredatabaseforpostgresql' : w)), '--secret-store-type', 'azurekeyvault',
      '--secret-store-uri', keyURI, '--friendly-name', 'x');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.properties.datasource_auth_credentials.secret_store_resource.secret_store_type, 'AzureKeyVault');
    assert.equal(r.stderr, 'WARNING: --friendly-name is not a required parameter for the given DatasourceType, and the user input will be overridden\n');
    const quiet = await run(...init, '--friendly-name', 'x', '--only-show-errors');
    assert.equal(quiet.stderr, '');
  });

  it('fails with az\'s messages and exit codes', async () => {
    const half = await run(...init, '--secret-store-uri', keyURI);
    assert.equal(half.code, 1);
    assert.equal(half.stderr, 'ERROR: (RequiredArgumentMissingError) Either secret store uri or secret store type not provided.\n');
    const noPolicy = await run(...init.slice(0, -2));
    assert.equal(noPolicy.code, 2);
    assert.match(noPolicy.stderr, /the following arguments are required: --policy-id/);
    const disk = await run(...init.map((w) => (w === 'AzureDatabaseForPostgreSQL' ? 'AzureDisk' : w)));
    assert.equal(disk.code, 1);
    assert.match(disk.stderr, /Datasource type AzureDisk is not supported by dpvault/);
  });
});

describe('backup-instance create / validate-for-backup', () => {
  it('rejects the seed\'s stray positional value by name', async () => {
    const file = join(dir, 'OSSBkpInstance.JSON');
    writeFileSync(file, (await run(...init, ...secret)).stdout);
    const r = await run('backup-instance', 'create', '--resource-group', 'testBkpVaultRG', '--vault-name', 'TestBkpVault', 'TestBkpvault', '--backup-instance', file);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^ERROR: \(UnrecognizedArgumentError\) unrecognized arguments: TestBkpvault\n/);
    assert.equal(r.stdout, '');
  });

  it('says what is wrong with a request that is not initialize\'s output, before calling the service', async () => {
    const unnamed = await run('backup-instance', 'create', '-g', 'rg', '-v', 'v', '--backup-instance', '{"properties": {}}');
    assert.equal(unnamed.code, 1);
    assert.match(unnamed.stderr, /has no 'backup_instance_name'/);
    const bare = await run('backup-instance', 'validate-for-backup', '-g', 'rg', '-v', 'v', '--backup-instance', '{"data_source_info": {}}');
    assert.equal(bare.code, 1);
    assert.match(bare.stderr, /with its 'properties'/);
    const notJson = await run('backup-instance', 'create', '-g', 'rg', '-v', 'v', '--backup-instance', '{nope');
    assert.equal(notJson.code, 2);
  });
});

describe('restore initialize-*', () => {
  const files = ['backup-instance', 'restore', 'initialize-for-data-recovery-as-files', '--datasource-type', 'AzureDatabaseForPostgreSQL',
    '--restore-location', 'westus', '--source-datastore', 'vaultstore', '--target-file-name', 'empdb11_restore'];

  it('builds the as-files request with a directory as the target url', async () => {
    const r = await run(...files, '--target-blob-container-url', join(dir, 'restores'), '--recovery-point-id', 'fe57bba53e064636b8bfa2555c561f9d');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.json.restore_target_info.target_details, {
      file_prefix: 'empdb11_restore', restore_target_location_type: 'AzureBlobs', url: join(dir, 'restores'),
    });
    assert.equal(r.json.source_data_store_type, 'VaultStore');
  });

  it('checks --point-in-time as an argument type (exit 2) before the restore-mode check (exit 1)', async () => {
    const bad = await run(...files, '--target-blob-container-url', 'file:///srv', '--point-in-time', '2023-12-31T25:60:00');
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, "ERROR: (UsageError) Input '2023-12-31T25:60:00' not valid. Valid example:2017-12-31T05:30:00\n");
    const mode = await run(...files, '--target-blob-container-url', 'file:///srv', '--point-in-time', '2023-12-31T05:30:00');
    assert.equal(mode.code, 1);
    assert.match(mode.stderr, /PointInTimeBased restore mode is not supported for datasource type AzureDatabaseForPostgreSQL/);
  });

  it('builds a database restore with rehydration and rejects --rehydration-duration that is not an int', async () => {
    const db = ['backup-instance', 'restore', 'initialize-for-data-recovery', '--datasource-type', 'AzureDatabaseForPostgreSQL', '--restore-location', 'westus',
      '--source-datastore', 'ArchiveStore', '--recovery-point-id', 'rp1', '--target-resource-id', `${ossId}_restore`, ...secret, '--rehydration-priority', 'standard'];
    const r = await run(...db, '--rehydration-duration', '12');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.object_type, 'AzureBackupRestoreWithRehydrationRequest');
    assert.equal(r.json.rehydration_retention_duration, 'P12D');
    assert.equal(r.json.restore_target_info.datasource_info.resource_name, 'empdb11_restore');
    const notInt = await run(...db, '--rehydration-duration', 'twelve');
    assert.equal(notInt.code, 2);
    assert.match(notInt.stderr, /invalid int value: 'twelve'/);
  });

  it('restore trigger reads the request from a file path and only then goes to the service', async () => {
    const r = await run(...files, '--target-blob-container-url', 'file:///srv', '--recovery-point-id', 'rp1');
    const file = join(dir, 'restore.json');
    writeFileSync(file, r.stdout);
    const trigger = ['backup-instance', 'restore', 'trigger', '-g', 'rg', '-v', 'v', '-n', 'bi', '--restore-request-object'];
    const sent = await run(...trigger, file);
    assert.equal(sent.code, 1);
    assert.match(sent.stderr, /^ERROR: \(ServiceUnreachable\)/);
    const absent = await run(...trigger, join(dir, 'nope.json'));
    assert.equal(absent.code, 2);
    assert.match(absent.stderr, /does not exist/);
    const arr = await run(...trigger, '[1]');
    assert.equal(arr.code, 1);
    assert.match(arr.stderr, /--restore-request-object must be the JSON object/);
  });
});

describe('show, wait, job and recovery point arguments', () => {
  it('asks for --ids or the names, and not both', async () => {
    const none = await run('job', 'show', '-g', 'rg');
    assert.equal(none.code, 2);
    assert.match(none.stderr, /required: --job-id, --vault-name\/-v \(or give --ids\)/);
    const both = await run('backup-instance', 'show', '--ids', '/subscriptions/s/resourceGroups/rg/providers/Microsoft.DataProtection/backupVaults/v/backupInstances/b', '-g', 'rg');
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--ids cannot be combined/);
    const wrong = await run('job', 'show', '--ids', '/subscriptions/s/resourceGroups/rg/providers/Microsoft.DataProtection/backupVaults/v/backupInstances/b');
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /is not a valid id; expected .*\/backupJobs\/\{name\}/);
  });

  it('requires a wait condition and the adhoc-backup rule name', async () => {
    const wait = await run('backup-instance', 'wait', '-g', 'rg', '-v', 'v', '-n', 'bi');
    assert.equal(wait.code, 2);
    assert.match(wait.stderr, /--created, --updated, --deleted, --exists, --custom/);
    const adhoc = await run('backup-instance', 'adhoc-backup', '--name', 'ossrg-empdb11', '--resource-group', 'testBkpVaultRG', '--vault-name', 'TestBkpVault');
    assert.equal(adhoc.code, 2);
    assert.match(adhoc.stderr, /required: --rule-name/);
  });

  it('checks recovery point times before calling the service, with az\'s message', async () => {
    const r = await run('recovery-point', 'list', '--backup-instance-name', 'bi', '-g', 'rg', '-v', 'v', '--start-time', '2023-12-31T25:60:00');
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "ERROR: (InvalidArgumentValueError) Input '2023-12-31T25:60:00' not valid datetime. Valid example: 2017-12-31T05:30:00\n");
    assert.equal(recoveryPointFilter(undefined, undefined), '');
    assert.equal(recoveryPointFilter('2023-06-16T00:00:00.0000000Z', undefined), "startDate eq '2023-06-16T00:00:00.0000000Z'");
    assert.equal(recoveryPointFilter(undefined, 'e'), "endDate eq 'e'");
    assert.equal(recoveryPointFilter('s', 'e'), "startDate eq 's' and endDate eq 'e'");
  });

  it('validates job list-from-resourcegraph enums and times before listing', async () => {
    const op = await run('job', 'list-from-resourcegraph', '--datasource-type', 'AzureDatabaseForPostgreSQL', '--status', 'Completed', '--operation', 'Backup');
    assert.equal(op.code, 2);
    assert.match(op.stderr, /invalid choice: 'Backup' \(choose from 'OnDemandBackup', 'ScheduledBackup', 'Restore'\)/);
    const time = await run('job', 'list-from-resourcegraph', '--status', 'completed', '--start-time', 'soon');
    assert.equal(time.code, 1);
    assert.match(time.stderr, /--start-time: Input 'soon' not valid/);
  });

  it('derives the job operation as az\'s Resource Graph query does', () => {
    assert.equal(jobOperation({ operationCategory: 'Backup', isUserTriggered: true }), 'OnDemandBackup');
    assert.equal(jobOperation({ operationCategory: 'Backup', isUserTriggered: false }), 'ScheduledBackup');
    assert.equal(jobOperation({ operationCategory: 'Restore', isUserTriggered: true }), 'Restore');
    assert.equal(jobOperation({ operationCategory: 'Backup', isUserTriggered: null }), 'Backup');
  });
});
