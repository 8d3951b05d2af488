// Where a restore as files may write (issue 17, item 6), tried adversarially through the real API
// in-process and real files: a directory target outside every --restore-files-root, inside the
// data directory, reached through `..` or a symbolic link, or relative, is refused with a 400 by
// both validateRestore and restore, and nothing is written, queued or recorded. The job checks
// again before it writes: a directory swapped for a link after the request fails the job.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../src/api/app.ts';
import { buildRouter } from '../../src/api/routes/index.ts';
import { runRestoreJob } from '../../src/jobs/restore-job.ts';
import { listJobs, loadJob } from '../../src/services/jobs.ts';
import { protectedFixture, type Fixture } from '../jobs/protected-fixture.ts';
import { scratchDir } from '../support/scratch.ts';

const API = '2026-03-01';

describe('restore as files: only below an allowed root', () => {
  let fx: Fixture;
  let app: App;
  let pointName: string;
  const root = scratchDir('dpvault-files-root-');
  const outside = scratchDir('dpvault-files-outside-');
  before(async () => {
    fx = await protectedFixture('2026-11-24T00:00:00.000Z');
    app = createApp(buildRouter(), { context: fx.ctx });
    const group = await app.request('PUT', `/subscriptions/${fx.ctx.subscriptionId}/resourcegroups/rg?api-version=2024-11-01`, { body: { location: 'westus' } });
    assert.equal(group.status, 201, JSON.stringify(group.body));
    pointName = (await fx.addPoint('2026-11-23T22:00:00.000Z', 'Default', 'the dump bytes')).name;
  });
  after(() => fx.close());

  const body = (url: string, filePrefix = 'appdb') => ({
    objectType: 'AzureBackupRecoveryPointBasedRestoreRequest', recoveryPointId: pointName, sourceDataStoreType: 'VaultStore',
    restoreTargetInfo: { objectType: 'RestoreFilesTargetInfo', restoreLocation: 'westus', recoveryOption: 'FailIfExists', targetDetails: { url, filePrefix, restoreTargetLocationType: 'AzureBlobs' } },
  });
  const state = async () => ({ jobs: (await listJobs(fx.ctx, { vaultId: fx.vaultId })).length, tasks: (await fx.ctx.queue.list('queued')).length });
  const post = (action: string, payload: unknown) => app.request('POST', `${fx.instanceId}/${action}?api-version=${API}`, { body: payload });

  /** Both the dry run and the restore answer 400 with `code` and a message matching `message`; nothing changes. */
  async function refused(url: string, code: string, message: RegExp, roots: string[] = [root]): Promise<void> {
    fx.ctx.restoreFilesRoots = roots;
    const before = await state();
    for (const [action, payload] of [['validateRestore', { restoreRequestObject: body(url) }], ['restore', body(url)]] as const) {
      const res = await post(action, payload);
      assert.equal(res.status, 400, `${action} ${url}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, code, `${action} ${url}`);
      assert.match(res.body.error.message, message, `${action} ${url}`);
    }
    assert.deepEqual(await state(), before);
  }

  it('with no root set, every directory target is refused, naming the setting', async () => {
    await refused(root, 'UserErrorRestoreTargetNotAllowed', /--restore-files-root DIR \(or DPVAULT_RESTORE_FILES_ROOT\)/, []);
    assert.deepEqual(readdirSync(root), []);
  });

  for (const dir of ['/etc', '/root', '/']) {
    it(`refuses ${dir}, outside the root`, async () => {
      await refused(dir, 'UserErrorRestoreTargetNotAllowed', /is not under a directory this server lets restores write to/);
      assert.equal(existsSync(join(dir, 'appdb.dump')), false);
      assert.equal(existsSync(join(dir, 'appdb.dump.partial')), false);
    });
  }

  it('refuses the data directory and its backup-data folder, even under an allowed root', async () => {
    assert.ok(existsSync(join(fx.dataDir, 'backup-data')));
    for (const dir of [fx.dataDir, join(fx.dataDir, 'backup-data'), `file://${join(fx.dataDir, 'backup-data')}`]) {
      await refused(dir, 'UserErrorRestoreTargetNotAllowed', /inside the server's data directory/, [tmpdir(), fx.dataDir]);
    }
    assert.equal(existsSync(join(fx.dataDir, 'appdb.dump')), false);
    assert.equal(existsSync(join(fx.dataDir, 'backup-data', 'appdb.dump')), false);
  });

  it('refuses a `..` escape and a symbolic link out of the root', async () => {
    await refused(`${root}/../${outside.split('/').pop()}`, 'UserErrorRestoreTargetNotAllowed', /resolved to '.*dpvault-files-outside-/);
    await refused(`${root}/../../etc`, 'UserErrorRestoreTargetNotAllowed', /resolved to '\/etc'/);
    symlinkSync(outside, join(root, 'link-out'));
    symlinkSync(fx.dataDir, join(root, 'link-data'));
    await refused(join(root, 'link-out'), 'UserErrorRestoreTargetNotAllowed', /resolved to '.*dpvault-files-outside-/);
    await refused(join(root, 'link-data'), 'UserErrorRestoreTargetNotAllowed', /inside the server's data directory/);
    assert.deepEqual(readdirSync(outside), []);
  });

  it('refuses a relative path', async () => {
    await refused('restores', 'UserErrorInvalidRequestParameter', /relative path/);
    await refused('../restores', 'UserErrorInvalidRequestParameter', /relative path/);
  });

  it('accepts a directory under the root, also when the root itself is reached through a link', async () => {
    const linkedRoot = join(outside, 'root-link');
    symlinkSync(root, linkedRoot);
    fx.ctx.restoreFilesRoots = [linkedRoot];
    const target = join(root, 'ok');
    mkdirSync(target);
    const check = await post('validateRestore', { restoreRequestObject: body(target) });
    assert.equal(check.status, 202, JSON.stringify(check.body));
    const res = await post('restore', body(target));
    assert.equal(res.status, 202, JSON.stringify(res.body));
    rmSync(linkedRoot);
  });

  it('the job checks again: a directory swapped for a link out of the root after the request fails the job, writing nothing', async () => {
    fx.ctx.restoreFilesRoots = [root];
    const target = join(root, 'swapped');
    mkdirSync(target);
    const res = await post('restore', body(target, 'swapped'));
    assert.equal(res.status, 202, JSON.stringify(res.body));
    await fx.ctx.background.idle();
    const task = (await fx.ctx.queue.list('queued')).find((t) => t.kind === 'restore' && t.payload.destination === join(target, 'swapped.dump'));
    assert.ok(task?.kind === 'restore');
    rmSync(target, { recursive: true });
    symlinkSync(outside, target);
    await runRestoreJob(fx.ctx, task.payload);
    const job = await loadJob(fx.ctx, task.payload.jobId);
    assert.equal(job?.properties.status, 'Failed');
    assert.equal(job?.properties.errorDetails?.[0]?.code, 'UserErrorRestoreTargetNotAllowed');
    assert.deepEqual(readdirSync(outside), []);
  });
});
