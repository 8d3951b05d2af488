// The whole seed document against real PostgreSQL clusters, through the built CLI: vault, policy,
// key vault, backup instance, on-demand backup, jobs; then a restore to a new database on a second
// cluster, compared table by table with the source; a restore as files; and the vault rebuilt from
// its storage alone. DPVAULT_TEST_STORAGE selects the storage (support/object-stores.ts); the
// seed-on-*.test.ts files run this same file on s3rver and Azurite.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { shopSql } from '../support/pg-fixtures.ts';
import { newInstallationOver, startTestService, type TestService } from '../support/service.ts';
import { shellSession } from '../support/shell.ts';
import { scratchDir } from '../support/scratch.ts';

let svc: TestService;
let source: PgCluster;
let target: PgCluster;
let cwd: string;
let sub: string;
const { sh, ok, waitJob } = shellSession(() => ({ cwd, endpoint: svc.url }));

before(async () => {
  [source, target] = await Promise.all([startCluster(), startCluster()]);
  await source.createDatabase('empdb11', shopSql(300));
  await source.createRole('backupadmin', 'b4ckup-secret', { login: true, superuser: true });
  await target.createRole('restoreadmin', 'r3store-secret', { login: true, createdb: true, superuser: true });
  svc = await startTestService({ restoreFilesRoots: [tmpdir()] });
  cwd = scratchDir('dpvault-e2e-');
  sub = (await ok('dpvault account show')).id;
});
after(async () => {
  await svc?.close();
  await source?.stop();
  await target?.stop();
});

describe('the seed, end to end', () => {
  let instanceName: string;
  let jobId: string;

  it('sets up the vault, the policy, the servers and the key vault', async () => {
    await ok('dpvault group create -n testBkpVaultRG -l westus');
    await ok('dpvault group create -n ossrg -l westus');
    await ok('dpvault dataprotection backup-vault create -g testBkpVaultRG --vault-name TestBkpVault -l westus --type SystemAssigned --storage-settings datastore-type="VaultStore" type="LocallyRedundant"');
    await ok('dpvault dataprotection backup-policy get-default-policy-template --datasource-type AzureDatabaseForPostgreSQL > OSSPolicy.json');
    await ok('dpvault dataprotection backup-policy trigger set --policy ./OSSPolicy.json  --schedule R/2021-08-15T22:00:00+00:00/P1W R/2021-08-18T22:00:00+00:00/P1W R/2021-08-20T22:00:00+00:00/P1W > EditedOSSPolicy.json');
    await ok('dpvault dataprotection backup-policy retention-rule create-lifecycle --retention-duration-count 6 --retention-duration-type Months --source-datastore VaultStore --target-datastore ArchiveStore --copy-option CopyOnExpiryOption > VaultToArchiveLifeCycle.JSON');
    await ok('dpvault dataprotection backup-policy retention-rule create-lifecycle --retention-duration-count 24 --retention-duration-type Months --source-datastore ArchiveStore > OnArchiveLifeCycle.JSON');
    await ok('dpvault dataprotection backup-policy retention-rule set --lifecycles ./VaultToArchiveLifeCycle.JSON ./OnArchiveLifeCycle.JSON --name Monthly --policy ./EditedOSSPolicy.JSON > AddedRetentionRulePolicy.JSON');
    await ok('dpvault dataprotection backup-policy tag create-absolute-criteria --absolute-criteria FirstOfMonth > tagCriteria.JSON');
    await ok('dpvault dataprotection backup-policy tag set --criteria ./tagCriteria.JSON --name Monthly --policy ./AddedRetentionRulePolicy.JSON > AddedRetentionRuleAndTag.JSON');
    await ok('dpvault dataprotection backup-policy create --backup-policy-name FinalOSSPolicy --policy AddedRetentionRuleAndTag.JSON --resource-group testBkpVaultRG --vault-name TestBkpVault');

    await ok(`dpvault postgres server create -g ossrg -n archive-postgresql-ccy --host 127.0.0.1 --port ${source.port}`);
    await ok(`dpvault postgres server create -g ossrg -n restore-target --host 127.0.0.1 --port ${target.port}`);
    await ok('dpvault keyvault create -g ossrg -n testkeyvaulteus -l westus');
    await ok(`dpvault keyvault secret set --vault-name testkeyvaulteus -n ossdbkey --value "Server=127.0.0.1;Database=empdb11;Port=${source.port};User Id=backupadmin;Password=b4ckup-secret;Ssl Mode=Disable;" -o none`);
    await ok(`dpvault keyvault secret set --vault-name testkeyvaulteus -n targetkey --value "postgres://restoreadmin:r3store-secret@127.0.0.1:${target.port}/postgres?sslmode=disable" -o none`);
    const principal = (await sh('dpvault backup-vault show -g testBkpVaultRG -v TestBkpVault --query identity.principalId -o tsv')).stdout.trim();
    await ok(`dpvault keyvault set-policy -n testkeyvaulteus --object-id ${principal} --secret-permissions get list -o none`);
  });

  it('configures protection as the seed does', async () => {
    const policyId = (await sh('dpvault backup-policy show -g testBkpVaultRG -v TestBkpVault -n FinalOSSPolicy --query id -o tsv')).stdout.trim();
    const script = [
      `ossId="/subscriptions/${sub}/resourcegroups/ossrg/providers/Microsoft.DBforPostgreSQL/servers/archive-postgresql-ccy/databases/empdb11"`,
      'keyURI="https://testkeyvaulteus.vault.azure.net/secrets/ossdbkey"',
      `dpvault dataprotection backup-instance initialize --datasource-id $ossId --datasource-type AzureDatabaseForPostgreSQL -l westus --policy-id ${policyId}  --secret-store-type AzureKeyVault --secret-store-uri $keyURI > OSSBkpInstance.JSON`,
    ].join('\n');
    await ok(script);
    const bi = JSON.parse(readFileSync(join(cwd, 'OSSBkpInstance.JSON'), 'utf8'));
    assert.match(bi.backup_instance_name, /^archive-postgresql-ccy-empdb11-[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-/);
    // As az's own tests do, give the instance the name the seed's adhoc-backup uses.
    bi.backup_instance_name = 'ossrg-empdb11';
    writeFileSync(join(cwd, 'OSSBkpInstance.JSON'), JSON.stringify(bi));
    const stray = await sh('dpvault dataprotection backup-instance create --resource-group testBkpVaultRG --vault-name TestBkpVault TestBkpvault --backup-instance ./OSSBkpInstance.JSON');
    assert.equal(stray.code, 2);
    assert.match(stray.stderr, /unrecognized arguments: TestBkpvault/);
    const created = await ok('dpvault dataprotection backup-instance create --resource-group testBkpVaultRG --vault-name TestBkpVault --backup-instance ./OSSBkpInstance.JSON');
    instanceName = created.name;
    assert.equal(instanceName, 'ossrg-empdb11');
    assert.equal(created.properties.currentProtectionState, 'ProtectionConfigured');
    assert.equal(created.properties.datasourceAuthCredentials.secretStoreResource.value, null);
    const again = await sh('dpvault dataprotection backup-instance create --resource-group testBkpVaultRG --vault-name TestBkpVault --backup-instance ./OSSBkpInstance.JSON');
    assert.equal(again.code, 1);
  });

  it('runs the on-demand backup and tracks the job', async () => {
    const res = await ok('dpvault dataprotection backup-instance adhoc-backup --name "ossrg-empdb11" --rule-name "Monthly" --resource-group testBkpVaultRG --vault-name TestBkpVault');
    assert.equal(res.objectType, 'OperationJobExtendedInfo');
    jobId = res.jobId;
    const job = await waitJob(jobId);
    assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
    assert.equal(job.properties.operationCategory, 'Backup');
    assert.equal(job.properties.isUserTriggered, true);
    assert.ok(job.properties.extendedInfo.dataTransferredInBytes > 0);
    const rows = await ok('dpvault job list-from-resourcegraph --datasource-type AzureDatabaseForPostgreSQL --status Completed');
    assert.ok(rows.some((r: any) => r.id === jobId && r.operation === 'OnDemandBackup'));
    const rps = await ok(`dpvault dataprotection recovery-point list --backup-instance-name ${instanceName} -g testBkpVaultRG -v TestBkpVault`);
    assert.equal(rps.length, 1);
    assert.equal(rps[0].properties.retentionTagName, 'Monthly');
    assert.equal(rps[0].properties.recoveryPointDataStoresDetails[0].type, 'VaultStore');
    assert.ok(rps[0].properties.recoveryPointDataStoresDetails[0].expiryTime);
  });

  it('restores to a new database on a second cluster with every row', async () => {
    const rp = (await sh(`dpvault recovery-point list --backup-instance-name ${instanceName} -g testBkpVaultRG -v TestBkpVault --query "[0].name" -o tsv`)).stdout.trim();
    const targetId = `/subscriptions/${sub}/resourceGroups/ossrg/providers/Microsoft.DBforPostgreSQL/servers/restore-target/databases/empdb11_restored`;
    await ok(`dpvault dataprotection backup-instance restore initialize-for-data-recovery --datasource-type AzureDatabaseForPostgreSQL --restore-location westus --source-datastore VaultStore --recovery-point-id ${rp} --target-resource-id ${targetId} --secret-store-type AzureKeyVault --secret-store-uri https://testkeyvaulteus.vault.azure.net/secrets/targetkey > OSSRestoreReq.JSON`);
    await ok(`dpvault dataprotection backup-instance validate-for-restore -g testBkpVaultRG --vault-name TestBkpVault --backup-instance-name ${instanceName} --restore-request-object ./OSSRestoreReq.JSON`);
    const trig = await ok(`dpvault dataprotection backup-instance restore trigger -g testBkpVaultRG --vault-name TestBkpVault --backup-instance-name ${instanceName} --restore-request-object ./OSSRestoreReq.JSON`);
    const job = await waitJob(trig.jobId);
    assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
    assert.equal(job.properties.extendedInfo.recoveryDestination, targetId);
    assert.deepEqual(await source.compareDatabases('empdb11', 'empdb11_restored', target), []);
    // A second restore to the same name is refused: a restore never overwrites.
    const again = await sh(`dpvault backup-instance restore trigger -g testBkpVaultRG --vault-name TestBkpVault --backup-instance-name ${instanceName} --restore-request-object ./OSSRestoreReq.JSON`);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /UserErrorDatabaseNameAlreadyInUse/);
  });

  it('restores as files, ready for pg_restore', async () => {
    const rp = (await sh(`dpvault recovery-point list --backup-instance-name ${instanceName} -g testBkpVaultRG -v TestBkpVault --query "[0].name" -o tsv`)).stdout.trim();
    const dir = scratchDir('dpvault-files-');
    await ok(`dpvault backup-instance restore initialize-for-data-recovery-as-files --datasource-type AzureDatabaseForPostgreSQL --restore-location westus --source-datastore VaultStore --recovery-point-id ${rp} --target-blob-container-url file://${dir} --target-file-name empdb11_files > FilesReq.JSON`);
    const trig = await ok(`dpvault backup-instance restore trigger -g testBkpVaultRG --vault-name TestBkpVault --backup-instance-name ${instanceName} --restore-request-object ./FilesReq.JSON`);
    const job = await waitJob(trig.jobId);
    assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
    const dump = readFileSync(join(dir, 'empdb11_files.dump'));
    assert.equal(dump.subarray(0, 5).toString(), 'PGDMP');
    const sum = readFileSync(join(dir, 'empdb11_files.dump.sha256'), 'utf8');
    const { createHash } = await import('node:crypto');
    assert.equal(sum.split(' ')[0], createHash('sha256').update(dump).digest('hex'));
  });

  it('rebuilds the vault from its storage and the master key alone (vault recover)', async () => {
    // A new installation: an empty catalog and the old master key, over the old backup data (a copy
    // of the data directory's, or the same bucket or container).
    const fresh = newInstallationOver(svc);
    await svc.close();
    svc = await startTestService({ ...fresh, restoreFilesRoots: [tmpdir()] });
    sub = (await ok('dpvault account show')).id;
    await ok('dpvault group create -n testBkpVaultRG -l westus');
    await ok('dpvault group create -n ossrg -l westus');
    await ok('dpvault backup-vault create -g testBkpVaultRG --vault-name TestBkpVault -l westus --type SystemAssigned --storage-settings datastore-type=VaultStore type=LocallyRedundant');
    const report = await ok('dpvault vault recover -g testBkpVaultRG -v TestBkpVault');
    assert.equal(report.recoveryPointsRecovered, 1);
    assert.deepEqual(report.instancesRecreated, [instanceName]);
    const shown = await ok(`dpvault backup-instance show -g testBkpVaultRG -v TestBkpVault -n ${instanceName}`);
    assert.equal(shown.properties.currentProtectionState, 'ProtectionStopped');
    const again = await ok('dpvault vault recover -g testBkpVaultRG -v TestBkpVault');
    assert.equal(again.recoveryPointsRecovered, 0);
    assert.equal(again.recoveryPointsAlreadyKnown, 1);

    await ok(`dpvault postgres server create -g ossrg -n restore-target --host 127.0.0.1 --port ${target.port}`);
    await ok('dpvault keyvault create -g ossrg -n testkeyvaulteus -l westus');
    await ok(`dpvault keyvault secret set --vault-name testkeyvaulteus -n targetkey --value "postgres://restoreadmin:r3store-secret@127.0.0.1:${target.port}/postgres?sslmode=disable" -o none`);
    const principal = (await sh('dpvault backup-vault show -g testBkpVaultRG -v TestBkpVault --query identity.principalId -o tsv')).stdout.trim();
    await ok(`dpvault keyvault set-policy -n testkeyvaulteus --object-id ${principal} --secret-permissions get list -o none`);
    const rp = (await sh(`dpvault recovery-point list --backup-instance-name ${instanceName} -g testBkpVaultRG -v TestBkpVault --query "[0].name" -o tsv`)).stdout.trim();
    const targetId = `/subscriptions/${sub}/resourceGroups/ossrg/providers/Microsoft.DBforPostgreSQL/servers/restore-target/databases/empdb11_recovered`;
    await ok(`dpvault backup-instance restore initialize-for-data-recovery --datasource-type AzureDatabaseForPostgreSQL --restore-location westus --source-datastore VaultStore --recovery-point-id ${rp} --target-resource-id ${targetId} --secret-store-type AzureKeyVault --secret-store-uri https://testkeyvaulteus.vault.azure.net/secrets/targetkey > RecoveredReq.JSON`);
    const trig = await ok(`dpvault backup-instance restore trigger -g testBkpVaultRG --vault-name TestBkpVault --backup-instance-name ${instanceName} --restore-request-object ./RecoveredReq.JSON`);
    const job = await waitJob(trig.jobId);
    assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
    assert.deepEqual(await source.compareDatabases('empdb11', 'empdb11_recovered', target), []);
  });
});
