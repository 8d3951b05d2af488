// A lost worker in the shared mode (issue 22): one PostgreSQL catalog and queue, an API server
// that runs no jobs, and real `dpvault worker` processes with short task leases
// (DPVAULT_TASK_LEASE_SECONDS). A worker killed with SIGKILL in the middle of a backup releases
// nothing; once its lease is over another worker's lost-task look runs the backup again as the
// same job, which completes with one recovery point and says it was retried. A restore whose
// worker is lost (a holder that never renews its lease, after making its staging database) fails
// with JobInterrupted, its staging database dropped and nothing made at the target.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { startService, type ApiService } from '../../src/app.ts';
import { PostgresTaskQueue } from '../../src/queue/postgres.ts';
import { stagingDatabaseName } from '../../src/jobs/restore-staging.ts';
import { MAX_TASK_ATTEMPTS, reapLostTasks, WORKER_LOST_DETAIL } from '../../src/jobs/lost-tasks.ts';
import { catalogProcesses } from '../support/catalog-processes.ts';
import { createProtectionResources, protectDatabase, storeConnectionSecret } from '../support/protection-resources.ts';
import { shellSession } from '../support/shell.ts';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.ts';

const { cluster: pg, freshDatabase, dataDirWithKey, scratch } = catalogProcesses('lostworker');
const G = '-g rg -v vault';
const LEASE = { DPVAULT_TASK_LEASE_SECONDS: '5' };

describe('a worker lost in the shared mode', () => {
  let svc: ApiService;
  let url = '';
  let key = '';
  let workerArgs: string[] = [];
  let cwd = '';
  let dataDir = '';
  const workers: WorkerProcess[] = [];
  const session = shellSession(() => ({ cwd, endpoint: svc.url, dataDir }));
  const startWorker = async (extra: string[] = []) => {
    const w = await startWorkerProcess(dataDirWithKey(key), [...workerArgs, ...extra], LEASE);
    workers.push(w);
    return w;
  };
  /** The running task's lease holder, once a worker has claimed one. */
  const holderOfRunning = async (): Promise<string> => {
    for (let i = 0; i < 600; i++) {
      const rows = await pg().query<{ holder: string | null }>(new URL(url).pathname.slice(1), 'SELECT holder FROM dpvault_queue.task WHERE holder IS NOT NULL');
      if (rows[0]?.holder) return rows[0].holder;
      await sleep(100);
    }
    throw new Error('no worker claimed the task');
  };

  /** The job once it left InProgress; fails after a minute, showing what the worker said. */
  const jobEnd = async (jobId: string, said: () => string) => {
    for (let i = 0; i < 120; i++) {
      const job = await session.ok(`dpvault job show --ids "${jobId}"`);
      if (job.properties.status !== 'InProgress') return job;
      await sleep(500);
    }
    assert.fail(`job ${jobId} is still InProgress; the worker said:\n${said()}`);
  };

  before(async () => {
    key = randomBytes(32).toString('hex');
    ({ url } = await freshDatabase());
    const storage = pathToFileURL(scratch('dpvault-lostworker-store-')).href;
    workerArgs = ['--database', url, '--shared-filesystem', '--storage', storage];
    dataDir = dataDirWithKey(key);
    cwd = scratch('dpvault-lostworker-cwd-');
    svc = await startService({ dataDir, database: url, port: 0, sharedFilesystem: true, runJobs: false, storage: { location: storage, setting: '--storage' } });
    // Random text compresses little: at 0.2 Mbit/s its backup takes a minute, so it is surely running when killed.
    await pg().createDatabase('shop');
    await pg().query('shop', "CREATE TABLE blob AS SELECT g AS id, md5(random()::text) || md5(random()::text) AS body FROM generate_series(1, 30000) g");
    const { sub, policyId } = await createProtectionResources(session.ok, pg().port, 'kvlost');
    await storeConnectionSecret(session, 'kvlost', pg().connectionString('shop'));
    await protectDatabase(session, cwd, { sub, policyId, keyVault: 'kvlost', name: 'shop-bi', db: 'shop' });
  });

  after(async () => {
    for (const w of workers) await w.kill9();
    await svc?.close();
  });

  it('runs a killed worker\'s backup again elsewhere once its lease is over: the same job completes with one recovery point', async () => {
    const { ok } = session;
    const slow = await startWorker(['--max-upload-mbps', '0.2']);
    const { jobId } = await ok(`dpvault backup-instance adhoc-backup -n shop-bi ${G} --rule-name BackupWeekly`);
    await holderOfRunning();
    await sleep(1500); // it has started writing
    assert.equal((await ok(`dpvault job show --ids "${jobId}"`)).properties.status, 'InProgress');
    await slow.kill9();
    const next = await startWorker();
    const job = await jobEnd(jobId, () => next.output());
    assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
    assert.match(job.properties.extendedInfo.additionalDetails[WORKER_LOST_DETAIL], /Its worker was lost at attempt 1 .*attempt 2 of 3/);
    const points = await ok(`dpvault recovery-point list --backup-instance-name shop-bi ${G}`);
    assert.equal(points.length, 1, 'one recovery point: the lost attempt made none');
    const tasks = await pg().query<{ attempts: number; holder: string | null }>(new URL(url).pathname.slice(1), 'SELECT attempts, holder FROM dpvault_queue.task');
    assert.deepEqual(tasks, [{ attempts: 2, holder: null }]);
  });

  it('fails a lost worker\'s restore with JobInterrupted once its staging database is dropped', async () => {
    const { ok, sh } = session;
    for (const w of workers) await w.stop(); // no worker claims the restore: a holder that is lost does
    const rp = (await sh(`dpvault recovery-point list --backup-instance-name shop-bi ${G} --query "[0].name" -o tsv`)).stdout.trim();
    const sub = (await ok('dpvault account show')).id as string;
    const targetId = `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/servers/pgsrv/databases/shop_restored`;
    await ok(`dpvault backup-instance restore initialize-for-data-recovery --datasource-type AzureDatabaseForPostgreSQL --restore-location westus --source-datastore VaultStore --recovery-point-id ${rp} --target-resource-id ${targetId} --secret-store-type AzureKeyVault --secret-store-uri https://kvlost.vault.azure.net/secrets/pg > restore.json`);
    const { jobId } = await ok(`dpvault backup-instance restore trigger ${G} --backup-instance-name shop-bi --restore-request-object ./restore.json`);
    // A worker claims it, makes its staging database, and is lost: it never renews its lease.
    const queue = await PostgresTaskQueue.connect(url);
    try {
      const task = await queue.claim('lost-process/worker-1', { now: new Date().toISOString(), leaseUntil: new Date(Date.now() + 2000).toISOString(), kinds: ['restore'] });
      assert.ok(task, 'the restore task was queued');
    } finally {
      await queue.close();
    }
    const staging = stagingDatabaseName('shop_restored', jobId);
    await pg().createDatabase(staging);
    const next = await startWorker();
    const job = await jobEnd(jobId, () => next.output());
    assert.equal(job.properties.status, 'Failed');
    assert.equal(job.properties.errorDetails[0].code, 'JobInterrupted');
    assert.match(job.properties.errorDetails[0].message, /The dpvault worker running this job was lost/);
    assert.match(job.properties.errorDetails[0].message, new RegExp(`staging database '${staging}'`));
    const left = await pg().query<{ datname: string }>('postgres', "SELECT datname FROM pg_database WHERE datname LIKE 'shop_restored%' OR datname = $1", [staging]);
    assert.deepEqual(left, [], 'nothing half-made is left');
    assert.doesNotMatch(JSON.stringify(job), new RegExp(pg().superuserPassword), 'no secret in the job');
  });

  it('fails a verify whose worker is lost at every attempt, after three attempts, as JobInterrupted', async () => {
    const { ok } = session;
    for (const w of workers) await w.stop(); // no worker claims it: holders that are lost do
    const { jobId } = await ok(`dpvault vault verify ${G}`);
    const queue = await PostgresTaskQueue.connect(url);
    try {
      for (let attempt = 1; attempt <= MAX_TASK_ATTEMPTS; attempt++) {
        let task;
        for (let i = 0; !task; i++) {
          assert.ok(i < 200, `attempt ${attempt} was never due again`);
          task = await queue.claim(`lost-process-${attempt}/worker-1`, { now: new Date().toISOString(), leaseUntil: new Date(Date.now() - 1).toISOString(), kinds: ['verify'] });
          if (!task) await sleep(100);
        }
        assert.equal(task.attempts, attempt);
        const done = await reapLostTasks(svc.ctx, new Date().toISOString());
        assert.deepEqual(done.map((d) => d.action), [attempt < MAX_TASK_ATTEMPTS ? 'retry' : 'fail']);
        const job = await ok(`dpvault job show --ids "${jobId}"`);
        if (attempt < MAX_TASK_ATTEMPTS) {
          assert.equal(job.properties.status, 'InProgress');
          assert.match(job.properties.extendedInfo.additionalDetails[WORKER_LOST_DETAIL], new RegExp(`attempt ${attempt + 1} of ${MAX_TASK_ATTEMPTS}`));
        } else {
          assert.equal(job.properties.status, 'Failed');
          assert.equal(job.properties.errorDetails[0].code, 'JobInterrupted');
          assert.match(job.properties.errorDetails[0].message, /worker running this job was lost .* not run again/);
        }
      }
      assert.deepEqual((await queue.list('failed')).filter((t) => t.kind === 'verify').map((t) => t.attempts), [MAX_TASK_ATTEMPTS], 'the dead letter keeps it');
    } finally {
      await queue.close();
    }
  });
});
