// Backups that say what they did, through the CLI against a real cluster: validation names the host
// and port it used and where each came from, a secret that contradicts the registered server is
// refused or warned about, a datasource id in another subscription says which one is this
// service's, a backup's progress ends at 100%, a failed backup shows on its backup instance until
// the next one completes, and the server log has a line per job start and end, never a password.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { shopSql } from '../support/pg-fixtures.ts';
import { startTestService, type TestService } from '../support/service.ts';
import { shellSession } from '../support/shell.ts';
import { scratchDir } from '../support/scratch.ts';
import { createProtectionResources } from '../support/protection-resources.ts';

const PASSWORD = 'Rep0rt-s3cret-pw';
const WRONG = 'not-the-rep0rt-pw';
let svc: TestService;
let pgc: PgCluster;
let cwd: string;
let sub: string;
let policyId: string;
const logLines: string[] = [];
const { sh, ok, waitJob } = shellSession(() => ({ cwd, endpoint: svc.url }));
const secretUri = (name: string) => `https://kvreport.vault.azure.net/secrets/${name}`;
const dbId = (db: string, subscription = sub) =>
  `/subscriptions/${subscription}/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/servers/pgsrv/databases/${db}`;

/** The request file `backup-instance initialize` writes, named `name`. */
async function initialize(name: string, datasourceId: string, secret: string): Promise<string> {
  const file = `${name}.json`;
  await ok(`dpvault backup-instance initialize --datasource-id ${datasourceId} --datasource-type AzureDatabaseForPostgreSQL -l westus --policy-id ${policyId} --secret-store-type AzureKeyVault --secret-store-uri ${secretUri(secret)} > ${file}`);
  const request = JSON.parse(readFileSync(join(cwd, file), 'utf8'));
  writeFileSync(join(cwd, file), JSON.stringify({ ...request, backup_instance_name: name }));
  return file;
}
const validate = async (file: string) => sh(`dpvault backup-instance validate-for-backup -g rg -v vault --backup-instance ${file}`);
const setSecret = (name: string, value: string) => ok(`dpvault keyvault secret set --vault-name kvreport -n ${name} --value '${value}' -o none`);
const noSecretIn = (text: string) => assert.ok(!text.includes(PASSWORD) && !text.includes(WRONG), 'a password leaked');

before(async () => {
  pgc = await startCluster();
  await pgc.createDatabase('appdb', shopSql(200));
  await pgc.createRole('backupuser', PASSWORD, { login: true, superuser: true });
  svc = await startTestService({ log: (line) => logLines.push(line) });
  cwd = scratchDir('dpvault-report-');
  ({ sub, policyId } = await createProtectionResources(ok, pgc.port, 'kvreport'));
  const principal = (await sh('dpvault backup-vault show -g rg -v vault --query identity.principalId -o tsv')).stdout.trim();
  await ok(`dpvault keyvault set-policy -n kvreport --object-id ${principal} --secret-permissions get list -o none`);
  const ado = (server: string, port: number | null, password = PASSWORD) =>
    `Server=${server};Database=appdb;${port === null ? '' : `Port=${port};`}User Id=backupuser;Password=${password};Ssl Mode=Disable;`;
  await setSecret('good', ado('127.0.0.1', pgc.port));
  await setSecret('noport', ado('127.0.0.1', null));
  await setSecret('otherport', ado('127.0.0.1', pgc.port + 1));
  await setSecret('azurehost', ado('pgsrv.postgres.database.azure.com', 5432));
  await setSecret('urlform', `postgres://backupuser:${PASSWORD}@127.0.0.1/appdb?sslmode=disable`);
});
after(async () => {
  await svc?.close();
  await pgc?.stop();
});

describe('validation says how it reached the database', () => {
  it('names the host, port, database and user it used and where each came from', async () => {
    const r = await validate(await initialize('good', dbId('appdb'), 'good'));
    assert.equal(r.code, 0, r.stderr);
    const c = JSON.parse(r.stdout).datasourceConnection;
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, pgc.port);
    assert.match(c.hostSource, /registered PostgreSQL server .*\/servers\/pgsrv$/);
    assert.match(c.portSource, /registered PostgreSQL server .*\/servers\/pgsrv \(the secret agrees\)$/);
    assert.equal(c.database, 'appdb');
    assert.equal(c.user, 'backupuser');
    assert.equal(c.userSource, `the key vault secret ${secretUri('good')}`);
    assert.deepEqual(JSON.parse(r.stdout).warnings, []);
    assert.equal(r.stderr, '');
    noSecretIn(r.stdout);
  });

  for (const secret of ['noport', 'urlform']) {
    it(`a secret without a port (${secret}) takes the registered server's, and says so`, async () => {
      const r = await validate(await initialize(secret, dbId('appdb'), secret));
      assert.equal(r.code, 0, r.stderr);
      const c = JSON.parse(r.stdout).datasourceConnection;
      assert.equal(c.port, pgc.port);
      assert.match(c.portSource, /registered PostgreSQL server .*\/servers\/pgsrv$/);
    });
  }

  it('refuses a secret whose port contradicts the registered server, naming both', async () => {
    const r = await sh(`dpvault backup-instance create -g rg -v vault --backup-instance ${await initialize('otherport', dbId('appdb'), 'otherport')}`);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /ERROR: \(UserErrorConnectionStringConflict\)/);
    assert.ok(r.stderr.includes(`Port=${pgc.port + 1}`), r.stderr);
    assert.ok(r.stderr.includes(`registered at 127.0.0.1:${pgc.port}`), r.stderr);
    assert.ok(r.stderr.includes(secretUri('otherport')), r.stderr);
    noSecretIn(r.stderr);
    assert.deepEqual(await ok('dpvault backup-instance list -g rg -v vault --query "[].name"'), []);
  });

  it('warns when the secret names another host, and connects to the registered one', async () => {
    const r = await validate(await initialize('azurehost', dbId('appdb'), 'azurehost'));
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.datasourceConnection.host, '127.0.0.1');
    assert.equal(result.warnings.length, 1);
    assert.match(r.stderr, /^WARNING: The key vault secret .*azurehost names the server pgsrv\.postgres\.database\.azure\.com:5432; dpvault connects to 127\.0\.0\.1:\d+/m);
    noSecretIn(r.stdout + r.stderr);
  });

  it("a datasource id in another subscription says it is not this service's, and names this one", async () => {
    const placeholder = 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx';
    const r = await validate(await initialize('placeholder', dbId('appdb', placeholder), 'good'));
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /ERROR: \(UserErrorSubscriptionMismatch\)/);
    assert.match(r.stderr, new RegExp(`subscription '${placeholder}', which is not this dpvault service's: its subscription is '${sub}'`));
    assert.ok(r.stderr.includes(dbId('appdb')), 'the corrected id is named');
  });
});

describe('a backup says how it went', () => {
  let instanceId: string;
  const jobs: { failed?: any; completed?: any } = {};

  before(async () => {
    instanceId = (await ok(`dpvault backup-instance create -g rg -v vault --backup-instance ${await initialize('app', dbId('appdb'), 'good')}`)).id;
  });

  it('a failed backup shows on the backup instance as a protection error', async () => {
    await setSecret('good', `Server=127.0.0.1;Database=appdb;Port=${pgc.port};User Id=backupuser;Password=${WRONG};Ssl Mode=Disable;`);
    const { jobId } = await ok('dpvault backup-instance adhoc-backup -n app -g rg -v vault --rule-name BackupWeekly');
    jobs.failed = await waitJob(jobId);
    assert.equal(jobs.failed.properties.status, 'Failed');
    const shown = await ok('dpvault backup-instance show -n app -g rg -v vault');
    const p = shown.properties;
    assert.equal(p.protectionStatus.status, 'ProtectionError');
    assert.equal(p.protectionStatus.errorDetails.code, 'UserErrorDBUserAuthFailed');
    assert.equal(p.protectionStatus.errorDetails.message, jobs.failed.properties.errorDetails[0].message);
    assert.equal(p.protectionStatus.errorDetails.properties.JobId, jobs.failed.id);
    assert.equal(p.protectionStatus.errorDetails.isUserError, true);
    assert.deepEqual(p.protectionErrorDetails, p.protectionStatus.errorDetails);
    assert.equal(p.currentProtectionState, 'ProtectionConfigured', 'the schedule keeps running');
    noSecretIn(JSON.stringify(shown));
  });

  it('suspending and resuming keeps the last error shown', async () => {
    await ok('dpvault backup-instance suspend-backup -n app -g rg -v vault');
    const suspended = (await ok('dpvault backup-instance show -n app -g rg -v vault')).properties;
    assert.equal(suspended.protectionStatus.status, 'ProtectionStopped');
    assert.equal(suspended.protectionStatus.errorDetails.code, 'UserErrorDBUserAuthFailed');
    await ok('dpvault backup-instance resume-protection -n app -g rg -v vault');
    const resumed = (await ok('dpvault backup-instance show -n app -g rg -v vault')).properties;
    assert.equal(resumed.currentProtectionState, 'ProtectionConfigured');
    assert.equal(resumed.protectionStatus.status, 'ProtectionError');
    assert.deepEqual(resumed.protectionStatus.errorDetails, resumed.protectionErrorDetails);
  });

  it('the next completed backup clears it, and its progress ends at 100%', async () => {
    await setSecret('good', `Server=127.0.0.1;Database=appdb;Port=${pgc.port};User Id=backupuser;Password=${PASSWORD};Ssl Mode=Disable;`);
    const { jobId } = await ok('dpvault backup-instance adhoc-backup -n app -g rg -v vault --rule-name BackupWeekly');
    jobs.completed = await waitJob(jobId);
    assert.equal(jobs.completed.properties.status, 'Completed');
    const task = jobs.completed.properties.extendedInfo.subTasks[0];
    assert.equal(task.taskProgress, '100.0%');
    assert.equal(task.additionalDetails.ProgressPercentage, '100.0');
    assert.ok(Number(task.additionalDetails.EstimatedBytes) > 0);
    assert.equal(task.additionalDetails.BytesTransferred, String(jobs.completed.properties.extendedInfo.dataTransferredInBytes));
    const p = (await ok('dpvault backup-instance show -n app -g rg -v vault')).properties;
    assert.deepEqual(p.protectionStatus, { status: 'ProtectionConfigured', errorDetails: null });
    assert.equal(p.protectionErrorDetails, null);
  });

  it('the server log has a line per job start and end, without secrets', () => {
    const { failed, completed } = jobs;
    assert.ok(failed && completed, 'the jobs above ran');
    const lines = (job: any) => logLines.filter((l) => l.startsWith(`job ${job.name} `));
    assert.deepEqual(lines(failed), [
      `job ${failed.name} started: Backup of ${instanceId}`,
      `job ${failed.name} Failed: Backup of ${instanceId}, duration ${failed.properties.duration}, 0 bytes; error UserErrorDBUserAuthFailed: ${failed.properties.errorDetails[0].message}`,
    ]);
    assert.deepEqual(lines(completed), [
      `job ${completed.name} started: Backup of ${instanceId}`,
      `job ${completed.name} Completed: Backup of ${instanceId}, duration ${completed.properties.duration}, ${completed.properties.extendedInfo.dataTransferredInBytes} bytes`,
    ]);
    noSecretIn(logLines.join('\n'));
  });
});
