// kill -9 of the real server at random points of a backup, a restore into a database, a restore as
// files, a verify, a repair and a maintenance run. After each restart: no job still says
// InProgress, a job that says Completed really did its work, nothing half-built is visible (no
// database under the target name, no temporary database, no partial file), and the next backup
// and restore are equal. At the end, once the grace period has passed (the service reopened on the
// same directory with an injected clock), maintenance brings the space used back to within 5% of
// what the live recovery points need. A sample of kill points runs by default; all twenty with
// DPVAULT_FULL_SWEEPS=1 (DPVAULT_CRASH_SEED replays a sweep).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { compareDatabases } from '../support/pg-compare.ts';
import { shopSql } from '../support/pg-fixtures.ts';
import { CLI_BIN } from '../support/service.ts';
import { startService } from '../../src/app.ts';
import { openConfig } from '../../src/repository/config-copies.ts';
import { packIdOf } from '../../src/repository/layout.ts';
import { blobsOf, readTrailer } from '../../src/repository/pack.ts';
import { shellSession } from '../support/shell.ts';
import { scratchDir } from '../support/scratch.ts';
import { filesUnder } from '../support/files.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { Repository } from '../../src/repository/repository.ts';
import { FsStorage } from '../../src/storage/fs.ts';
import { loadOrCreateMasterKey } from '../../src/secrets/master-key.ts';

const FULL = process.env.DPVAULT_FULL_SWEEPS === '1';
const POINTS = FULL ? 20 : 4;
const SEED = Number(process.env.DPVAULT_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const OPS = ['backup', 'restore-db', 'restore-files', 'verify', 'repair', 'maintain'] as const;
type Op = (typeof OPS)[number];
const PASSWORD = 'Crash-sw33p-pw';

let pgc: PgCluster;
let dataDir: string;
let cwd: string;
let filesDir: string;
let endpoint = '';
let child: ChildProcess | null = null;
let sub: string;
const { sh, ok, waitJob } = shellSession(() => ({ cwd, endpoint, dataDir }));

/** A small deterministic PRNG (mulberry32), so a failing sweep can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function startServer(): Promise<void> {
  const proc = spawn(process.execPath, [CLI_BIN, 'server', '--port', '0', '--data-dir', dataDir, '--restore-files-root', filesDir], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DPVAULT_SERVER_REEXEC: '1' } });
  let said = '';
  proc.stderr!.on('data', (d: Buffer) => (said += d.toString()));
  for (let i = 0; i < 1500 && proc.exitCode === null; i++) {
    const m = /dpvault listening on (http:\/\/\S+)/.exec(said);
    if (m) {
      endpoint = m[1]!;
      child = proc;
      return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  proc.kill('SIGKILL');
  throw new Error(`the server did not start: ${said}`);
}

async function kill9(): Promise<void> {
  const proc = child!;
  child = null;
  if (proc.exitCode !== null) return;
  const gone = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGKILL');
  await gone;
}

const target = (db: string) => `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/servers/pgsrv/databases/${db}`;

async function databases(): Promise<string[]> {
  return (await pgc.query<{ datname: string }>('postgres', 'SELECT datname FROM pg_database ORDER BY datname')).map((r) => r.datname);
}

async function latestPoint(): Promise<string> {
  const list = await ok('dpvault recovery-point list --backup-instance-name app -g rg -v vault');
  return list.sort((a: any, b: any) => (a.properties.recoveryPointTime < b.properties.recoveryPointTime ? 1 : -1))[0].name;
}

/** Starts an operation; returns its job id and what to check if it says Completed. */
async function start(op: Op, n: number): Promise<{ jobId: string; db?: string; file?: string }> {
  switch (op) {
    case 'backup':
      return { jobId: (await ok('dpvault backup-instance adhoc-backup -n app -g rg -v vault --rule-name BackupWeekly')).jobId };
    case 'restore-db': {
      const db = `crash_db_${n}`;
      await ok(`dpvault backup-instance restore initialize-for-data-recovery --datasource-type AzureDatabaseForPostgreSQL --restore-location westus --source-datastore VaultStore --recovery-point-id ${await latestPoint()} --target-resource-id ${target(db)} --secret-store-type AzureKeyVault --secret-store-uri https://kvcrash.vault.azure.net/secrets/db > r${n}.json`);
      return { jobId: (await ok(`dpvault backup-instance restore trigger -g rg -v vault -n app --restore-request-object r${n}.json`)).jobId, db };
    }
    case 'restore-files': {
      await ok(`dpvault backup-instance restore initialize-for-data-recovery-as-files --datasource-type AzureDatabaseForPostgreSQL --restore-location westus --source-datastore VaultStore --recovery-point-id ${await latestPoint()} --target-blob-container-url file://${filesDir} --target-file-name crash_${n} > f${n}.json`);
      return { jobId: (await ok(`dpvault backup-instance restore trigger -g rg -v vault -n app --restore-request-object f${n}.json`)).jobId, file: `crash_${n}` };
    }
    case 'verify':
    case 'repair':
    case 'maintain':
      return { jobId: (await ok(`dpvault vault ${op} -g rg -v vault`)).jobId };
  }
}

async function restoreEqual(db: string): Promise<void> {
  await ok(`dpvault backup-instance restore initialize-for-data-recovery --datasource-type AzureDatabaseForPostgreSQL --restore-location westus --source-datastore VaultStore --recovery-point-id ${await latestPoint()} --target-resource-id ${target(db)} --secret-store-type AzureKeyVault --secret-store-uri https://kvcrash.vault.azure.net/secrets/db > check.json`);
  const job = await waitJob((await ok('dpvault backup-instance restore trigger -g rg -v vault -n app --restore-request-object check.json')).jobId);
  assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
  assert.deepEqual(await compareDatabases({ cluster: pgc, db: 'appdb' }, { cluster: pgc, db }), []);
  await pgc.query('postgres', `DROP DATABASE ${db}`);
}

before(async () => {
  pgc = await startCluster();
  await pgc.createDatabase('appdb', shopSql(300));
  await pgc.query('appdb', "CREATE TABLE blobs (id int PRIMARY KEY, body text); INSERT INTO blobs SELECT g, repeat(md5(g::text || random()::text), 8) FROM generate_series(1, 30000) g");
  await pgc.createRole('backupuser', PASSWORD, { login: true, superuser: true });
  dataDir = mkdtempSync(join(tmpdir(), 'dpvault-crash-'));
  cwd = scratchDir('dpvault-crash-cwd-');
  filesDir = join(cwd, 'files');
  mkdirSync(filesDir);
  await startServer();
  sub = (await ok('dpvault account show')).id;
  await ok('dpvault group create -n rg -l westus');
  await ok('dpvault backup-vault create -g rg -v vault -l westus --type SystemAssigned --storage-settings datastore-type=VaultStore type=LocallyRedundant -o none');
  await ok(`dpvault postgres server create -g rg -n pgsrv --host 127.0.0.1 --port ${pgc.port}`);
  await ok('dpvault keyvault create -g rg -n kvcrash -l westus');
  await ok(`dpvault keyvault secret set --vault-name kvcrash -n db --value 'Server=127.0.0.1;Database=appdb;Port=${pgc.port};User Id=backupuser;Password=${PASSWORD};Ssl Mode=Disable;' -o none`);
  const principal = (await sh('dpvault backup-vault show -g rg -v vault --query identity.principalId -o tsv')).stdout.trim();
  await ok(`dpvault keyvault set-policy -n kvcrash --object-id ${principal} --secret-permissions get list -o none`);
  await ok('dpvault backup-policy get-default-policy-template --datasource-type AzureDatabaseForPostgreSQL > policy.json');
  const policyId = (await ok('dpvault backup-policy create -g rg --vault-name vault -n pol --policy policy.json')).id;
  await ok(`dpvault backup-instance initialize --datasource-id ${target('appdb')} --datasource-type AzureDatabaseForPostgreSQL -l westus --policy-id ${policyId} --secret-store-type AzureKeyVault --secret-store-uri https://kvcrash.vault.azure.net/secrets/db > bi.json`);
  const bi = JSON.parse(readFileSync(join(cwd, 'bi.json'), 'utf8'));
  bi.backup_instance_name = 'app';
  writeFileSync(join(cwd, 'bi.json'), JSON.stringify(bi));
  await ok('dpvault backup-instance create -g rg --vault-name vault --backup-instance bi.json -o none');
  assert.equal((await waitJob((await ok('dpvault backup-instance adhoc-backup -n app -g rg -v vault --rule-name BackupWeekly')).jobId)).properties.status, 'Completed');
});

after(async () => {
  if (child) await kill9();
  await pgc?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe(`crash sweep: kill -9 at ${POINTS} random points (seed ${SEED})`, () => {
  const rand = prng(SEED);
  const plan = Array.from({ length: POINTS }, (_, n) => ({ op: OPS[FULL ? n % OPS.length : Math.floor(rand() * OPS.length)]!, delayMs: Math.floor(rand() * 1000) }));
  const outcomes: string[] = [];
  plan.forEach(({ op, delayMs }, n) => {
    it(`${n}: ${op}, killed after ${delayMs} ms`, async (t) => {
      const before = new Set(await databases());
      const started = await start(op, n);
      await new Promise((r) => setTimeout(r, delayMs));
      await kill9();
      await startServer();

      const job = await ok(`dpvault job show --ids "${started.jobId}"`);
      assert.notEqual(job.properties.status, 'InProgress', 'no job still says it runs');
      t.diagnostic(`${op}: ${job.properties.status}${job.properties.errorDetails ? ` (${job.properties.errorDetails[0].code}: ${job.properties.errorDetails[0].message})` : ''}`);
      outcomes.push(job.properties.status);
      const now = await databases();
      const added = now.filter((d) => !before.has(d));
      if (started.db) {
        if (job.properties.status === 'Completed') {
          assert.deepEqual(added, [started.db]);
          assert.deepEqual(await compareDatabases({ cluster: pgc, db: 'appdb' }, { cluster: pgc, db: started.db }), []);
          await pgc.query('postgres', `DROP DATABASE ${started.db}`);
        } else {
          assert.deepEqual(added, [], `nothing half-built is visible: ${added.join(', ')}`);
        }
      } else {
        assert.deepEqual(added, [], 'no database appeared');
      }
      const files = filesUnder(filesDir);
      assert.deepEqual(files.filter((f) => /partial|\.tmp/.test(f)), [], 'no partial file is left');
      if (started.file) {
        const mine = files.filter((f) => f.includes(started.file!));
        if (job.properties.status === 'Completed') assert.ok(mine.length > 0);
        else assert.deepEqual(mine, [], 'a failed restore as files leaves no file');
        for (const f of mine) rmSync(f);
      }
      if (job.properties.status === 'Failed') assert.ok(job.properties.errorDetails?.[0]?.message, 'a failed job says why');

      // The next backup and restore are equal.
      const next = await waitJob((await ok('dpvault backup-instance adhoc-backup -n app -g rg -v vault --rule-name BackupWeekly')).jobId);
      assert.equal(next.properties.status, 'Completed', JSON.stringify(next.properties.errorDetails));
      await restoreEqual(`crash_check_${n}`);
    });
  });

  it('the kills interrupted work (not only finished jobs)', { skip: !FULL && 'a sample may happen to kill only after jobs ended' }, () => {
    assert.ok(outcomes.filter((o) => o === 'Failed').length >= POINTS / 4, outcomes.join(', '));
  });

  it('once the grace period has passed, maintenance brings the space back to what the live points need', async () => {
    await kill9();
    // The service again on the same directory, its clock past the grace period of what the kills left.
    const clock = new ManualClock(new Date(Date.now() + 49 * 3_600_000).toISOString());
    const svc = await startService({ dataDir, port: 0, clock });
    try {
      endpoint = svc.url;
      const maint = await waitJob((await ok('dpvault vault maintain -g rg -v vault')).jobId);
      assert.equal(maint.properties.status, 'Completed', JSON.stringify(maint.properties.errorDetails));
      const verify = await waitJob((await ok('dpvault vault verify -g rg -v vault')).jobId);
      assert.equal(verify.properties.status, 'Completed', JSON.stringify(verify.properties.errorDetails));
    } finally {
      await svc.close();
    }
    // What the live points need: the blobs holding a chunk some manifest lists, and the trailers.
    const storage = new FsStorage(join(dataDir, 'backup-data', 'rg--vault', 'VaultStore'));
    const master = loadOrCreateMasterKey(dataDir);
    const repo = await Repository.open(storage, master, { clock });
    const { keys } = await openConfig(storage, master);
    const live = new Set<string>();
    for (const m of await repo.listManifests()) for await (const id of repo.chunkIds(m.id)) live.add(id);
    let total = 0;
    let dead = 0;
    for await (const info of storage.list('packs/')) {
      total += info.size;
      const entries = await readTrailer(storage, keys.dataKey, packIdOf(info.name)!, info.size);
      for (const blob of blobsOf(entries)) if (!blob.entries.some((e) => live.has(e.id))) dead += blob.length;
    }
    assert.ok(total > 0);
    assert.ok(dead <= 0.05 * (total - dead), `${dead} of ${total} stored bytes are no live point's`);
  });
});
