// Backups no one can destroy early, against a real PostgreSQL and the real service on a walked
// clock: a deleted backup instance is soft-deleted with its recovery points for the vault's
// retention days (restorable after undelete, purged by the retention worker after), soft delete Off
// deletes at once, and an immutable (Locked) vault refuses every path that would delete a recovery
// point before its expiry while the data stays restorable.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type RunningService } from '../../src/app.ts';
import { ownerCredentials, signIn } from '../support/service.ts';
import { RECOVERY_POINT_TYPE } from '../../src/domain/backup-instance.ts';
import type { RecoveryPointResource } from '../../src/domain/recovery-point.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { shopSql } from '../support/pg-fixtures.ts';
import { createProtectionResources, protectAndBackUp as protectAndBackUpAs, storeConnectionSecret } from '../support/protection-resources.ts';
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
const session = shellSession(() => ({ cwd, endpoint: svc.url, dataDir }));
const { sh, ok, waitJob } = session;
const G = '-g rg -v vault';

const dbId = (db: string) => `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/servers/pgsrv/databases/${db}`;
const instanceId = (name: string) => `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DataProtection/backupVaults/vault/backupInstances/${name}`;

/** Protects `shop` as instance `name` and takes one backup; returns the recovery point's name. */
const protectAndBackUp = (name: string): Promise<string> => protectAndBackUpAs(session, cwd, { sub, policyId, keyVault: 'kvsoft', name });

/** Restores `rp` of instance `name` into a new database `db` and returns its orders count. */
async function restoreInto(name: string, rp: string, db: string): Promise<number> {
  await ok(`dpvault backup-instance restore initialize-for-data-recovery --datasource-type AzureDatabaseForPostgreSQL --restore-location westus --source-datastore VaultStore --recovery-point-id ${rp} --target-resource-id ${dbId(db)} --secret-store-type AzureKeyVault --secret-store-uri https://kvsoft.vault.azure.net/secrets/pg > restore.json`);
  const job = await waitJob((await ok(`dpvault backup-instance restore trigger ${G} -n ${name} --restore-request-object restore.json`)).jobId);
  assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
  return Number((await pgc.query<{ n: string }>(db, 'SELECT count(*) AS n FROM orders'))[0]!.n);
}

/** The stored recovery points of an instance, straight from the catalog (also while it is soft-deleted). */
async function storedPoints(name: string): Promise<RecoveryPointResource[]> {
  return (await svc.ctx.catalog.listResources<RecoveryPointResource>({ type: RECOVERY_POINT_TYPE, parentId: instanceId(name) })).items.map((r) => r.body);
}

/** Whether the bytes of a stored point can still be read back in full. */
async function readable(rp: RecoveryPointResource): Promise<boolean> {
  try {
    for await (const _ of svc.ctx.store.read(rp.internal.data.VaultStore!, rp.name)) { /* drain */ }
    return true;
  } catch {
    return false;
  }
}

const sweepAt = async (t: number) => {
  clock.set(new Date(t));
  return svc.retention.sweep();
};

before(async () => {
  pgc = await startCluster();
  await pgc.createDatabase('shop', shopSql(20));
  await pgc.createRole('backupuser', 'S0ft-delete-pw', { login: true, superuser: true });
  dataDir = mkdtempSync(join(tmpdir(), 'dpvault-softdelete-'));
  cwd = scratchDir('dpvault-softdelete-cli-');
  svc = await startService({ dataDir, port: 0, clock, schedulerIntervalMs: 3_600_000, retentionIntervalMs: 3_600_000 });
  ({ sub, policyId } = await createProtectionResources(ok, pgc.port, 'kvsoft'));
  await storeConnectionSecret(session, 'kvsoft', `postgres://backupuser:S0ft-delete-pw@127.0.0.1:${pgc.port}/postgres?sslmode=disable`);
});
after(async () => {
  await svc?.close();
  await pgc?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('soft delete of backup instances', () => {
  it('keeps a deleted instance and its recovery point for the window; after undelete the point restores', async () => {
    const rp = await protectAndBackUp('app');
    const deletedAt = clock.now().getTime();
    await ok(`dpvault backup-instance delete -n app ${G} --yes`);
    assert.deepEqual(await ok(`dpvault backup-instance list ${G}`), []);
    const gone = await sh(`dpvault recovery-point list --backup-instance-name app ${G}`);
    assert.match(gone.stderr, /UserErrorBackupInstanceNotFound/);
    const [deleted] = await ok(`dpvault backup-instance deleted-backup-instance list ${G}`);
    assert.equal(deleted.name, 'app');
    assert.equal(deleted.type, 'Microsoft.DataProtection/backupVaults/deletedBackupInstances');
    assert.equal(deleted.properties.currentProtectionState, 'SoftDeleted');
    assert.equal(deleted.properties.deletionInfo.deletionTime, new Date(deletedAt).toISOString());
    assert.equal(deleted.properties.deletionInfo.scheduledPurgeTime, new Date(deletedAt + 14 * DAY).toISOString());
    assert.match(deleted.properties.deletionInfo.deleteActivityID, /^[0-9a-f-]{36}$/);
    assert.deepEqual(await ok(`dpvault backup-instance deleted-backup-instance show -n app ${G}`), deleted);
    // The name stays taken while the instance is soft-deleted; the vault cannot go either.
    const again = await sh(`dpvault backup-instance create ${G} --backup-instance bi.json`);
    assert.match(again.stderr, /UserErrorSoftDeletedBackupInstanceExists/);

    const swept = await sweepAt(deletedAt + 14 * DAY - 1000);
    assert.equal(swept.purge?.purged.length, 0);
    await ok(`dpvault backup-instance deleted-backup-instance undelete -n app ${G}`);
    assert.deepEqual(await ok(`dpvault backup-instance deleted-backup-instance list ${G}`), []);
    const back = await ok(`dpvault backup-instance show -n app ${G}`);
    assert.equal(back.properties.currentProtectionState, 'ProtectionStopped');
    assert.equal(back.properties.protectionStatus.status, 'ProtectionStopped');
    assert.equal((await sh(`dpvault recovery-point list --backup-instance-name app ${G} --query "[0].name" -o tsv`)).stdout.trim(), rp);
    assert.equal(await restoreInto('app', rp, 'shop_undeleted'), Number((await pgc.query<{ n: string }>('shop', 'SELECT count(*) AS n FROM orders'))[0]!.n));
  });

  it('purges a deleted instance and its data at the purge time of the retention in force when it was deleted', async () => {
    await ok(`dpvault backup-vault update ${G} --soft-delete-retention 20`);
    const [point] = await storedPoints('app');
    assert.ok(point && (await readable(point)));
    const deletedAt = clock.now().getTime();
    await ok(`dpvault backup-instance delete -n app ${G} --yes`);
    // Shortening the retention applies to later deletes only.
    await ok(`dpvault backup-vault update ${G} --soft-delete-retention 14`);
    const shown = await ok(`dpvault backup-instance deleted-backup-instance show -n app ${G}`);
    assert.equal(shown.properties.deletionInfo.scheduledPurgeTime, new Date(deletedAt + 20 * DAY).toISOString());
    const vaultDelete = await sh('dpvault backup-policy delete -g rg --vault-name vault -n pol --yes && dpvault backup-vault delete -g rg -v vault --yes');
    assert.match(vaultDelete.stderr, /UserErrorBackupVaultNotEmpty.*soft-deleted/);
    await ok(`dpvault backup-policy create -g rg --vault-name vault -n pol --policy policy.json`);

    assert.equal((await sweepAt(deletedAt + 14 * DAY)).purge?.purged.length, 0);
    assert.equal((await storedPoints('app')).length, 1);
    const purge = (await sweepAt(deletedAt + 20 * DAY)).purge;
    assert.deepEqual(purge?.purged, ['app']);
    assert.deepEqual(await ok(`dpvault backup-instance deleted-backup-instance list ${G}`), []);
    assert.deepEqual(await storedPoints('app'), []);
    assert.equal(await readable(point), false, 'the purged point\'s data is gone from the repository');
    const undelete = await sh(`dpvault backup-instance deleted-backup-instance undelete -n app ${G}`);
    assert.match(undelete.stderr, /UserErrorBackupInstanceNotFound/);
  });

  it('deletes at once with soft delete Off', async () => {
    await protectAndBackUp('off');
    const [point] = await storedPoints('off');
    await ok(`dpvault backup-vault update ${G} --soft-delete-state Off`);
    await ok(`dpvault backup-instance delete -n off ${G} --yes`);
    assert.deepEqual(await ok(`dpvault backup-instance deleted-backup-instance list ${G}`), []);
    assert.deepEqual(await storedPoints('off'), []);
    assert.equal(await readable(point!), false);
    await ok(`dpvault backup-vault update ${G} --soft-delete-state On`);
  });
});

describe('an immutable (Locked) vault', () => {
  it('refuses every path that would delete a recovery point before its expiry, and the data stays restorable', async () => {
    const rp = await protectAndBackUp('locked');
    const [point] = await storedPoints('locked');
    const expiry = Date.parse(point!.properties.expiryTime!);
    await ok(`dpvault backup-vault update ${G} --immutability-state Locked`);
    const unlock = await sh(`dpvault backup-vault update ${G} --immutability-state Unlocked`);
    assert.match(unlock.stderr, /UserErrorUnsupportedVaultImmutabilityStateChange/);

    // Delete with soft delete Off.
    await ok(`dpvault backup-vault update ${G} --soft-delete-state Off`);
    const del = await sh(`dpvault backup-instance delete -n locked ${G} --yes`);
    assert.match(del.stderr, /UserErrorOperationDeniedOnImmutableItem.*immutabilitySettings\.state is Locked/);
    // A policy that would end the point sooner.
    const short = JSON.parse(readFileSync(join(cwd, 'policy.json'), 'utf8'));
    for (const rule of short.policyRules) for (const l of rule.lifecycles ?? []) l.deleteAfter.duration = 'P7D';
    writeFileSync(join(cwd, 'short.json'), JSON.stringify(short));
    const shortId = (await ok('dpvault backup-policy create -g rg --vault-name vault -n short --policy short.json')).id;
    const update = await sh(`dpvault backup-instance update-policy --backup-instance-name locked ${G} --policy-id ${shortId}`);
    assert.match(update.stderr, /UserErrorOperationDeniedOnImmutableItem.*shorten the retention/);
    // The vault and its group.
    assert.match((await sh('dpvault backup-vault delete -g rg -v vault --yes')).stderr, /UserErrorBackupVaultNotEmpty/);
    assert.match((await sh('dpvault group delete -n rg --yes')).stderr, /ResourceGroupNotEmpty/);
    // Soft delete On: the instance is soft-deleted, but its purge keeps the point until it expires.
    await ok(`dpvault backup-vault update ${G} --soft-delete-state On`);
    await ok(`dpvault backup-instance delete -n locked ${G} --yes`);
    const purgeTime = Date.parse((await ok(`dpvault backup-instance deleted-backup-instance show -n locked ${G}`)).properties.deletionInfo.scheduledPurgeTime);
    assert.ok(purgeTime < expiry);
    const early = (await sweepAt(purgeTime)).purge;
    assert.equal(early?.keptByImmutability, 1);
    assert.equal((await storedPoints('locked')).length, 1);
    assert.ok(await readable(point!));
    await ok(`dpvault backup-instance deleted-backup-instance undelete -n locked ${G}`);
    assert.equal(await restoreInto('locked', rp, 'shop_locked'), Number((await pgc.query<{ n: string }>('shop', 'SELECT count(*) AS n FROM orders'))[0]!.n));

    // At its expiry the point may go: deleted again and swept, the instance is purged.
    await ok(`dpvault backup-instance delete -n locked ${G} --yes`);
    const late = (await sweepAt(Math.max(expiry, Date.parse((await ok(`dpvault backup-instance deleted-backup-instance show -n locked ${G}`)).properties.deletionInfo.scheduledPurgeTime)))).purge;
    assert.deepEqual(late?.purged, ['locked']);
    assert.equal(await readable(point!), false);
  });
});

describe('the audit log', () => {
  const window = '--start-time 2026-01-01T00:00:00Z --end-time 2030-01-01T00:00:00Z';
  it('lists every mutating call with who, what, scope, result and request id, refused ones included', async () => {
    const events: any[] = await ok(`dpvault monitor activity-log list -g rg ${window} --max-events 1000`);
    const of = (op: string, status: string) => events.filter((e) => e.operationName.value === op && e.status.value === status);
    const deletes = 'Microsoft.DataProtection/backupVaults/backupInstances/delete';
    const refused = of(deletes, 'Failed');
    assert.ok(refused.length >= 1, 'the refused delete under the Locked vault');
    assert.equal(refused[0].subStatus.value, 'UserErrorOperationDeniedOnImmutableItem');
    assert.equal(refused[0].resourceId, instanceId('locked'));
    // The CLI signed in as the Owner: the caller is its object id.
    const token = await signIn(svc.url, ownerCredentials(dataDir));
    const ownerObjectId = (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { oid: string }).oid;
    assert.equal(refused[0].caller, ownerObjectId);
    assert.match(refused[0].correlationId, /^[0-9a-f-]{36}$/);
    assert.ok(of(deletes, 'Succeeded').length >= 4);
    assert.ok(of('Microsoft.DataProtection/backupVaults/deletedBackupInstances/undelete/action', 'Succeeded').length >= 2);
    assert.equal(of('Microsoft.DataProtection/backupVaults/write', 'Failed')[0]?.subStatus.value, 'UserErrorUnsupportedVaultImmutabilityStateChange');
    assert.ok(of('Microsoft.DataProtection/backupVaults/backupInstances/write', 'Failed').some((e) => e.subStatus.value === 'UserErrorOperationDeniedOnImmutableItem'));
    assert.ok(of('Microsoft.Resources/subscriptions/resourceGroups/delete', 'Failed').length >= 1, 'the refused group delete');
    assert.ok(events.every((e) => e.resourceGroup.toLowerCase() === 'rg' && Date.parse(e.eventTimestamp) > 0));
    // Newest first; no GET is recorded.
    assert.deepEqual([...events].sort((a, b) => Date.parse(b.eventTimestamp) - Date.parse(a.eventTimestamp)).map((e) => e.eventTimestamp), events.map((e) => e.eventTimestamp));
    assert.equal(events.some((e) => /\/read$/.test(e.operationName.value)), false);
    // The secret's value never shows.
    assert.doesNotMatch(JSON.stringify(events), /S0ft-delete-pw/);
  });

  it('cannot be changed through the API, and the maintenance worker removes what is past the retention', async () => {
    const path = `/subscriptions/${sub}/providers/microsoft.insights/eventtypes/management/values`;
    const before = await svc.ctx.catalog.queryAudit({ scopePrefix: `/subscriptions/${sub}` });
    // As the Owner, who may do anything the API offers: the log still cannot be changed.
    const headers = { host: new URL(svc.url).host, authorization: `Bearer ${await signIn(svc.url, ownerCredentials(dataDir))}` };
    for (const method of ['PUT', 'PATCH', 'DELETE', 'POST']) {
      const res = await svc.app.request(method, `${path}?api-version=2015-04-01`, { body: {}, headers });
      assert.notEqual(res.status, 401);
      assert.notEqual(res.status, 403);
      assert.ok(res.status >= 400 && res.status < 500, `${method}: ${res.status}`);
    }
    const after = await svc.ctx.catalog.queryAudit({ scopePrefix: `/subscriptions/${sub}` });
    assert.deepEqual(after.slice(-before.length), before, 'the entries there were are unchanged (the refusals were added)');
    const newest = Date.parse(after[0]!.entry.eventTimestamp);
    const oldest = Date.parse(after.at(-1)!.entry.eventTimestamp);
    clock.set(new Date(oldest + 90 * DAY - 1000));
    await svc.maintenance.tick(3_600_000);
    assert.equal((await svc.ctx.catalog.queryAudit({ scopePrefix: `/subscriptions/${sub}` })).length, after.length, 'nothing is removed before 90 days');
    assert.ok(newest > oldest);
    clock.set(new Date(newest + 90 * DAY + 1000));
    await svc.maintenance.tick(3_600_000);
    assert.deepEqual(await svc.ctx.catalog.queryAudit({ scopePrefix: `/subscriptions/${sub}` }), []);
  });
});

describe('vault recover after the catalog is lost', () => {
  it('finds a soft-deleted instance soft-deleted, with its purge time, beside a live one', async () => {
    const goneRp = await protectAndBackUp('gone');
    await ok(`dpvault backup-instance delete -n gone ${G} --yes`);
    const deleted = await ok(`dpvault backup-instance deleted-backup-instance show -n gone ${G}`);
    await protectAndBackUp('live');
    // A new installation: an empty catalog, with the old backup data and master key copied in.
    const fresh = mkdtempSync(join(tmpdir(), 'dpvault-softdelete-recover-'));
    cpSync(join(dataDir, 'backup-data'), join(fresh, 'backup-data'), { recursive: true });
    cpSync(join(dataDir, 'master.key'), join(fresh, 'master.key'));
    await svc.close();
    rmSync(dataDir, { recursive: true, force: true });
    dataDir = fresh;
    svc = await startService({ dataDir, port: 0, clock, schedulerIntervalMs: 3_600_000, retentionIntervalMs: 3_600_000 });
    await ok('dpvault group create -n rg -l westus');
    await ok('dpvault backup-vault create -g rg -v vault -l westus --type SystemAssigned --storage-settings datastore-type=VaultStore type=LocallyRedundant');
    const report = await ok(`dpvault vault recover ${G}`);
    assert.deepEqual(report.softDeletedInstancesRecreated, ['gone']);
    assert.deepEqual(report.instancesRecreated, ['live']);
    assert.deepEqual((await ok(`dpvault backup-instance list ${G}`)).map((i: any) => i.name), ['live']);
    const found = await ok(`dpvault backup-instance deleted-backup-instance show -n gone ${G}`);
    assert.deepEqual(found.properties.deletionInfo, deleted.properties.deletionInfo);
    assert.equal(found.properties.currentProtectionState, 'SoftDeleted');
    await ok(`dpvault backup-instance deleted-backup-instance undelete -n gone ${G}`);
    assert.equal((await sh(`dpvault recovery-point list --backup-instance-name gone ${G} --query "[0].name" -o tsv`)).stdout.trim(), goneRp);
  });
});
