// `job wait` against a real service and a real PostgreSQL: adhoc-backup returns at once (its job is
// still running: a lock holds pg_dump back), `job wait` follows the job to its end with plain
// progress lines when stderr is no terminal and a bar when it is one, and exits 1 with the job's
// own error when the job fails. `job list -o table` shows what a person looks for in a job.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { main } from '../../src/cli/main.ts';
import { startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { shopSql } from '../support/pg-fixtures.ts';
import { scratchDir } from '../support/scratch.ts';
import { CLI_BIN, captureChild, startTestService, type TestService } from '../support/service.ts';
import { shellSession } from '../support/shell.ts';

const PASSWORD = 'wait-s3cret';
let svc: TestService;
let pgc: PgCluster;
let cwd: string;
const { ok, sh } = shellSession(() => ({ cwd, endpoint: svc.url }));
const secret = (password: string) =>
  ok(`dpvault keyvault secret set --vault-name kvwait -n db --value 'Server=127.0.0.1;Database=appdb;Port=${pgc.port};User Id=backupuser;Password=${password};Ssl Mode=Disable;' -o none`);
const adhoc = async (): Promise<string> => (await ok('dpvault backup-instance adhoc-backup -n app -g rg -v vault --rule-name BackupWeekly')).jobId;

before(async () => {
  [pgc, svc] = await Promise.all([startCluster(), startTestService()]);
  await pgc.createDatabase('appdb', `${shopSql(20)}\nCREATE TABLE audit_log (line text);`);
  await pgc.createRole('backupuser', PASSWORD, { login: true, superuser: true });
  cwd = scratchDir('dpvault-wait-');
  const sub = (await ok('dpvault account show')).id;
  await ok('dpvault group create -n rg -l westus -o none');
  await ok('dpvault backup-vault create -g rg -v vault -l westus --type SystemAssigned --storage-settings datastore-type=VaultStore type=LocallyRedundant -o none');
  await ok('dpvault backup-policy get-default-policy-template --datasource-type AzureDatabaseForPostgreSQL > policy.json');
  const policyId = (await ok('dpvault backup-policy create -g rg --vault-name vault -n pol --policy policy.json')).id;
  await ok(`dpvault postgres server create -g rg -n pgsrv --host 127.0.0.1 --port ${pgc.port} -o none`);
  await ok('dpvault keyvault create -g rg -n kvwait -l westus -o none');
  await secret(PASSWORD);
  const principal = (await sh('dpvault backup-vault show -g rg -v vault --query identity.principalId -o tsv')).stdout.trim();
  await ok(`dpvault keyvault set-policy -n kvwait --object-id ${principal} --secret-permissions get list -o none`);
  const dsId = `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/servers/pgsrv/databases/appdb`;
  const bi = await ok(`dpvault backup-instance initialize --datasource-id ${dsId} --datasource-type AzureDatabaseForPostgreSQL -l westus --policy-id ${policyId} --secret-store-type AzureKeyVault --secret-store-uri https://kvwait.vault.azure.net/secrets/db`);
  writeFileSync(join(cwd, 'bi.json'), JSON.stringify({ ...bi, backup_instance_name: 'app' }));
  await ok('dpvault backup-instance create -g rg -v vault --backup-instance bi.json -o none');
});
after(async () => {
  await svc?.close();
  await pgc?.stop();
});

/** Runs `dpvault job wait` as a child; `started` resolves once it has reported the job InProgress, and fails if it ends first. */
function jobWait(jobId: string) {
  const child = spawn(process.execPath, [CLI_BIN, 'job', 'wait', '--ids', jobId, '--interval', '0.1'], {
    env: { ...process.env, DPVAULT_ENDPOINT: svc.url, DPVAULT_HOME: svc.dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const started = new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => d.toString().includes('InProgress') && resolve());
    child.on('exit', (code) => reject(new Error(`job wait ended (exit ${code}) before it reported the job InProgress`)));
  });
  started.catch(() => {});
  return { child, started, done: captureChild(child) };
}

let completedJob: string;

describe('job wait', () => {
  it('follows a job that adhoc-backup left running to its end, in plain lines', async () => {
    const locker = new pg.Client({ host: '127.0.0.1', port: pgc.port, user: 'postgres', password: pgc.superuserPassword, database: 'appdb' });
    await locker.connect();
    await locker.query('BEGIN; LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE');
    let waited;
    try {
      completedJob = await adhoc();
      // adhoc-backup returned while pg_dump still waits for the lock: az's return-at-once.
      assert.equal((await ok(`dpvault job show --ids ${completedJob}`)).properties.status, 'InProgress');
      waited = jobWait(completedJob);
      await waited.started;
      assert.equal(waited.child.exitCode, null, 'job wait ended while the job was still running');
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    const r = await waited.done;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).properties.status, 'Completed');
    const lines = r.stderr.trimEnd().split('\n');
    assert.ok(!r.stderr.includes('\r') && !r.stderr.includes('['), r.stderr);
    assert.match(lines[0]!, /^OnDemandBackup pgsrv\/appdb: InProgress/);
    assert.match(lines.at(-1)!, /^OnDemandBackup pgsrv\/appdb: Completed 100\.0% .* in PT/);
    assert.equal(new Set(lines).size, lines.length, 'an unchanged line is not printed again');
  });

  it('draws a bar on a terminal', async () => {
    let stderr = '';
    const io = { stdout: () => {}, stderr: (t: string) => (stderr += t), env: { DPVAULT_ENDPOINT: svc.url, DPVAULT_HOME: svc.dataDir, DPVAULT_CONFIG_DIR: process.env.DPVAULT_CONFIG_DIR }, isTty: false, stderrIsTty: true };
    assert.equal(await main(['dataprotection', 'job', 'wait', '--ids', completedJob], io), 0);
    assert.ok(stderr.startsWith('\r\u001b[2K'), JSON.stringify(stderr));
    assert.match(stderr.slice(5), /^OnDemandBackup pgsrv\/appdb: Completed \[#{30}\] 100\.0% .*\n$/);
  });

  it('exits 1 with the job\'s own error when the job fails', async () => {
    await secret('not-the-password');
    try {
      const jobId = await adhoc();
      const { done } = jobWait(jobId);
      const r = await done;
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /\nERROR: \(UserErrorDBUserAuthFailed\) Job '[^']+' failed: .+\n$/);
      assert.ok(!r.stderr.includes('not-the-password'));
    } finally {
      await secret(PASSWORD);
    }
  });
});

describe('job list -o table', () => {
  it('shows operation, status, start, duration and instance', async () => {
    const r = await sh('dpvault job list -g rg -v vault -o table');
    assert.equal(r.code, 0, r.stderr);
    const [header, , ...rows] = r.stdout.trimEnd().split('\n');
    assert.match(header!, /^Operation +Status +StartTime +Duration +BackupInstance +Name$/);
    assert.ok(rows.some((row) => /^OnDemandBackup +Completed +\S+ +PT\S+ +pgsrv\/appdb +[0-9a-f-]{36}$/.test(row)), r.stdout);
    assert.ok(rows.some((row) => /^OnDemandBackup +Failed /.test(row)), r.stdout);
  });
});
