// Missed Backup alerts from the scheduler's tick, against a real catalog with an injected clock
// walking past due times: the seed's schedule (Sun, Wed, Fri 22:00 UTC) whose backups never run
// (no worker takes them), so each occurrence's grace ends without a success. One alert per missed
// occurrence, never two; resolved and closed when a backup completes; none for an instance whose
// protection is suspended or stopped, nor for an occurrence that fell in the stop.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Scheduler } from '../../src/scheduler/scheduler.ts';
import { createJob, finishJob, listJobs } from '../../src/services/jobs.ts';
import { listAlerts } from '../../src/services/alerts.ts';
import { setProtectionState } from '../../src/services/backup-instances.ts';
import type { BackupVault } from '../../src/domain/vault.ts';
import type { MissedBackupContext } from '../../src/domain/alert.ts';
import { protectedFixture, type Fixture } from '../jobs/protected-fixture.ts';

let fx: Fixture;
let scheduler: Scheduler;
beforeEach(async () => {
  fx = await protectedFixture('2025-01-01T00:00:00Z');
  scheduler = new Scheduler(fx.ctx);
});
afterEach(() => fx.close());

const tickAt = (iso: string) => {
  fx.clock.set(iso);
  return scheduler.tick();
};
const missedAlerts = async () => (await listAlerts(fx.ctx, {})).filter((a) => a.properties.essentials.alertRule === 'Missed Backup').reverse();
const vault = async () => (await fx.ctx.catalog.getResource<BackupVault>(fx.vaultId))!.body;

/** A backup of the instance that completes at `iso` (an on-demand one; any completed backup counts). */
async function backupCompletesAt(iso: string): Promise<void> {
  fx.clock.set(iso);
  const job = await createJob(fx.ctx, { vault: await vault(), instance: await fx.instance(), policy: null, category: 'Backup', isUserTriggered: true, taskName: 'Trigger Backup' });
  await finishJob(fx.ctx, job.id, {});
}

describe('Missed Backup alerts', () => {
  it('raises one alert when the backup due has not succeeded by the end of its grace, once, and resolves it when a backup completes', async () => {
    // Wednesday 22:00: the scheduled backup is queued, and never runs. Its grace: a tenth of the
    // three days since Sunday's occurrence, 7.2 h (more than the hour's minimum).
    assert.equal((await tickAt('2025-01-01T22:00:00Z')).queued.length, 1);
    assert.deepEqual((await tickAt('2025-01-02T05:11:59Z')).alerts, []);
    const tick = await tickAt('2025-01-02T05:12:00Z');
    assert.equal(tick.alerts.length, 1);
    const [alert, ...more] = await missedAlerts();
    assert.equal(more.length, 0);
    const e = alert!.properties.essentials;
    assert.deepEqual(
      [alert!.name, e.severity, e.alertState, e.monitorCondition, e.targetResource, e.targetResourceType, e.startDateTime, e.lastModifiedUserName],
      ['Missed Backup', 'Sev1', 'New', 'Fired', fx.instanceId, 'Microsoft.DataProtection/backupVaults/backupInstances', '2025-01-02T05:12:00.000Z', 'System'],
    );
    const c = alert!.properties.context as MissedBackupContext;
    assert.deepEqual([c.backupDueDateTime, c.overdueSinceDateTime, c.lastSuccessfulBackupDateTime, c.policyId], ['2025-01-01T22:00:00.000Z', '2025-01-02T05:12:00.000Z', null, fx.policyId()]);
    assert.match(e.description, /^The backup of pgsrv-appdb in vault vault due at 2025-01-01T22:00:00.000Z has not succeeded by 2025-01-02T05:12:00.000Z; no backup of it has ever succeeded\.$/);

    // Not on every tick, nor after a restart.
    assert.deepEqual((await tickAt('2025-01-02T06:00:00Z')).alerts, []);
    await fx.reopen();
    scheduler = new Scheduler(fx.ctx);
    assert.deepEqual((await tickAt('2025-01-02T07:00:00Z')).alerts, []);
    assert.equal((await missedAlerts()).length, 1);

    // Friday's occurrence is missed too: a second alert (its grace 4.8 h, two days after Wednesday's).
    await tickAt('2025-01-03T22:00:00Z');
    assert.deepEqual((await tickAt('2025-01-04T02:47:59Z')).alerts, []);
    assert.equal((await tickAt('2025-01-04T02:48:00Z')).alerts.length, 1);
    assert.deepEqual((await missedAlerts()).map((a) => (a.properties.context as MissedBackupContext).backupDueDateTime), ['2025-01-01T22:00:00.000Z', '2025-01-03T22:00:00.000Z']);

    // A backup completes: both are resolved and closed by the service.
    await backupCompletesAt('2025-01-04T03:00:00Z');
    for (const a of await missedAlerts()) {
      assert.deepEqual(
        [a.properties.essentials.alertState, a.properties.essentials.monitorCondition, a.properties.essentials.monitorConditionResolvedDateTime, a.properties.essentials.lastModifiedUserName],
        ['Closed', 'Resolved', '2025-01-04T03:00:00.000Z', 'System'],
      );
    }

    // Sunday's backup does not run: a third alert names the last success.
    await tickAt('2025-01-05T22:00:00Z');
    await tickAt('2025-01-06T02:48:00Z');
    const third = (await missedAlerts())[2]!;
    assert.equal(third.properties.essentials.monitorCondition, 'Fired');
    assert.equal((third.properties.context as MissedBackupContext).lastSuccessfulBackupDateTime, '2025-01-04T03:00:00.000Z');
    assert.match(third.properties.essentials.description, /due at 2025-01-05T22:00:00.000Z .*; the last successful backup ended at 2025-01-04T03:00:00.000Z\.$/);

    // Wednesday's completes within its grace: no alert.
    await tickAt('2025-01-08T22:00:00Z');
    await backupCompletesAt('2025-01-08T23:00:00Z');
    assert.deepEqual((await tickAt('2025-01-09T06:00:00Z')).alerts, []);
    assert.equal((await missedAlerts()).length, 3);
  });

  it('after a long stop of the server raises one alert, for the latest occurrence missed', async () => {
    await tickAt('2025-01-01T00:00:01Z');
    const tick = await tickAt('2025-01-13T09:00:00Z');
    assert.equal(tick.alerts.length, 1);
    assert.deepEqual((await missedAlerts()).map((a) => (a.properties.context as MissedBackupContext).backupDueDateTime), ['2025-01-12T22:00:00.000Z']);
  });

  it('honours the server\'s minimum grace (--missed-backup-grace) when it is longer than a tenth of the interval', async () => {
    fx.ctx.missedBackupGraceMs = 12 * 3_600_000;
    await tickAt('2025-01-01T22:00:00Z');
    assert.deepEqual((await tickAt('2025-01-02T09:59:59Z')).alerts, []);
    assert.equal((await tickAt('2025-01-02T10:00:00Z')).alerts.length, 1);
  });

  it('does not alert for an instance whose backups are suspended or whose protection is stopped, nor for occurrences in the stop once resumed', async () => {
    assert.deepEqual((await tickAt('2025-01-01T10:00:00Z')).alerts, []);
    fx.clock.set('2025-01-01T12:00:00Z');
    await setProtectionState(fx.ctx, await vault(), await fx.instance(), 'BackupsSuspended');
    for (const t of ['2025-01-01T22:00:00Z', '2025-01-02T06:00:00Z', '2025-01-03T22:00:00Z', '2025-01-04T06:00:00Z']) assert.deepEqual((await tickAt(t)).alerts, []);
    fx.clock.set('2025-01-04T12:00:00Z');
    await setProtectionState(fx.ctx, await vault(), await fx.instance(), 'ProtectionStopped');
    for (const t of ['2025-01-05T22:00:00Z', '2025-01-06T06:00:00Z']) assert.deepEqual((await tickAt(t)).alerts, []);
    // Resumed on Monday: Sunday's occurrence fell in the stop.
    fx.clock.set('2025-01-06T08:00:00Z');
    await setProtectionState(fx.ctx, await vault(), await fx.instance(), 'ProtectionConfigured');
    assert.deepEqual((await tickAt('2025-01-06T08:00:01Z')).alerts, []);
    assert.deepEqual(await missedAlerts(), []);
    assert.equal((await listJobs(fx.ctx, { vaultId: fx.vaultId })).length, 0);
    // Wednesday's, after the resume, alerts again.
    await tickAt('2025-01-08T22:00:00Z');
    assert.equal((await tickAt('2025-01-09T06:00:00Z')).alerts.length, 1);
  });
});
