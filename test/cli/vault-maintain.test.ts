// `dpvault vault maintain` against a real service over HTTP: it answers with the job of a
// maintenance run (or nothing with --no-wait), the job records what it did, the timer queues the
// same job for every vault, and an unknown vault is refused with ARM's error and no job.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main.ts';
import { vaultStoreKey } from '../../src/domain/recovery-point-store.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { startTestService, type TestService } from '../support/service.ts';

let svc: TestService;
const clock = new ManualClock(new Date());
const HOUR = 3_600_000;
let sub: string;
const vaultId = () => `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DataProtection/backupVaults/vault`;

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string; json: any }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: { DPVAULT_ENDPOINT: svc.url, DPVAULT_HOME: svc.dataDir, DPVAULT_CONFIG_DIR: process.env.DPVAULT_CONFIG_DIR }, isTty: false });
  return { code, stdout, stderr, json: stdout.trim() ? JSON.parse(stdout) : undefined };
}

async function ok(...argv: string[]): Promise<any> {
  const r = await run(...argv);
  assert.equal(r.code, 0, r.stderr);
  return r.json;
}

async function finished(jobId: string): Promise<any> {
  for (;;) {
    await svc.worker.drain();
    const job = (await svc.http('GET', `${jobId}`)).body;
    if (job.properties.status !== 'InProgress') return job;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const maintenanceJobs = async (): Promise<any[]> =>
  ((await svc.http('GET', `${vaultId()}/backupJobs`)).body.value as any[]).filter((j) => j.properties.operation === 'Maintenance');

before(async () => {
  svc = await startTestService({ clock });
  sub = svc.ctx.subscriptionId;
  await ok('group', 'create', '-n', 'rg', '-l', 'westus');
  await ok('dataprotection', 'backup-vault', 'create', '-g', 'rg', '--vault-name', 'vault', '-l', 'westus', '--type', 'SystemAssigned',
    '--storage-settings', 'datastore-type=VaultStore', 'type=LocallyRedundant');
  // Some backup data in the vault's store, as a backup leaves it.
  await svc.ctx.store.write({ vaultKey: vaultStoreKey(vaultId()), datastore: 'VaultStore', recoveryPointId: 'rp1' }, Readable.from([Buffer.alloc(300_000, 7)]));
});
after(() => svc.close());

describe('dpvault vault maintain', () => {
  it('runs the vault\'s maintenance now and answers with its job id', async () => {
    const out = await ok('vault', 'maintain', '-g', 'rg', '-v', 'vault');
    assert.equal(out.objectType, 'OperationJobExtendedInfo');
    assert.match(out.jobId, /\/backupJobs\/[0-9a-f-]{36}$/);
    const job = await finished(out.jobId);
    assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
    assert.equal(job.properties.operationCategory, 'Management');
    assert.equal(job.properties.operation, 'Maintenance');
    assert.equal(job.properties.isUserTriggered, true);
    const d = job.properties.extendedInfo.additionalDetails;
    assert.equal(d.Datastores, 'VaultStore');
    assert.ok(Number(d.StoredBytes) > 0, JSON.stringify(d));
    assert.equal(d.BytesFreed, '0', 'nothing to free: the only recovery point is live');
  });

  it('with --no-wait prints nothing and the job still runs', async () => {
    const before = (await maintenanceJobs()).length;
    const r = await run('vault', 'maintain', '-g', 'rg', '-v', 'vault', '--no-wait');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), '');
    const jobs = await maintenanceJobs();
    assert.equal(jobs.length, before + 1);
    for (const j of jobs) assert.equal((await finished(j.id)).properties.status, 'Completed');
  });

  it('refuses an unknown vault with ResourceNotFound and queues nothing', async () => {
    const before = (await maintenanceJobs()).length;
    const r = await run('vault', 'maintain', '-g', 'rg', '-v', 'novault');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\(ResourceNotFound\).*novault/);
    const raw = await svc.http('POST', `${vaultId()}x/maintain`);
    assert.equal(raw.status, 404);
    assert.equal(raw.body.error.code, 'ResourceNotFound');
    assert.equal((await maintenanceJobs()).length, before);
  });

  it('its schedule queues the same job for every vault once a day by the service\'s clock, not user-triggered', async () => {
    assert.deepEqual(await svc.maintenance.tick(24 * HOUR), [], 'a first start only notes the time');
    clock.advance(23 * HOUR);
    assert.deepEqual(await svc.maintenance.tick(24 * HOUR), [], 'not due yet');
    clock.advance(HOUR);
    const [jobId, ...more] = await svc.maintenance.tick(24 * HOUR);
    assert.equal(more.length, 0, 'one vault, one job');
    assert.deepEqual(await svc.maintenance.tick(24 * HOUR), [], 'not again until the next day');
    const job = await finished(jobId!);
    assert.equal(job.properties.status, 'Completed');
    assert.equal(job.properties.isUserTriggered, false);
    assert.equal(job.properties.operation, 'Maintenance');
  });
});
