// The restore workflows as services (they moved out of the route file): a request that names no
// recovery point of the instance changes nothing, its validation fails its operation, and a good
// restore as files records a Restore job and queues one restore task naming the job and the plan.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackupVault } from '../../src/domain/vault.ts';
import { DpError } from '../../src/domain/errors.ts';
import { listJobs } from '../../src/services/jobs.ts';
import { triggerRestore, validateRestore } from '../../src/services/restore-trigger.ts';
import { protectedFixture, type Fixture } from '../jobs/protected-fixture.ts';

describe('triggerRestore and validateRestore', () => {
  let fx: Fixture;
  let vault: BackupVault;
  let pointName: string;
  const dir = mkdtempSync(join(tmpdir(), 'dpvault-restore-to-'));
  before(async () => {
    fx = await protectedFixture('2026-11-24T00:00:00.000Z');
    fx.ctx.restoreFilesRoots = [dir];
    vault = (await fx.ctx.catalog.getResource<BackupVault>(fx.vaultId))!.body;
    pointName = (await fx.addPoint('2026-11-23T22:00:00.000Z', 'Default')).name;
  });
  after(async () => {
    await fx.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const request = (recoveryPointId: string) => ({
    objectType: 'AzureBackupRecoveryPointBasedRestoreRequest', recoveryPointId, sourceDataStoreType: 'VaultStore',
    restoreTargetInfo: { objectType: 'RestoreFilesTargetInfo', restoreLocation: 'westus', recoveryOption: 'FailIfExists', targetDetails: { url: dir, filePrefix: 'appdb', restoreTargetLocationType: 'AzureBlobs' } },
  });
  const state = async () => ({ jobs: (await listJobs(fx.ctx, { vaultId: vault.id })).length, tasks: (await fx.ctx.queue.list('queued')).length });

  it('refuses a recovery point the instance does not have, changing nothing; its validation fails the operation', async () => {
    const before = await state();
    const refused = await triggerRestore(fx.ctx, vault, await fx.instance(), request('no-such-point')).catch((e: unknown) => e);
    assert.ok(refused instanceof DpError);
    assert.equal(refused.code, 'UserErrorRecoveryPointNotFound');
    const op = await validateRestore(fx.ctx, vault, await fx.instance(), { restoreRequestObject: request('no-such-point') });
    await fx.ctx.background.idle();
    assert.equal((await fx.ctx.catalog.getOperation(op.id))?.error?.code, 'UserErrorRecoveryPointNotFound');
    assert.deepEqual(await state(), before);
  });

  it('validates a good request without a job, and queues it as a Restore job with its task', async () => {
    const checked = await validateRestore(fx.ctx, vault, await fx.instance(), { restoreRequestObject: request(pointName) });
    await fx.ctx.background.idle();
    assert.equal((await fx.ctx.catalog.getOperation(checked.id))?.status, 'Succeeded');
    assert.deepEqual(await state(), { jobs: 0, tasks: 0 });
    const op = await triggerRestore(fx.ctx, vault, await fx.instance(), request(pointName));
    await fx.ctx.background.idle();
    const [job] = await listJobs(fx.ctx, { vaultId: vault.id });
    assert.equal(job?.properties.operationCategory, 'Restore');
    const [task] = await fx.ctx.queue.list('queued');
    assert.equal(task?.kind, 'restore');
    assert.ok(task?.kind === 'restore');
    assert.deepEqual([task.payload.jobId, task.payload.recoveryPointId, task.payload.instanceId, task.payload.destination], [job!.id, pointName, fx.instanceId, join(dir, 'appdb.dump')]);
    assert.equal((await fx.ctx.catalog.getOperation(op.id))?.properties?.jobId, job!.id);
    const instance = await fx.instance();
    assert.equal(task.group, `datasource:${instance.properties.dataSourceInfo.resourceID.toLowerCase()}`, 'in the group of its datasource\'s backups');
  });
});
