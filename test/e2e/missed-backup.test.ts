// The Missed Backup alert end to end: a real server on an injected clock, a real PostgreSQL, the
// real CLI and a webhook the test serves. The instance's backups stop working (the key vault's
// secret gets a wrong password): the scheduled backup fails, and once the grace after its due time
// has passed the scheduler's tick raises one Missed Backup alert (listed by `dpvault alert list`,
// delivered to the webhook), never a second for the same occurrence; the next backup that completes
// resolves and closes it; and an instance whose protection is stopped raises none.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type RunningService } from '../../src/app.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { shopSql } from '../support/pg-fixtures.ts';
import { scratchDir } from '../support/scratch.ts';
import { shellSession } from '../support/shell.ts';
import { createProtectionResources, protectAndBackUp } from '../support/protection-resources.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const PASSWORD = 'M1ssed-backup-pw';
// Wednesday; the default policy backs up on Sundays at 06:30 UTC, with a grace of a tenth of a
// week (16.8 h, more than the hour's minimum): Sunday's backup is overdue from 23:18.
const START = '2025-01-08T12:00:00.000Z';
const clock = new ManualClock(START);
let pgc: PgCluster;
let svc: RunningService;
let dataDir: string;
let cwd: string;
let receiver: WebhookReceiver;
const delivered: { data: { essentials: { alertRule: string; monitorCondition: string } } }[] = [];
const session = shellSession(() => ({ cwd, endpoint: svc.url, dataDir }));
const { ok, waitJob } = session;
const secret = (password: string) => `"postgres://backupuser:${password}@127.0.0.1:${pgc.port}/postgres?sslmode=disable"`;
const missed = async () => (await ok('dpvault alert list -g rg --vault vault')).filter((a: any) => a.properties.essentials.alertRule === 'Missed Backup');

/** Sets the clock and ticks the scheduler; waits for the jobs and deliveries it queued. */
async function tickAt(iso: string) {
  clock.set(iso);
  const report = await svc.scheduler.tick();
  for (const q of report.queued) await waitJob(q.jobId);
  for (let i = 0; i < 200 && (await svc.ctx.queue.list('queued')).some((t) => t.kind === 'alertDelivery' && t.runAt <= iso); i++) await new Promise((r) => setTimeout(r, 50));
  await svc.worker.drain();
  return report;
}

before(async () => {
  pgc = await startCluster();
  await pgc.createDatabase('shop', shopSql(20));
  await pgc.createRole('backupuser', PASSWORD, { login: true, superuser: true });
  receiver = await startWebhookReceiver((_path, body) => {
    delivered.push(body as (typeof delivered)[number]);
    return 204;
  });
  dataDir = mkdtempSync(join(tmpdir(), 'dpvault-missed-'));
  cwd = scratchDir('dpvault-missed-cli-');
  // The scheduler's own timer is slowed: only the test's ticks run it.
  svc = await startService({
    dataDir, port: 0, clock, schedulerIntervalMs: 3_600_000, retentionIntervalMs: 3_600_000,
    alertWebhooks: [`${receiver.origin}/hook`],
  });
  const { sub, policyId } = await createProtectionResources(ok, pgc.port, 'kvmissed');
  await ok(`dpvault keyvault secret set --vault-name kvmissed -n pg --value ${secret(PASSWORD)} -o none`);
  const principal = (await ok('dpvault backup-vault show -g rg -v vault')).identity.principalId as string;
  await ok(`dpvault keyvault set-policy -n kvmissed --object-id ${principal} --secret-permissions get list -o none`);
  await protectAndBackUp(session, cwd, { sub, policyId, keyVault: 'kvmissed', name: 'app' });
});
after(async () => {
  await svc?.close();
  await pgc?.stop();
  receiver?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('Missed Backup alert', () => {
  it('fires once when the backup due has not succeeded by the end of its grace, and is resolved by the next backup that completes', async () => {
    await ok(`dpvault keyvault secret set --vault-name kvmissed -n pg --value ${secret('not-the-password')} -o none`);
    const sunday = await tickAt('2025-01-12T06:30:00.000Z');
    assert.equal(sunday.queued.length, 1);
    assert.equal((await ok(`dpvault job show --ids "${sunday.queued[0]!.jobId}"`)).properties.status, 'Failed');
    assert.deepEqual((await tickAt('2025-01-12T23:17:59.000Z')).alerts, []);
    assert.deepEqual(await missed(), [], 'the grace has not passed');

    assert.equal((await tickAt('2025-01-12T23:18:00.000Z')).alerts.length, 1);
    await tickAt('2025-01-12T23:30:00.000Z');
    const [alert, ...more] = await missed();
    assert.equal(more.length, 0, 'one alert per missed occurrence, not one per tick');
    const e = alert.properties.essentials;
    assert.deepEqual([e.severity, e.alertState, e.monitorCondition, e.targetResourceName, e.startDateTime], ['Sev1', 'New', 'Fired', 'app', '2025-01-12T23:18:00.000Z']);
    assert.equal(alert.properties.context.backupDueDateTime, '2025-01-12T06:30:00.000Z');
    assert.equal(alert.properties.context.lastSuccessfulBackupDateTime, START, 'the backup taken when protecting');
    assert.match(e.description, /due at 2025-01-12T06:30:00\.000Z has not succeeded by 2025-01-12T23:18:00\.000Z; the last successful backup ended at 2025-01-08T12:00:00\.000Z/);
    assert.deepEqual(alert.properties.deliveries.map((d: any) => d.status), ['Delivered']);
    assert.deepEqual(delivered.filter((d) => d.data.essentials.alertRule === 'Missed Backup').map((d) => d.data.essentials.monitorCondition), ['Fired']);

    // The password is put right; the next backup completes and resolves the alert.
    await ok(`dpvault keyvault secret set --vault-name kvmissed -n pg --value ${secret(PASSWORD)} -o none`);
    clock.set('2025-01-13T08:00:00.000Z');
    const job = await waitJob((await ok('dpvault backup-instance adhoc-backup -n app -g rg -v vault --rule-name BackupWeekly')).jobId);
    assert.equal(job.properties.status, 'Completed');
    const resolved = await ok(`dpvault alert show -n ${alert.id.split('/').pop()}`);
    assert.deepEqual(
      [resolved.properties.essentials.alertState, resolved.properties.essentials.monitorCondition, resolved.properties.essentials.monitorConditionResolvedDateTime],
      ['Closed', 'Resolved', '2025-01-13T08:00:00.000Z'],
    );
  });

  it('raises none for an instance whose protection is stopped', async () => {
    await ok(`dpvault keyvault secret set --vault-name kvmissed -n pg --value ${secret('not-the-password')} -o none`);
    clock.set('2025-01-14T08:00:00.000Z');
    await ok('dpvault backup-instance stop-protection -n app -g rg -v vault');
    const next = await tickAt('2025-01-19T06:30:00.000Z');
    assert.deepEqual(next.queued, []);
    assert.ok(next.skipped.some((id) => id.endsWith('/backupInstances/app')));
    assert.deepEqual((await tickAt('2025-01-20T12:00:00.000Z')).alerts, []);
    assert.equal((await missed()).length, 1, 'only the first test\'s alert');
  });
});
