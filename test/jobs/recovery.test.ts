// Start-up after a crash: a long-running operation left Inprogress is failed with a clear error
// (a client polling it is not left waiting forever), one that finished is untouched, and the
// temporary files of interrupted writes are removed while finished files stay; queued work is
// failed at start-up only where its lease is over (the embedded server ends the leases of its
// previous instances first).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, test } from 'node:test';
import { startService } from '../../src/app.ts';
import type { BackupVault } from '../../src/domain/vault.ts';
import { failExpiredTasks, recoverInterruptedWork } from '../../src/jobs/recovery.ts';
import { backupDataStorage } from '../../src/storage/factory.ts';
import { createJob, loadJob } from '../../src/services/jobs.ts';
import { protectedFixture, type Fixture } from './protected-fixture.ts';

test('operations left Inprogress and partial files do not survive a restart', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dpvault-recovery-'));
  try {
    const first = await startService({ dataDir, port: 0 });
    const base = { resourceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.DataProtection/backupVaults/v', startTime: '2026-11-24T00:00:00.000Z' };
    await first.ctx.catalog.putOperation({ ...base, id: 'op-running', status: 'Inprogress', endTime: null });
    await first.ctx.catalog.putOperation({ ...base, id: 'op-done', status: 'Succeeded', endTime: '2026-11-24T00:00:01.000Z', properties: { ok: true } });
    await first.close();
    const packs = join(dataDir, 'backup-data', 'rg--v', 'VaultStore', 'packs', 'ab');
    mkdirSync(packs, { recursive: true });
    writeFileSync(join(packs, '.abcd.0123456789ab.tmp'), 'half a pack');
    writeFileSync(join(packs, 'abcd'), 'a whole pack');

    const second = await startService({ dataDir, port: 0 });
    try {
      const op = await second.ctx.catalog.getOperation('op-running');
      assert.equal(op?.status, 'Failed');
      assert.equal(op?.error?.code, 'OperationInterrupted');
      assert.ok(op?.endTime);
      assert.deepEqual(await second.ctx.catalog.getOperation('op-done'), { ...base, id: 'op-done', status: 'Succeeded', endTime: '2026-11-24T00:00:01.000Z', properties: { ok: true } });
      assert.equal(existsSync(join(packs, '.abcd.0123456789ab.tmp')), false);
      assert.equal(existsSync(join(packs, 'abcd')), true);
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

describe('start-up recovery of queued work, by lease', () => {
  const HOUR = 3_600_000;
  let fx: Fixture;
  before(async () => {
    fx = await protectedFixture('2026-11-24T00:00:00.000Z');
  });
  after(() => fx.close());

  /** A maintenance job and its task, claimed by `holder` for `leaseMs` from now. */
  async function claimedJob(holder: string, leaseMs: number): Promise<{ jobId: string; taskId: number }> {
    const vault = (await fx.ctx.catalog.getResource<BackupVault>(fx.vaultId))!.body;
    const job = await createJob(fx.ctx, { vault, instance: null, policy: null, category: 'Management', operation: 'Maintenance', isUserTriggered: true, taskName: 'Maintain backup data' });
    const now = fx.clock.now();
    await fx.ctx.queue.enqueue('maintenance', { jobId: job.id }, { runAt: now.toISOString() });
    const task = await fx.ctx.queue.claim(holder, { now: now.toISOString(), leaseUntil: new Date(now.getTime() + leaseMs).toISOString() });
    assert.equal(task?.kind === 'maintenance' ? task.payload.jobId : undefined, job.id);
    return { jobId: job.id, taskId: task!.id };
  }
  const status = async (jobId: string) => (await loadJob(fx.ctx, jobId))?.properties;
  const running = async () => (await fx.ctx.queue.list('running')).map((t) => t.id);

  it('fails only the tasks whose lease is over; one another process still holds keeps running', async () => {
    const gone = await claimedJob('dead-process/worker-1', HOUR);
    const live = await claimedJob('live-process/worker-1', 10 * HOUR);
    fx.clock.advance(2 * HOUR);
    assert.equal(await failExpiredTasks(fx.ctx, fx.clock.now().toISOString()), 1);
    assert.equal((await status(gone.jobId))?.status, 'Failed');
    assert.equal((await status(gone.jobId))?.errorDetails?.[0]?.code, 'JobInterrupted');
    assert.equal((await status(live.jobId))?.status, 'InProgress');
    assert.deepEqual(await running(), [live.taskId]);
    await fx.ctx.queue.complete(live.taskId);
  });

  it('in the embedded server, ends the leases of its previous instances (not its own) and fails their tasks', async () => {
    const previous = await claimedJob('server-previous/worker-1', 24 * HOUR);
    const own = await claimedJob('server-current/worker-1', 24 * HOUR);
    assert.equal(await recoverInterruptedWork(fx.ctx, backupDataStorage(fx.dataDir), 'server-current/'), 1);
    assert.equal((await status(previous.jobId))?.errorDetails?.[0]?.code, 'JobInterrupted');
    assert.equal((await status(own.jobId))?.status, 'InProgress');
    assert.deepEqual(await running(), [own.taskId]);
    await fx.ctx.queue.complete(own.taskId);
  });
});

test('a task a stopped server was running is failed at the next start, however long its lease', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dpvault-recovery-'));
  try {
    const first = await startService({ dataDir, port: 0 });
    await first.worker.stop();
    const now = first.ctx.clock.now();
    await first.ctx.queue.enqueue('verify', { jobId: 'no-such-job', samplePercent: 1 }, { runAt: now.toISOString() });
    const task = await first.ctx.queue.claim('a-worker-of-this-instance', { now: now.toISOString(), leaseUntil: new Date(now.getTime() + 24 * 3_600_000).toISOString() });
    assert.ok(task);
    await first.close();
    const second = await startService({ dataDir, port: 0 });
    try {
      const failed = await second.ctx.queue.list('failed');
      assert.deepEqual(failed.map((t) => [t.id, t.lastError]), [[task.id, 'interrupted by a server stop']]);
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
