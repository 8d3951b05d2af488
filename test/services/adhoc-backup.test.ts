// The on-demand backup workflow as a service (it moved out of the route file): a bad request
// changes nothing (no job, no task); a good one records a Backup job with its retention tag, queues
// one backup task naming the job and answers with an operation; a second one while the first runs
// is refused.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BackupVault } from '../../src/domain/vault.ts';
import { DpError } from '../../src/domain/errors.ts';
import { triggerAdhocBackup } from '../../src/services/adhoc-backup.ts';
import { listJobs } from '../../src/services/jobs.ts';
import { protectedFixture, type Fixture } from '../jobs/protected-fixture.ts';

describe('triggerAdhocBackup', () => {
  let fx: Fixture;
  let vault: BackupVault;
  before(async () => {
    fx = await protectedFixture('2026-11-24T00:00:00.000Z');
    vault = (await fx.ctx.catalog.getResource<BackupVault>(fx.vaultId))!.body;
  });
  after(() => fx.close());
  const trigger = async (body: unknown) => triggerAdhocBackup(fx.ctx, vault, await fx.instance(), body);
  const refusal = async (body: unknown): Promise<string> => {
    try {
      await trigger(body);
    } catch (e) {
      assert.ok(e instanceof DpError, String(e));
      return e.code;
    }
    return 'none';
  };
  const state = async () => ({ jobs: (await listJobs(fx.ctx, { vaultId: vault.id })).length, tasks: (await fx.ctx.queue.list('queued')).length });
  const rule = (ruleName: string, retentionTagOverride?: string) => ({ backupRuleOptions: { ruleName, triggerOption: { retentionTagOverride } } });

  it('refuses a rule the policy does not have, or a tag its rule does not give, changing nothing', async () => {
    const before = await state();
    assert.equal(await refusal(rule('NoSuchRule')), 'UserErrorInvalidBackupRuleName');
    assert.equal(await refusal(rule('Monthly', 'Default')), 'UserErrorInvalidBackupRuleName');
    assert.equal(await refusal(rule('BackupWeekly', 'Yearly')), 'UserErrorInvalidRetentionTag');
    assert.deepEqual(await state(), before);
  });

  it('refuses an instance whose backups are suspended', async () => {
    await fx.setInstance((i) => (i.properties.currentProtectionState = 'BackupsSuspended'));
    try {
      assert.equal(await refusal(rule('BackupWeekly')), 'UserErrorInvalidOperationForProtectionState');
      assert.deepEqual(await state(), { jobs: 0, tasks: 0 });
    } finally {
      await fx.setInstance((i) => (i.properties.currentProtectionState = 'ProtectionConfigured'));
    }
  });

  it('records the job, queues its task and answers with an operation naming the job', async () => {
    const op = await trigger(rule('Monthly'));
    await fx.ctx.background.idle();
    const [job] = await listJobs(fx.ctx, { vaultId: vault.id });
    assert.equal(job?.properties.operationCategory, 'Backup');
    assert.equal(job?.properties.extendedInfo.additionalDetails?.RetentionTag, 'Monthly');
    const tasks = await fx.ctx.queue.list('queued');
    assert.deepEqual(tasks.map((t) => [t.kind, t.payload]), [['backup', { jobId: job!.id, retentionTagOverride: 'Monthly' }]]);
    const instance = await fx.instance();
    assert.equal(tasks[0]!.group, `datasource:${instance.properties.dataSourceInfo.resourceID.toLowerCase()}`, 'one backup or restore of the datasource at a time');
    const done = await fx.ctx.catalog.getOperation(op.id);
    assert.equal(done?.status, 'Succeeded');
    assert.equal(done?.properties?.jobId, job!.id);
  });

  it('refuses a second backup while the first is running', async () => {
    assert.equal(await refusal(rule('BackupWeekly')), 'UserErrorAnotherBackupInProgress');
    assert.deepEqual(await state(), { jobs: 1, tasks: 1 });
  });
});
