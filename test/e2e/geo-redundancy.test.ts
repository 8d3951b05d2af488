// Geo-redundant vaults and cross-region restore, against a real PostgreSQL and the real service
// with two storages (westus's and its pair eastus's, two local directories): each backup of a
// GeoRedundant vault is copied to the pair; with the vault's own storage gone, the pair's copy is
// listed and restored through the cross-region flags with data equal to the source; a vault
// recovered from the pair's directory alone restores; a copy that fails is sent again, only what is
// missing, by maintenance; retention deletes in both, and garbage
// collection and maintenance run on both.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startService, type RunningService } from '../../src/app.ts';
import { vaultStoreKey } from '../../src/domain/recovery-point-store.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { shopSql } from '../support/pg-fixtures.ts';
import { createProtectionResources, protectAndBackUp, storeConnectionSecret } from '../support/protection-resources.ts';
import { scratchDir } from '../support/scratch.ts';
import { shellSession } from '../support/shell.ts';

const DAY = 86_400_000;
const clock = new ManualClock('2026-03-02T08:00:00.000Z');
let pgc: PgCluster;
let svc: RunningService;
let dataDir: string;
let cwd: string;
let sub: string;
let policyId: string;
let west: string;
let east: string;
let rp: string;
let rp2: string;
const session = shellSession(() => ({ cwd, endpoint: svc.url, dataDir }));
const { sh, ok, waitJob } = session;
const G = '-g rg -v vault';
const KV = 'kvgeo';
const connection = () => `postgres://backupuser:Ge0-redundant-pw@127.0.0.1:${pgc.port}/postgres?sslmode=disable`;
const dbId = (db: string) => `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/servers/pgsrv/databases/${db}`;
const vaultKey = () => vaultStoreKey(`/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DataProtection/backupVaults/vault`);
const objects = (root: string, kind: string): string[] => {
  const dir = join(root, vaultKey(), 'VaultStore', kind);
  return existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String).filter((n) => /[0-9a-f]{32}/.test(n)) : [];
};

function serve(dir: string, locations: Record<string, string>, pairs: Record<string, string>): Promise<RunningService> {
  return startService({
    dataDir: dir, port: 0, clock, schedulerIntervalMs: 3_600_000, retentionIntervalMs: 3_600_000,
    locationStorage: Object.entries(locations).map(([azureLocation, root]) => ({ azureLocation, storage: { location: pathToFileURL(root).href, setting: `--location-storage ${azureLocation}=...` } })),
    pairedLocations: pairs,
  });
}

/** Writes the restore request of `rp` into a new database `db`, restored in `location`. */
const initRestore = (point: string, db: string, location: string) =>
  ok(`dpvault backup-instance restore initialize-for-data-recovery --datasource-type AzureDatabaseForPostgreSQL --restore-location ${location} --source-datastore VaultStore --recovery-point-id ${point} --target-resource-id ${dbId(db)} --secret-store-type AzureKeyVault --secret-store-uri https://${KV}.vault.azure.net/secrets/pg > restore.json`);

before(async () => {
  pgc = await startCluster();
  await pgc.createDatabase('shop', shopSql(30));
  await pgc.createRole('backupuser', 'Ge0-redundant-pw', { login: true, superuser: true });
  dataDir = mkdtempSync(join(tmpdir(), 'dpvault-geo-'));
  cwd = scratchDir('dpvault-geo-cli-');
  west = scratchDir('dpvault-geo-westus-');
  east = scratchDir('dpvault-geo-eastus-');
  svc = await serve(dataDir, { westus: west, eastus: east }, { westus: 'eastus' });
  ({ sub, policyId } = await createProtectionResources(ok, pgc.port, KV, 'datastore-type=VaultStore type=GeoRedundant --cross-region-restore-state Enabled'));
  await storeConnectionSecret(session, KV, connection());
  rp = await protectAndBackUp(session, cwd, { sub, policyId, keyVault: KV, name: 'app' });
});
after(async () => {
  await svc?.close();
  await pgc?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a GeoRedundant vault', () => {
  it('is refused where its location has no pair, naming the setting to give', async () => {
    const r = await sh('dpvault backup-vault create -g rg -v lonely -l eastus --storage-settings datastore-type=VaultStore type=GeoRedundant');
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(r.stderr, /UserErrorGeoRedundancyNotAvailable/);
    assert.match(r.stderr, /--paired-location eastus=<location>/);
    assert.equal((await sh('dpvault backup-vault show -g rg -v lonely')).code === 0, false, 'nothing was created');
  });

  it('shows its pair as replicated region and each point copied there, manifest and all', async () => {
    assert.deepEqual((await ok('dpvault backup-vault show -g rg -v vault')).properties.replicatedRegions, ['eastus']);
    const point = await ok(`dpvault recovery-point show --backup-instance-name app ${G} --recovery-point-id ${rp}`);
    assert.equal(point.properties.secondaryRegionDetails.region, 'eastus');
    assert.equal(point.properties.secondaryRegionDetails.state, 'COMMITTED');
    assert.deepEqual(objects(east, 'manifests'), objects(west, 'manifests'));
    assert.equal(objects(east, 'manifests').length, 1);
    assert.deepEqual(objects(east, 'packs').sort(), objects(west, 'packs').sort());
  });

  it('without cross region restore enabled, refuses the secondary region clearly', async () => {
    await ok('dpvault backup-vault create -g rg -v nocrr -l westus --storage-settings datastore-type=VaultStore type=GeoRedundant');
    const r = await sh('dpvault recovery-point list --backup-instance-name app -g rg -v nocrr --use-secondary-region');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /UserErrorCrossRegionRestoreNotEnabled/);
    assert.match(r.stderr, /--cross-region-restore-state Enabled/);
  });

  it("restores from the secondary region while its own storage is gone, with equal data; the job is found there", async () => {
    const gone = `${west}.gone`;
    renameSync(west, gone); // the primary region's container deleted
    try {
      const listed = await ok(`dpvault recovery-point list --backup-instance-name app ${G} --use-secondary-region`);
      assert.deepEqual(listed.map((p: { name: string }) => p.name), [rp]);
      // The restore location must be the secondary region.
      await initRestore(rp, 'shop_westus', 'westus');
      const wrong = await sh(`dpvault backup-instance restore trigger ${G} -n app --restore-request-object restore.json --use-secondary-region`);
      assert.match(wrong.stderr, /UserErrorInvalidRestoreLocation/);
      await initRestore(rp, 'shop_crr', 'eastus');
      await ok(`dpvault backup-instance validate-for-restore ${G} -n app --restore-request-object restore.json --use-secondary-region`);
      const { jobId } = await ok(`dpvault backup-instance restore trigger ${G} -n app --restore-request-object restore.json --use-secondary-region`);
      const job = await waitJob(jobId);
      assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
      assert.equal(job.properties.isCrossRegionRestore, true);
      assert.deepEqual(await pgc.compareDatabases('shop', 'shop_crr'), []);
      const name = jobId.split('/').pop();
      const shown = await ok(`dpvault job show --job-id ${name} ${G} --use-secondary-region`);
      assert.equal(shown.properties.dataSourceName, 'shop');
      assert.ok(shown.properties.extendedInfo.recoveryDestination);
      assert.deepEqual((await ok(`dpvault job list ${G} --use-secondary-region`)).map((j: { name: string }) => j.name), [name]);
      // The same restore from the vault's own region has nothing to read.
      await initRestore(rp, 'shop_primary', 'westus');
      const primary = await waitJob((await ok(`dpvault backup-instance restore trigger ${G} -n app --restore-request-object restore.json`)).jobId);
      assert.equal(primary.properties.status, 'Failed');
    } finally {
      rmSync(west, { recursive: true, force: true }); // what the failed restore left (its lock)
      renameSync(gone, west);
    }
  });

  it('recovered with vault recover from the secondary directory alone, restores', async () => {
    const copy = scratchDir('dpvault-geo-eastus-copy-');
    cpSync(east, copy, { recursive: true });
    const freshDir = mkdtempSync(join(tmpdir(), 'dpvault-geo-recover-'));
    cpSync(join(dataDir, 'master.key'), join(freshDir, 'master.key'));
    const first = { svc, dataDir, sub };
    svc = await serve(freshDir, { westus: copy }, {});
    dataDir = freshDir;
    try {
      sub = (await ok('dpvault account show')).id as string; // a new installation's
      await ok('dpvault group create -n rg -l westus');
      await ok('dpvault backup-vault create -g rg -v vault -l westus --type SystemAssigned --storage-settings datastore-type=VaultStore type=LocallyRedundant');
      const report = await ok(`dpvault vault recover ${G}`);
      assert.deepEqual(report.instancesRecreated, ['app']);
      assert.equal(report.recoveryPointsRecovered, 1);
      await ok(`dpvault postgres server create -g rg -n pgsrv --host 127.0.0.1 --port ${pgc.port}`);
      await ok(`dpvault keyvault create -g rg -n ${KV} -l westus`);
      await storeConnectionSecret(session, KV, connection());
      await initRestore(rp, 'shop_recovered', 'westus');
      const job = await waitJob((await ok(`dpvault backup-instance restore trigger ${G} -n app --restore-request-object restore.json`)).jobId);
      assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
      assert.deepEqual(await pgc.compareDatabases('shop', 'shop_recovered'), []);
    } finally {
      await svc.close();
      rmSync(freshDir, { recursive: true, force: true });
      ({ svc, dataDir, sub } = first);
    }
  });

  it('a copy that fails leaves the backup Completed and the point FAILED; maintenance then sends only what is missing', async () => {
    const away = `${east}.away`;
    renameSync(east, away);
    writeFileSync(east, 'the paired region is unreachable'); // every put under it fails
    let job;
    try {
      job = await waitJob((await ok(`dpvault backup-instance adhoc-backup -n app ${G} --rule-name BackupWeekly`)).jobId);
    } finally {
      rmSync(east, { force: true });
      renameSync(away, east);
    }
    assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
    assert.match(job.properties.extendedInfo.additionalDetails.SecondaryRegionCopy, /^FAILED: /);
    rp2 = job.properties.extendedInfo.targetRecoverPoint.recoveryPointID as string;
    const failed = (await ok(`dpvault recovery-point show --backup-instance-name app ${G} --recovery-point-id ${rp2}`)).properties.secondaryRegionDetails;
    assert.equal(failed.state, 'FAILED');
    assert.ok(failed.error.code && failed.error.message, JSON.stringify(failed));
    assert.equal(objects(east, 'manifests').length, 1);
    const packsBefore = objects(east, 'packs').length;
    const maintained = await waitJob((await ok(`dpvault vault maintain ${G}`)).jobId);
    assert.equal(maintained.properties.extendedInfo.additionalDetails.SecondaryRegionCopiesCommitted, '1', JSON.stringify(maintained.properties.extendedInfo.additionalDetails));
    const point = await ok(`dpvault recovery-point show --backup-instance-name app ${G} --recovery-point-id ${rp2}`);
    assert.equal(point.properties.secondaryRegionDetails.state, 'COMMITTED');
    assert.deepEqual(objects(east, 'manifests').sort(), objects(west, 'manifests').sort());
    assert.deepEqual(objects(east, 'packs').sort(), objects(west, 'packs').sort());
    // The same database again: its chunks were in the pair already, so few packs were new there.
    assert.ok(objects(east, 'packs').length - packsBefore <= 2, `${objects(east, 'packs').length - packsBefore} packs sent`);
  });

  it('retention deletes a point in both regions, and garbage collection and maintenance run on both', async () => {
    clock.set(new Date(clock.now().getTime() + 800 * DAY));
    const report = await svc.retention.sweep();
    assert.deepEqual(report.deleted.sort(), [rp, rp2].sort());
    assert.deepEqual(objects(west, 'manifests'), []);
    assert.deepEqual(objects(east, 'manifests'), []);
    // The sweep's garbage collection freed the point's packs in both.
    assert.deepEqual(objects(west, 'packs'), []);
    assert.deepEqual(objects(east, 'packs'), []);
    const job = await waitJob((await ok(`dpvault vault maintain ${G}`)).jobId);
    assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
    assert.equal(job.properties.extendedInfo.additionalDetails.SecondaryRegionStoredBytes, '0', JSON.stringify(job.properties.extendedInfo.additionalDetails));
  });
});
