// Scale-out end to end (issue 22, "done when"), real processes on loopback: one PostgreSQL catalog
// cluster, two API servers (server 1 runs jobs too, server 2 is --no-worker), three `dpvault
// worker`s, Azurite as the storage, and two source clusters with twenty small databases between
// them. All twenty are protected through server 1 (key-vault secrets, as the quickstart); on-demand
// backups are requested through server 2 (two per instance; five, a hundred in all, with
// DPVAULT_FULL_SWEEPS=1), one after another per instance (a second is refused while one runs). One
// worker, slowed by --max-upload-mbps so its backups last, is killed with SIGKILL while it holds a
// backup's lease; server 1 is killed with SIGKILL just before the policy's occurrence is due, so the
// schedulers of the other processes queue it, once. Then: every requested backup and every due
// occurrence ended in exactly one recovery point, no job is left InProgress, the killed worker's
// backup was run again elsewhere and completed; five points restore equal to their sources; half the
// instances are deleted (soft delete off: for good), maintenance runs and `vault verify` is clean.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { WORKER_LOST_DETAIL } from '../../src/jobs/lost-tasks.ts';
import { API } from '../support/api-resources.ts';
import { catalogProcesses } from '../support/catalog-processes.ts';
import { startAzurite, usePeer } from '../support/object-stores.ts';
import { startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { ownerCredentials, signIn } from '../support/service.ts';
import { shellSession } from '../support/shell.ts';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.ts';

const FULL = process.env.DPVAULT_FULL_SWEEPS === '1';
const ADHOC_PER_INSTANCE = FULL ? 5 : 2;
const DATABASES_PER_SOURCE = 10;
const G = '-g rg -v vault';
/** Short task leases, so a killed worker's backup is run again within seconds (heartbeats every 3 s). */
const PROCESS_ENV = { DPVAULT_TASK_LEASE_SECONDS: '15' };

const { cluster: catalogCluster, freshDatabase, dataDirWithKey, scratch } = catalogProcesses('scaleout');
const azurite = usePeer(startAzurite);

const smallDatabaseSql = (n: number) => `
\\set ON_ERROR_STOP on
CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2));
INSERT INTO items SELECT g, 'item ' || g || ' of ${n}', g * 1.25 FROM generate_series(1, ${20 + n}) g;
CREATE TABLE notes (id serial PRIMARY KEY, item_id int NOT NULL REFERENCES items(id), body text);
INSERT INTO notes (item_id, body) SELECT (g % 20) + 1, 'note ' || g FROM generate_series(1, 30) g;
CREATE VIEW cheap AS SELECT id, name FROM items WHERE price < 10;
`;

interface Source { cluster: PgCluster; server: string; secret: string }
interface Instance { name: string; db: string; source: Source }

describe('scale-out on one PostgreSQL catalog: two servers, three workers, Azurite', () => {
  const sources: Source[] = [];
  const instances: Instance[] = [];
  const workers: WorkerProcess[] = [];
  let server1: ServerProcess;
  let server2: ServerProcess;
  let dir1 = '';
  let cwd = '';
  let sub = '';
  let token = '';
  let endpoint = '';
  let victimJob = '';
  let catalogDb = '';
  const session = shellSession(() => ({ cwd, endpoint, dataDir: dir1 }));
  const vaultId = () => `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DataProtection/backupVaults/vault`;

  /** One request to server 2's API as the Owner. */
  const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; headers: Headers; json: any }> => {
    const url = path.startsWith('http') ? path : `${server2.url}${path}${path.includes('?') ? '&' : '?'}api-version=${API.dataprotection}`;
    const res = await fetch(url, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
  };
  const jobStatus = async (jobId: string) => (await api('GET', jobId)).json as { properties: { status: string; errorDetails: unknown; isUserTriggered: boolean; extendedInfo: { additionalDetails?: Record<string, string> } } };
  /** Requests an on-demand backup through server 2 (again while another backup of the instance runs) and waits for its job. */
  const backUp = async (name: string): Promise<string> => {
    for (;;) {
      const res = await api('POST', `${vaultId()}/backupInstances/${name}/backup`, { backupRuleOptions: { ruleName: 'BackupWeekly', triggerOption: { retentionTagOverride: 'Default' } } });
      if (res.status === 409 && res.json?.error?.code === 'UserErrorAnotherBackupInProgress') {
        await sleep(500);
        continue;
      }
      assert.equal(res.status, 202, JSON.stringify(res.json));
      const opUrl = res.headers.get('azure-asyncoperation')!;
      for (;;) {
        const op = await api('GET', opUrl);
        if (op.json.status !== 'Inprogress') {
          assert.equal(op.json.status, 'Succeeded', JSON.stringify(op.json));
          const jobId = op.json.properties.jobId as string;
          // Two minutes: far more than a small backup (and a lost worker's retry) takes, under load.
          for (let i = 0; (await jobStatus(jobId)).properties.status === 'InProgress'; i++) {
            assert.ok(i < 400, `the backup of ${name} (job ${jobId}) never ended`);
            await sleep(300);
          }
          return jobId;
        }
        await sleep(200);
      }
    }
  };
  const listJobs = async () => (await session.ok(`dpvault job list ${G}`)) as { name: string; id: string; properties: { status: string; isUserTriggered: boolean; backupInstanceId: string; operationCategory: string; extendedInfo: { additionalDetails?: Record<string, string> } } }[];
  const pointsOf = async (name: string) => (await session.ok(`dpvault recovery-point list --backup-instance-name ${name} ${G}`)) as { name: string; properties: { recoveryPointTime: string } }[];

  before(async () => {
    const key = randomBytes(32).toString('hex');
    const { url, name } = await freshDatabase();
    catalogDb = name;
    const storage = azurite().url('scaleout', `run-${process.pid}`);
    const shared = ['--database', url, '--storage', storage];
    dir1 = dataDirWithKey(key);
    cwd = scratch('dpvault-scaleout-cwd-');
    server1 = await startServerProcess(dir1, shared, PROCESS_ENV);
    server2 = await startServerProcess(dataDirWithKey(key), [...shared, '--no-worker'], PROCESS_ENV);
    endpoint = server1.url;
    // The victim first, slowed so that its backups last seconds: it is killed while it holds one.
    workers.push(await startWorkerProcess(dataDirWithKey(key), [...shared, '--max-upload-mbps', '0.05'], PROCESS_ENV));
    for (let i = 0; i < 2; i++) workers.push(await startWorkerProcess(dataDirWithKey(key), shared, PROCESS_ENV));
    token = await signIn(server2.url, ownerCredentials(dir1));

    for (const [i, server] of ['srca', 'srcb'].entries()) {
      const cluster = await startCluster();
      sources.push({ cluster, server, secret: `pg-${server}` });
      for (let d = 0; d < DATABASES_PER_SOURCE; d++) {
        const db = `shop_${server}_${d}`;
        await cluster.createDatabase(db, smallDatabaseSql(i * DATABASES_PER_SOURCE + d));
        instances.push({ name: `bi-${server}-${d}`, db, source: sources[i]! });
      }
    }
  });

  after(async () => {
    for (const w of workers) await w.kill9();
    await server1?.stop();
    await server2?.stop();
    for (const s of sources) await s.cluster.stop();
  });

  it('protects twenty databases of two servers through server 1', async () => {
    const { ok, sh } = session;
    sub = (await ok('dpvault account show')).id as string;
    await ok('dpvault group create -n rg -l westus');
    await ok(`dpvault backup-vault create ${G} -l westus --type SystemAssigned --storage-settings datastore-type=VaultStore type=LocallyRedundant --soft-delete-state Off`);
    await ok('dpvault backup-policy get-default-policy-template --datasource-type AzureDatabaseForPostgreSQL > policy.json');
    // Nothing due while the instances are made (the first occurrence a day away); the schedule is brought forward below.
    writePolicy(cwd, new Date(Date.now() + 86_400_000));
    await ok('dpvault backup-policy create -g rg --vault-name vault -n pol --policy policy.json');
    await ok('dpvault keyvault create -g rg -n kvscale -l westus');
    const principal = (await sh(`dpvault backup-vault show ${G} --query identity.principalId -o tsv`)).stdout.trim();
    await ok(`dpvault keyvault set-policy -n kvscale --object-id ${principal} --secret-permissions get list -o none`);
    for (const s of sources) {
      await ok(`dpvault postgres server create -g rg -n ${s.server} --host 127.0.0.1 --port ${s.cluster.port}`);
      await ok(`dpvault keyvault secret set --vault-name kvscale -n ${s.secret} --value "${s.cluster.connectionString('postgres')}" -o none`);
    }
    const policyId = `${vaultId()}/backupPolicies/pol`;
    for (const inst of instances) {
      const dbId = `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/servers/${inst.source.server}/databases/${inst.db}`;
      await ok(`dpvault backup-instance initialize --datasource-id ${dbId} --datasource-type AzureDatabaseForPostgreSQL -l westus --policy-id ${policyId} --secret-store-type AzureKeyVault --secret-store-uri https://kvscale.vault.azure.net/secrets/${inst.source.secret} > bi.json`);
      const bi = JSON.parse(readFileSync(join(cwd, 'bi.json'), 'utf8'));
      writeFileSync(join(cwd, 'bi.json'), JSON.stringify({ ...bi, backup_instance_name: inst.name }));
      await ok(`dpvault backup-instance create ${G} --backup-instance bi.json`);
    }
    assert.equal((await ok(`dpvault backup-instance list ${G}`)).length, instances.length);
  });

  it('runs every requested backup and every due occurrence once, through a killed worker and a killed server', async () => {
    const { ok } = session;
    // The schedule's occurrence falls due in 25 s; the on-demand backups start now, through server 2.
    const due = new Date(Math.ceil((Date.now() + 25_000) / 1000) * 1000);
    writePolicy(cwd, due);
    await ok('dpvault backup-policy create -g rg --vault-name vault -n pol --policy policy.json');
    endpoint = server2.url;
    const requested = Promise.all(instances.map(async (inst) => {
      const jobs: string[] = [];
      for (let n = 0; n < ADHOC_PER_INSTANCE; n++) jobs.push(await backUp(inst.name));
      return jobs;
    }));

    // The slow worker is killed while it holds a backup's lease.
    const victim = workers[0]!;
    const holder = /its tasks' lease holder is (\S+)/.exec(victim.output())![1]!;
    for (let i = 0; !victimJob; i++) {
      assert.ok(i < 600, `the slow worker claimed no backup: ${victim.output()}`);
      const rows = await catalogCluster().query<{ job_id: string }>(catalogDb, "SELECT j.data->>'jobId' AS job_id FROM dpvault_queue.task t JOIN dpvault_boss.job j ON j.id = t.boss_id WHERE t.holder = $1 AND t.kind = 'backup'", [holder]);
      if (rows[0]) victimJob = rows[0].job_id;
      else await sleep(100);
    }
    await sleep(500);
    await victim.kill9();

    // Server 1 is killed just before the occurrence is due: the others' schedulers queue it.
    await sleep(Math.max(0, due.getTime() - 2000 - Date.now()));
    assert.ok(Date.now() < due.getTime(), 'server 1 was killed before the occurrence was due');
    server1.proc.kill('SIGKILL');
    await server1.stop();

    const adhocJobs = (await requested).flat();
    assert.equal(adhocJobs.length, instances.length * ADHOC_PER_INSTANCE);
    // Every scheduled backup queued (a tick every 30 s on each process) and ended.
    let jobs = await listJobs();
    for (let i = 0; jobs.filter((j) => !j.properties.isUserTriggered).length < instances.length || jobs.some((j) => j.properties.status === 'InProgress'); i++) {
      assert.ok(i < 120, `scheduled backups missing or jobs still running: ${jobs.filter((j) => j.properties.status === 'InProgress').length} InProgress`);
      await sleep(1000);
      jobs = await listJobs();
    }
    const backups = jobs.filter((j) => j.properties.operationCategory === 'Backup');
    assert.deepEqual(backups.filter((j) => j.properties.status !== 'Completed').map((j) => j.name), [], 'every backup completed');
    assert.equal(backups.length, instances.length * (ADHOC_PER_INSTANCE + 1), 'the requested backups and one per due occurrence, none doubled');
    for (const inst of instances) {
      const mine = backups.filter((j) => j.properties.backupInstanceId.toLowerCase().endsWith(`/backupinstances/${inst.name}`));
      assert.equal(mine.filter((j) => !j.properties.isUserTriggered).length, 1, `${inst.name}: one scheduled backup for the occurrence`);
      assert.equal((await pointsOf(inst.name)).length, ADHOC_PER_INSTANCE + 1, `${inst.name}: one recovery point per backup`);
    }
    const retried = await jobStatus(victimJob);
    assert.equal(retried.properties.status, 'Completed', JSON.stringify(retried.properties.errorDetails));
    assert.match(retried.properties.extendedInfo.additionalDetails?.[WORKER_LOST_DETAIL] ?? '', /Its worker was lost at attempt 1/);
  });

  it('restores a sample of five recovery points equal to their sources', async () => {
    const { ok, waitJob } = session;
    for (const inst of instances.filter((_, i) => i % 4 === 0).slice(0, 5)) {
      const [rp] = await pointsOf(inst.name);
      const target = `${inst.db}_back`;
      const targetId = `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/servers/${inst.source.server}/databases/${target}`;
      await ok(`dpvault backup-instance restore initialize-for-data-recovery --datasource-type AzureDatabaseForPostgreSQL --restore-location westus --source-datastore VaultStore --recovery-point-id ${rp!.name} --target-resource-id ${targetId} --secret-store-type AzureKeyVault --secret-store-uri https://kvscale.vault.azure.net/secrets/${inst.source.secret} > restore.json`);
      const job = await waitJob((await ok(`dpvault backup-instance restore trigger ${G} --backup-instance-name ${inst.name} --restore-request-object ./restore.json`)).jobId);
      assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
      assert.deepEqual(await inst.source.cluster.compareDatabases(inst.db, target), [], `${inst.name} restored equal to its source`);
    }
  });

  it('deletes half the instances with their points; maintenance collects, and vault verify is clean', async () => {
    const { ok, waitJob } = session;
    for (const inst of instances.filter((_, i) => i % 2 === 1)) await ok(`dpvault backup-instance delete -n ${inst.name} ${G} --yes`);
    assert.equal((await ok(`dpvault backup-instance list ${G}`)).length, instances.length / 2);
    const maint = await waitJob((await ok(`dpvault vault maintain ${G}`)).jobId);
    assert.equal(maint.properties.status, 'Completed', JSON.stringify(maint.properties.errorDetails));
    const verify = await waitJob((await ok(`dpvault vault verify ${G} --sample 100`)).jobId);
    assert.equal(verify.properties.status, 'Completed', JSON.stringify(verify.properties.errorDetails));
    for (const inst of instances.filter((_, i) => i % 2 === 0)) assert.equal((await pointsOf(inst.name)).length, ADHOC_PER_INSTANCE + 1);
  });
});

/** The default policy's schedule set to one weekly occurrence starting at `first`. */
function writePolicy(cwd: string, first: Date): void {
  const file = join(cwd, 'policy.json');
  const policy = JSON.parse(readFileSync(file, 'utf8'));
  for (const rule of policy.policyRules) {
    if (rule.trigger?.schedule) rule.trigger.schedule.repeatingTimeIntervals = [`R/${first.toISOString().replace('.000Z', '+00:00')}/P1W`];
  }
  writeFileSync(file, JSON.stringify(policy));
}
