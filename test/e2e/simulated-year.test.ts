// A year and more of scheduled protection of a real PostgreSQL database, on a simulated clock: the
// real server (scheduler, worker, retention worker) runs the seed's final policy (Sun/Wed/Fri
// 22:00 UTC; Default 3 months; the first backup of each month 6 months in the vault, then 24 in
// the archive) through every occurrence from 1 January 2025 to 9 January 2026. After each one the
// service's recovery points must be what the pure engine's simulation says; backups run on time,
// once each, across a suspension, two restarts around a due time and a downtime; then an archived
// point is rehydrated and restored into a new database that equals the database as it was.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type RunningService } from '../../src/app.ts';
import { simulate, type SimulationResult } from '../../src/policy/simulate.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { shopSql } from '../support/pg-fixtures.ts';
import { shellSession } from '../support/shell.ts';
import { ownerCredentials, signIn } from '../support/service.ts';
import { scratchDir } from '../support/scratch.ts';

const PASSWORD = 'Ye4r-l0ng-secret';
const START = '2025-01-01T00:00:00.000Z';
const WALK_END = '2026-01-10T00:00:00.000Z';
const SUSPENDED_AT = '2025-03-19T22:00:00.000Z';
const RESTART_AT = '2025-05-16T22:00:00.000Z';

let pgc: PgCluster;
let dataDir: string;
let cwd: string;
let svc: RunningService;
let sub: string;
let instancePath: string;
const clock = new ManualClock(START);
const { sh, ok, waitJob } = shellSession(() => ({ cwd, endpoint: svc.url, dataDir }));

/** The service on the same data directory; its own timers are slowed so only the test drives it. */
async function start(): Promise<void> {
  svc = await startService({ dataDir, port: 0, clock, schedulerIntervalMs: 3_600_000, retentionIntervalMs: 3_600_000 });
}
async function restart(at?: string): Promise<void> {
  await svc.close();
  if (at) clock.set(at);
  await start();
}
/** The Owner's token at the running server's URL (a restart listens on another port). */
const tokens = new Map<string, Promise<string>>();
const ownerToken = (): Promise<string> => {
  if (!tokens.has(svc.url)) tokens.set(svc.url, signIn(svc.url, ownerCredentials(dataDir)));
  return tokens.get(svc.url)!;
};
async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const url = new URL(svc.url + path);
  url.searchParams.set('api-version', '2026-03-01');
  const auth = { authorization: `Bearer ${await ownerToken()}` };
  const res = await fetch(url, { method, headers: body ? { 'Content-Type': 'application/json', ...auth } : auth, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
/**
 * Drains the worker until no task is due or running. (Worker.drain alone can return while a poll
 * started by the queueing's poke is still claiming the task.)
 */
async function settle(): Promise<void> {
  for (;;) {
    await svc.worker.drain();
    const now = clock.now().toISOString();
    const due = (await svc.ctx.queue.list('queued')).filter((t) => t.runAt <= now);
    if (!due.length && !(await svc.ctx.queue.list('running')).length) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}
const points = async (): Promise<any[]> => (await api('GET', `${instancePath}/recoveryPoints`)).body.value;
const stores = (rp: any, type: string) => rp.properties.recoveryPointDataStoresDetails.filter((d: any) => d.type === type && d.rehydrationStatus === null);
const count = (rps: any[], type: string) => rps.filter((rp) => stores(rp, type).length > 0).length;
const scheduledJobs = async (): Promise<any[]> =>
  ((await api('GET', `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DataProtection/backupVaults/vault/backupJobs`)).body.value as any[])
    .filter((j) => j.properties.operationCategory === 'Backup' && !j.properties.isUserTriggered);

/** Sun/Wed/Fri 22:00 UTC in [from, to), worked out without the policy engine. */
function seedOccurrences(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(from.slice(0, 10) + 'T22:00:00Z'); t < Date.parse(to); t += 86_400_000) {
    if (t >= Date.parse(from) && [0, 3, 5].includes(new Date(t).getUTCDay())) out.push(new Date(t).toISOString());
  }
  return out;
}

before(async () => {
  pgc = await startCluster();
  await pgc.createDatabase('appdb', shopSql(5));
  await pgc.createRole('backupuser', PASSWORD, { login: true, superuser: true });
  dataDir = mkdtempSync(join(tmpdir(), 'dpvault-year-'));
  cwd = scratchDir('dpvault-year-cli-');
  await start();
  sub = (await ok('dpvault account show')).id;
  await ok('dpvault group create -n rg -l westus');
  await ok('dpvault backup-vault create -g rg -v vault -l westus --type SystemAssigned --storage-settings datastore-type=VaultStore type=LocallyRedundant');
  // The seed's final policy, built with the seed's commands.
  await ok('dpvault backup-policy get-default-policy-template --datasource-type AzureDatabaseForPostgreSQL > p0.json');
  await ok('dpvault backup-policy trigger set --policy p0.json --schedule R/2021-08-15T22:00:00+00:00/P1W R/2021-08-18T22:00:00+00:00/P1W R/2021-08-20T22:00:00+00:00/P1W > p1.json');
  await ok('dpvault backup-policy retention-rule create-lifecycle --retention-duration-count 6 --retention-duration-type Months --source-datastore VaultStore --target-datastore ArchiveStore --copy-option CopyOnExpiryOption > vault.json');
  await ok('dpvault backup-policy retention-rule create-lifecycle --retention-duration-count 24 --retention-duration-type Months --source-datastore ArchiveStore > archive.json');
  await ok('dpvault backup-policy retention-rule set --lifecycles vault.json archive.json --name Monthly --policy p1.json > p2.json');
  await ok('dpvault backup-policy tag create-absolute-criteria --absolute-criteria FirstOfMonth > tag.json');
  await ok('dpvault backup-policy tag set --criteria tag.json --name Monthly --policy p2.json > final.json');
  const policy = await ok('dpvault backup-policy create -g rg --vault-name vault -n FinalOSSPolicy --policy final.json');
  await ok(`dpvault postgres server create -g rg -n pgsrv --host 127.0.0.1 --port ${pgc.port}`);
  await ok('dpvault keyvault create -g rg -n kvyear -l westus');
  const ado = (db: string) => `Server=127.0.0.1;Database=${db};Port=${pgc.port};User Id=backupuser;Password=${PASSWORD};Ssl Mode=Disable;`;
  await ok(`dpvault keyvault secret set --vault-name kvyear -n source --value '${ado('appdb')}' -o none`);
  await ok(`dpvault keyvault secret set --vault-name kvyear -n target --value '${ado('postgres')}' -o none`);
  const principal = (await sh('dpvault backup-vault show -g rg -v vault --query identity.principalId -o tsv')).stdout.trim();
  await ok(`dpvault keyvault set-policy -n kvyear --object-id ${principal} --secret-permissions get list -o none`);
  const dbId = `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/servers/pgsrv/databases/appdb`;
  await ok(`dpvault backup-instance initialize --datasource-id ${dbId} --datasource-type AzureDatabaseForPostgreSQL -l westus --policy-id ${policy.id} --secret-store-type AzureKeyVault --secret-store-uri https://kvyear.vault.azure.net/secrets/source > bi.json`);
  const bi = JSON.parse(readFileSync(join(cwd, 'bi.json'), 'utf8'));
  writeFileSync(join(cwd, 'bi.json'), JSON.stringify({ ...bi, backup_instance_name: 'appdb' }));
  await ok('dpvault backup-instance create -g rg -v vault --backup-instance bi.json');
  instancePath = `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DataProtection/backupVaults/vault/backupInstances/appdb`;
});
after(async () => {
  await svc?.close();
  await pgc?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('a simulated year of scheduled protection', () => {
  const occurrences = seedOccurrences(START, WALK_END);
  let expected: SimulationResult;
  /** Every recovery point seen, by name: its time and tag. */
  const seen = new Map<string, { time: string; tag: string }>();

  it('walks every occurrence: on time, once each, and as the engine says', async () => {
    assert.ok(occurrences.length >= 156, `${occurrences.length} occurrences`);
    const policy = (await api('GET', `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DataProtection/backupVaults/vault/backupPolicies/FinalOSSPolicy`)).body;
    expected = simulate(policy, { start: new Date(START), end: new Date(WALK_END), failed: [new Date(SUSPENDED_AT)], at: occurrences.map((o) => new Date(o)) });
    let made = 0;
    for (const [i, occ] of occurrences.entries()) {
      if (occ === SUSPENDED_AT) {
        clock.set('2025-03-17T08:00:00Z');
        assert.equal((await api('POST', `${instancePath}/suspendBackups`)).status, 202);
        await svc.ctx.background.idle();
        clock.set(occ);
        const r = await svc.scheduler.tick();
        assert.deepEqual(r.queued, [], 'a suspended instance gets no scheduled backup');
        assert.equal(r.skipped.length, 1);
        clock.set('2025-03-20T10:00:00Z');
        assert.equal((await api('POST', `${instancePath}/resumeProtection`)).status, 202);
        await svc.ctx.background.idle();
        assert.deepEqual((await svc.scheduler.tick()).queued, [], 'the occurrence while suspended is not run on resume');
      } else if (occ === RESTART_AT) {
        // Stopped a minute before the due time, back exactly at it, and restarted again just after.
        clock.set(new Date(Date.parse(occ) - 60_000));
        assert.deepEqual((await svc.scheduler.tick()).queued, []);
        await restart(occ);
        assert.deepEqual((await svc.scheduler.tick()).queued, [], 'start-up already queued it');
        await settle();
        await restart(new Date(Date.parse(occ) + 30_000).toISOString());
        assert.deepEqual((await svc.scheduler.tick()).queued, []);
        await svc.retention.sweep();
      } else {
        clock.set(occ);
        const r = await svc.scheduler.tick();
        assert.deepEqual(r.queued.map((q) => q.occurrence), [occ], `one backup queued at ${occ}`);
        await settle();
        await svc.retention.sweep();
      }
      if (occ === SUSPENDED_AT) {
        // Nothing new; the counts are still the engine's.
      } else {
        const want = expected.recoveryPoints[made++]!;
        const newest = (await points())[0];
        assert.equal(newest.properties.recoveryPointTime, occ, `the backup of ${occ} succeeded`);
        assert.equal(newest.properties.retentionTagName, want.retentionTagName, `tag of ${occ}`);
        seen.set(newest.name, { time: occ, tag: want.retentionTagName });
        if (occ === occurrences[0]) {
          // The first backup (a Monthly one) is the one restored at the end: keep the database as it was.
          await pgc.query('postgres', 'CREATE DATABASE appdb_jan TEMPLATE appdb');
          await pgc.query('appdb', "INSERT INTO \"Sales Ops\".\"Quota Targets\" VALUES ('east', 40)");
        }
      }
      const rps = await points();
      const at = expected.at[i]!;
      assert.deepEqual({ VaultStore: count(rps, 'VaultStore'), ArchiveStore: count(rps, 'ArchiveStore') }, { VaultStore: at.VaultStore, ArchiveStore: at.ArchiveStore }, `alive at ${occ}`);
      for (const rp of rps) {
        for (const d of rp.properties.recoveryPointDataStoresDetails) assert.ok(Date.parse(d.expiryTime) > Date.parse(occ), `${rp.name} in ${d.type} past its expiry at ${occ}`);
      }
    }
    assert.equal(made, expected.recoveryPoints.length);
  });

  it('tagged the first backup of each month Monthly and every other Default', () => {
    const firstOfMonth = new Set<string>();
    const months = new Set<string>();
    for (const { time } of [...seen.values()].sort((a, b) => a.time.localeCompare(b.time))) {
      if (!months.has(time.slice(0, 7))) firstOfMonth.add(time);
      months.add(time.slice(0, 7));
    }
    assert.equal(months.size, 13);
    for (const { time, tag } of seen.values()) assert.equal(tag, firstOfMonth.has(time) ? 'Monthly' : 'Default', time);
  });

  it('made exactly one scheduled job per occurrence, as Azure shows scheduled backups', async () => {
    const jobs = await scheduledJobs();
    const byTime = new Map<string, number>();
    for (const j of jobs) byTime.set(j.properties.startTime, (byTime.get(j.properties.startTime) ?? 0) + 1);
    assert.deepEqual([...byTime.keys()].sort(), occurrences.filter((o) => o !== SUSPENDED_AT));
    assert.ok([...byTime.values()].every((n) => n === 1));
    for (const j of jobs) {
      assert.equal(j.properties.status, 'Completed', JSON.stringify(j.properties.errorDetails));
      assert.deepEqual(j.properties.supportedActions, []);
      assert.equal(j.properties.extendedInfo.additionalDetails.PolicyRuleName, 'BackupWeekly');
      const rp = seen.get(j.properties.extendedInfo.targetRecoverPoint.recoveryPointID);
      assert.equal(j.properties.extendedInfo.additionalDetails.RetentionTag, rp?.tag);
    }
    const listed = await ok('dpvault job list-from-resourcegraph --datasource-type AzureDatabaseForPostgreSQL --operation ScheduledBackup');
    assert.equal(listed.length, jobs.length);
  });

  it('expired Default points after 3 months and moved Monthly ones to the archive after 6', async () => {
    const rps = await points();
    const names = new Set(rps.map((r) => r.name));
    const byTime = new Map([...seen.entries()].map(([name, s]) => [s.time, name]));
    // On 9 January 2026 the oldest Default still kept is from 10 October 2025 (3 months earlier).
    assert.ok(!names.has(byTime.get('2025-10-08T22:00:00.000Z')!));
    assert.ok(names.has(byTime.get('2025-10-10T22:00:00.000Z')!));
    const january = rps.find((r) => r.properties.recoveryPointTime === '2025-01-01T22:00:00.000Z');
    assert.deepEqual(
      january.properties.recoveryPointDataStoresDetails.map((d: any) => [d.type, d.creationTime, d.expiryTime]),
      [['ArchiveStore', '2025-07-01T22:00:00.000Z', '2027-07-01T22:00:00.000Z']],
    );
    const july = rps.find((r) => r.properties.recoveryPointTime === '2025-07-02T22:00:00.000Z');
    assert.deepEqual(july.properties.recoveryPointDataStoresDetails.map((d: any) => [d.type, d.expiryTime]), [['ArchiveStore', '2028-01-02T22:00:00.000Z']]);
    const august = rps.find((r) => r.properties.recoveryPointTime === '2025-08-01T22:00:00.000Z');
    assert.deepEqual(august.properties.recoveryPointDataStoresDetails.map((d: any) => [d.type, d.expiryTime]), [['VaultStore', '2026-02-01T22:00:00.000Z']]);
  });

  it('after a downtime runs one catch-up backup at start-up, not the backlog', async () => {
    const before = (await scheduledJobs()).length;
    // Down from Saturday 10 January to Sunday 18 January 09:00: Sun 11, Wed 14 and Fri 16 are missed.
    await restart('2026-01-18T09:00:00.000Z');
    await settle();
    const jobs = await scheduledJobs();
    assert.equal(jobs.length, before + 1);
    const catchUp = jobs.find((j) => j.properties.startTime === '2026-01-18T09:00:00.000Z');
    assert.equal(catchUp?.properties.status, 'Completed');
    assert.deepEqual((await svc.scheduler.tick()).queued, []);
    assert.equal((await points())[0].properties.recoveryPointTime, '2026-01-18T09:00:00.000Z');
  });
});

describe('restoring an archived recovery point', () => {
  let rp: any;
  const target = () => `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/servers/pgsrv/databases/appdb_restored`;
  const init = (extra: string) =>
    `dpvault backup-instance restore initialize-for-data-recovery --datasource-type AzureDatabaseForPostgreSQL --restore-location westus --recovery-point-id ${rp.name} --target-resource-id ${target()} --secret-store-type AzureKeyVault --secret-store-uri https://kvyear.vault.azure.net/secrets/target ${extra}`;
  const trigger = (file: string) => sh(`dpvault backup-instance restore trigger -g rg -v vault -n appdb --restore-request-object ${file}`);

  before(async () => {
    rp = (await points()).find((r) => r.properties.recoveryPointTime === '2025-01-01T22:00:00.000Z');
    assert.deepEqual(rp.properties.recoveryPointDataStoresDetails.map((d: any) => d.type), ['ArchiveStore']);
  });

  it('refuses a restore from ArchiveStore without rehydration, and from VaultStore', async () => {
    await ok(`${init('--source-datastore ArchiveStore')} > plain.json`);
    const r = await trigger('plain.json');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\(UserErrorRecoveryPointRehydrationRequired\)/);
    assert.match(r.stderr, /--rehydration-priority Standard --rehydration-duration/);
    await ok(`${init('--source-datastore VaultStore')} > vault.json`);
    const v = await trigger('vault.json');
    assert.equal(v.code, 1);
    assert.match(v.stderr, /\(UserErrorRecoveryPointNotInDatastore\).*it is in ArchiveStore/);
  });

  it('refuses rehydration durations outside 10 to 30 days', async () => {
    for (const days of ['9', '31']) {
      const r = await sh(`${init(`--source-datastore ArchiveStore --rehydration-priority Standard --rehydration-duration ${days}`)}`);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /The allowed range of rehydration duration is 10 to 30 days\./);
    }
    const body = {
      objectType: 'AzureBackupRestoreWithRehydrationRequest', recoveryPointId: rp.name, sourceDataStoreType: 'ArchiveStore',
      rehydrationPriority: 'Standard',
      restoreTargetInfo: {
        objectType: 'RestoreTargetInfo', recoveryOption: 'FailIfExists', restoreLocation: 'westus',
        datasourceInfo: { objectType: 'Datasource', resourceID: target(), datasourceType: 'Microsoft.DBforPostgreSQL/servers/databases' },
        datasourceAuthCredentials: { objectType: 'SecretStoreBasedAuthCredentials', secretStoreResource: { secretStoreType: 'AzureKeyVault', uri: 'https://kvyear.vault.azure.net/secrets/target' } },
      },
    };
    for (const duration of ['P9D', 'P31D', '7D', 'P2W']) {
      const r = await api('POST', `${instancePath}/restore`, { ...body, rehydrationRetentionDuration: duration });
      assert.equal(r.status, 400, duration);
      assert.match(r.body.error.message, /The allowed range of rehydration duration is 10 to 30 days\./);
    }
    const noPriority = await api('POST', `${instancePath}/restore`, { ...body, rehydrationPriority: undefined, rehydrationRetentionDuration: 'P15D' });
    assert.equal(noPriority.status, 400);
    assert.match(noPriority.body.error.message, /rehydrationPriority must be Standard or High/);
  });

  it('rehydrates and restores in one job, into a database equal to the one backed up', async () => {
    await ok(`${init('--source-datastore ArchiveStore --rehydration-priority Standard --rehydration-duration 15')} > rehydrate.json`);
    const trig = await trigger('rehydrate.json');
    assert.equal(trig.code, 0, trig.stderr);
    const job = await waitJob(JSON.parse(trig.stdout).jobId);
    assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
    assert.equal(job.properties.rehydrationPriority, 'Standard');
    assert.equal(job.properties.sourceDataStoreType, 'ArchiveStore');
    assert.deepEqual(await pgc.compareDatabases('appdb_jan', 'appdb_restored'), []);
    assert.notDeepEqual(await pgc.compareDatabases('appdb', 'appdb_restored'), [], 'the restored database is January\'s, not today\'s');
    const shown = await ok(`dpvault recovery-point show --backup-instance-name appdb -g rg -v vault --recovery-point-id ${rp.name}`);
    const details = shown.properties.recoveryPointDataStoresDetails;
    assert.deepEqual(details.map((d: any) => [d.type, d.rehydrationStatus, d.rehydrationExpiryTime]), [
      ['ArchiveStore', null, null],
      ['VaultStore', 'COMPLETED', '2026-02-02T09:00:00.000Z'],
    ]);
  });

  it('deletes the rehydrated copy when its days are over, keeping the archived point', async () => {
    clock.set('2026-02-02T08:59:00.000Z');
    await svc.retention.sweep();
    assert.equal(stores(await pointNamed(rp.name), 'ArchiveStore').length, 1);
    assert.equal((await pointNamed(rp.name)).properties.recoveryPointDataStoresDetails[1].rehydrationStatus, 'COMPLETED');
    clock.set('2026-02-02T09:00:00.000Z');
    await svc.retention.sweep();
    const after = await pointNamed(rp.name);
    assert.deepEqual(after.properties.recoveryPointDataStoresDetails.map((d: any) => [d.type, d.rehydrationStatus]), [
      ['ArchiveStore', null],
      ['VaultStore', 'DELETED'],
    ]);
    const again = await trigger('vault.json');
    assert.match(again.stderr, /UserErrorRecoveryPointNotInDatastore/, 'the rehydrated copy is gone');
  });
});

async function pointNamed(name: string): Promise<any> {
  return (await api('GET', `${instancePath}/recoveryPoints/${name}`)).body;
}
