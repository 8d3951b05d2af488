// What a new user gets wrong, tried through the CLI against real clusters: each attempt fails with
// a clear error (call or job status Failed), never shows the password, and leaves nothing behind.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, openSync, writeSync, closeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { shopSql } from '../support/pg-fixtures.ts';
import { startTestService, type TestService } from '../support/service.ts';
import { shellSession } from '../support/shell.ts';
import { scratchDir } from '../support/scratch.ts';
import { filesUnder } from '../support/files.ts';
import { createProtectionResources } from '../support/protection-resources.ts';

const PASSWORD = 'Sup3r-s3cret-pw';
let svc: TestService;
let pgc: PgCluster;
let cwd: string;
let sub: string;
let policyId: string;
const { sh, ok, waitJob } = shellSession(() => ({ cwd, endpoint: svc.url }));
/** Every recovery point manifest in the service's repositories. */
function manifests(): string[] {
  return allFiles().filter((f) => f.includes('/manifests/'));
}
function allFiles(): string[] {
  return filesUnder(join(svc.dataDir, 'backup-data'));
}
async function instanceFile(name: string, db: string, server: string, secret: string): Promise<string> {
  const id = `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/servers/${server}/databases/${db}`;
  await ok(`dpvault backup-instance initialize --datasource-id ${id} --datasource-type AzureDatabaseForPostgreSQL -l westus --policy-id ${policyId} --secret-store-type AzureKeyVault --secret-store-uri https://kvfail.vault.azure.net/secrets/${secret} > ${name}.json`);
  const bi = JSON.parse(readFileSync(join(cwd, `${name}.json`), 'utf8'));
  bi.backup_instance_name = name;
  writeFileSync(join(cwd, `${name}.json`), JSON.stringify(bi));
  return `${name}.json`;
}
const setSecret = (name: string, value: string) => ok(`dpvault keyvault secret set --vault-name kvfail -n ${name} --value '${value}' -o none`);
const ado = (db: string, password = PASSWORD, port: number | null = pgc.port) =>
  `Server=127.0.0.1;Database=${db};${port === null ? '' : `Port=${port};`}User Id=backupuser;Password=${password};Ssl Mode=Disable;`;

before(async () => {
  pgc = await startCluster();
  await pgc.createDatabase('appdb', shopSql(200));
  await pgc.createRole('backupuser', PASSWORD, { login: true, superuser: true });
  svc = await startTestService();
  cwd = scratchDir('dpvault-fail-');
  ({ sub, policyId } = await createProtectionResources(ok, pgc.port, 'kvfail'));
  await ok('dpvault postgres server create -g rg -n nowhere --host 127.0.0.1 --port 9');
  await setSecret('good', ado('appdb'));
  await setSecret('wrongpw', ado('appdb', 'not-the-password'));
  // Without a port: the port comes from the registered server (a different one would be refused as a conflict).
  await setSecret('noport', ado('appdb', PASSWORD, null));
});
after(async () => {
  await svc?.close();
  await pgc?.stop();
});

describe('protection refused before anything is stored', () => {
  it('a vault identity without an access policy', async () => {
    const r = await sh(`dpvault backup-instance validate-for-backup -g rg -v vault --backup-instance ${await instanceFile('noaccess', 'appdb', 'pgsrv', 'good')}`);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /UserErrorMissingPermissionsOnSecretStore/);
    assert.match(r.stderr, /keyvault set-policy/);
    const principal = (await sh('dpvault backup-vault show -g rg -v vault --query identity.principalId -o tsv')).stdout.trim();
    await ok(`dpvault keyvault set-policy -n kvfail --object-id ${principal} --secret-permissions get list -o none`);
  });

  for (const [name, db, server, secret, code] of [
    ['badpw', 'appdb', 'pgsrv', 'wrongpw', 'UserErrorDBUserAuthFailed'],
    ['unreachable', 'appdb', 'nowhere', 'noport', 'UserErrorDBServerUnreachable'],
    ['nodb', 'nosuchdb', 'pgsrv', 'good', 'UserErrorDBNotFound'],
  ] as const) {
    it(`${name}: ${code}`, async () => {
      const r = await sh(`dpvault backup-instance create -g rg -v vault --backup-instance ${await instanceFile(name, db, server, secret)}`);
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, new RegExp(`ERROR: \\(${code}\\)`));
      assert.ok(!r.stderr.includes(PASSWORD) && !r.stderr.includes('not-the-password'));
      const list = await ok('dpvault backup-instance list -g rg -v vault --query "[].name"');
      assert.ok(!list.includes(name));
    });
  }
});

describe('failed jobs leave nothing behind', () => {
  it('a password changed after protection fails the backup job, not the service', async () => {
    await ok(`dpvault backup-instance create -g rg -v vault --backup-instance ${await instanceFile('app', 'appdb', 'pgsrv', 'good')}`);
    await setSecret('good', ado('appdb', 'rotated-wrongly'));
    const { jobId } = await ok('dpvault backup-instance adhoc-backup -n app -g rg -v vault --rule-name BackupWeekly');
    const job = await waitJob(jobId);
    assert.equal(job.properties.status, 'Failed');
    assert.equal(job.properties.errorDetails[0].code, 'UserErrorDBUserAuthFailed');
    assert.ok(!JSON.stringify(job).includes('rotated-wrongly'));
    assert.deepEqual(await ok('dpvault recovery-point list --backup-instance-name app -g rg -v vault'), []);
    assert.deepEqual(manifests(), []);
    await setSecret('good', ado('appdb'));
  });

  it('pg_dump killed midway', async () => {
    // Hold a lock that pg_dump must wait for, so it is surely running when it is killed: on a
    // table without a key, which pg_dump dumps itself (tables with one are copied in key order).
    await pgc.query('appdb', 'CREATE TABLE IF NOT EXISTS audit_log (line text)');
    const locker = new pg.Client({ host: '127.0.0.1', port: pgc.port, user: 'postgres', password: pgc.superuserPassword, database: 'appdb' });
    await locker.connect();
    await locker.query('BEGIN; LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE');
    try {
      const { jobId } = await ok('dpvault backup-instance adhoc-backup -n app -g rg -v vault --rule-name BackupWeekly');
      let pid: number | undefined;
      for (let i = 0; i < 100 && !pid; i++) {
        pid = pgDumpPid(pgc.port);
        if (!pid) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(pid, 'pg_dump did not start');
      process.kill(pid, 'SIGKILL');
      const job = await waitJob(jobId);
      assert.equal(job.properties.status, 'Failed');
      assert.match(job.properties.errorDetails[0].message, /SIGKILL/);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    assert.deepEqual(await ok('dpvault recovery-point list --backup-instance-name app -g rg -v vault'), []);
    assert.deepEqual(manifests(), []);
  });

  it('a recovery point whose stored bytes were altered fails its restore loudly', async () => {
    const { jobId } = await ok('dpvault backup-instance adhoc-backup -n app -g rg -v vault --rule-name BackupWeekly');
    assert.equal((await waitJob(jobId)).properties.status, 'Completed');
    const clean = await waitJob((await ok('dpvault vault verify -g rg -v vault --sample 100')).jobId);
    assert.equal(clean.properties.status, 'Completed', JSON.stringify(clean.properties.errorDetails));
    assert.match(clean.properties.extendedInfo.additionalDetails.PacksChecked, /^[1-9]\d* of [1-9]/);
    const packs = allFiles().filter((f) => f.includes('/packs/'));
    const file = packs.sort((a, b) => statSync(b).size - statSync(a).size)[0];
    const fd = openSync(file!, 'r+');
    writeSync(fd, Buffer.from([0x5a]), 0, 1, Math.floor(statSync(file!).size / 2));
    closeSync(fd);
    const rp = (await sh('dpvault recovery-point list --backup-instance-name app -g rg -v vault --query "[0].name" -o tsv')).stdout.trim();
    // vault verify finds it too, naming the pack and the recovery point.
    const verify = await waitJob((await ok('dpvault vault verify -g rg -v vault')).jobId);
    assert.equal(verify.properties.status, 'Failed');
    assert.equal(verify.properties.operation, 'Verify');
    assert.match(verify.properties.errorDetails[0].message, new RegExp(`${file!.split('/').pop()}.*${rp}`));
    const target = `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/servers/pgsrv/databases/appdb_copy`;
    await ok(`dpvault backup-instance restore initialize-for-data-recovery --datasource-type AzureDatabaseForPostgreSQL --restore-location westus --source-datastore VaultStore --recovery-point-id ${rp} --target-resource-id ${target} --secret-store-type AzureKeyVault --secret-store-uri https://kvfail.vault.azure.net/secrets/good > restore.json`);
    const trig = await ok('dpvault backup-instance restore trigger -g rg -v vault -n app --restore-request-object restore.json');
    const job = await waitJob(trig.jobId);
    assert.equal(job.properties.status, 'Failed');
    assert.equal(job.properties.errorDetails[0].code, 'UserErrorRecoveryPointDataCorrupt');
    assert.match(job.properties.errorDetails[0].message, new RegExp(rp));
    const exists = await pgc.query<{ n: string }>('postgres', "SELECT count(*) AS n FROM pg_database WHERE datname = 'appdb_copy'");
    assert.equal(Number(exists[0]!.n), 0, 'the half-restored database was dropped');
  });
});

/** The pid of a pg_dump talking to this cluster's port (found through its environment). */
function pgDumpPid(port: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'pg_dump') continue;
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(`PGPORT=${port}`)) return Number(entry);
    } catch {
      continue;
    }
  }
  return undefined;
}
