// The storage going away midway through a backup, on s3rver and on Azurite: an HTTP proxy in front
// of each (support/outage-proxy.ts) cuts every connection once two packs have been stored. The job
// fails with a named storage error and no credential; `vault verify` and `vault maintain` then run
// clean over what it left; the rerun completes, its point restores equal to the source, and every
// pack the emulator held before it is used by that point: a day later maintenance deletes and
// repacks nothing (so nothing was sent twice; packs are listed at the emulator itself).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStorage } from '../../src/storage/backends.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { AZURITE_KEY, startAzurite, startS3rver, type ObjectStorePeer } from '../support/object-stores.ts';
import { OutageProxy } from '../support/outage-proxy.ts';
import { startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { createProtectionResources } from '../support/protection-resources.ts';
import { scratchDir } from '../support/scratch.ts';
import { startTestService, type TestService } from '../support/service.ts';
import { shellSession } from '../support/shell.ts';

const PACK = /\/packs\/[0-9a-f]{2}\/([0-9a-f]{64})$/;
const G = '-g rg -v vault';
let pgc: PgCluster;

before(async () => {
  pgc = await startCluster();
  await pgc.createRole('backupuser', 'Outage-pw-1', { login: true, superuser: true });
  // About 40 MB of hex text, some 20 MB compressed: five packs of 4 MiB or so.
  await pgc.createDatabase('noise', `CREATE TABLE noise AS
    SELECT g AS id, (SELECT string_agg(md5(random()::text || g || s), '') FROM generate_series(1, 32) s) AS v FROM generate_series(1, 40000) g;`);
});
after(async () => pgc?.stop());

/** The pack ids the emulator holds under `url` (listed there, not through dpvault). */
async function storedPacks(url: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const o of openStorage(url).list('')) {
    const m = PACK.exec(`/${o.name}`);
    if (m) ids.add(m[1]!);
  }
  return ids;
}

for (const [label, start, container] of [['S3 (s3rver)', startS3rver, 's3'], ['Azure Blob (Azurite)', startAzurite, 'azblob']] as const) {
  describe(`the storage going away midway through a backup, on ${label}`, () => {
    let peer: ObjectStorePeer;
    const clock = new ManualClock(new Date());
    let proxy: OutageProxy;
    let svc: TestService;
    let cwd: string;
    const session = shellSession(() => ({ cwd, endpoint: svc.url }));
    const { sh, ok, waitJob } = session;

    before(async () => {
      peer = await start();
      Object.assign(process.env, peer.env);
      proxy = await OutageProxy.start(peer.endpoint);
      const direct = peer.url('outage', 'run');
      const location = direct.replace(encodeURIComponent(peer.endpoint), encodeURIComponent(proxy.through(peer.endpoint)));
      assert.notEqual(location, direct);
      svc = await startTestService({ clock, storage: { location, setting: `the ${container} test storage` } });
      cwd = scratchDir('dpvault-outage-');
      const { sub, policyId } = await createProtectionResources(ok, pgc.port, 'kvoutage');
      await ok(`dpvault keyvault secret set --vault-name kvoutage -n pg --value "postgres://backupuser:Outage-pw-1@127.0.0.1:${pgc.port}/postgres?sslmode=disable" -o none`);
      const principal = (await sh(`dpvault backup-vault show ${G} --query identity.principalId -o tsv`)).stdout.trim();
      await ok(`dpvault keyvault set-policy -n kvoutage --object-id ${principal} --secret-permissions get list -o none`);
      const dbId = `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/servers/pgsrv/databases/noise`;
      await ok(`dpvault backup-instance initialize --datasource-id ${dbId} --datasource-type AzureDatabaseForPostgreSQL -l westus --policy-id ${policyId} --secret-store-type AzureKeyVault --secret-store-uri https://kvoutage.vault.azure.net/secrets/pg > bi.json`);
      writeFileSync(join(cwd, 'bi.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(cwd, 'bi.json'), 'utf8')), backup_instance_name: 'noise' }));
      await ok(`dpvault backup-instance create ${G} --backup-instance bi.json`);
    });
    after(async () => {
      await svc?.close();
      await proxy?.stop();
      await peer?.stop();
    });

    it('fails the job clearly, leaves nothing verify or gc trips over, and the rerun sends no stored pack again', async () => {
      proxy.goDownAfter(PACK, 2);
      const failed = await waitJob((await ok(`dpvault backup-instance adhoc-backup -n noise ${G} --rule-name BackupWeekly`)).jobId);
      assert.equal(proxy.down, true, 'the storage went away during the backup');
      assert.equal(failed.properties.status, 'Failed');
      const [error] = failed.properties.errorDetails;
      assert.equal(error.code, 'StorageFailure', JSON.stringify(error));
      assert.match(error.message, new RegExp(`${container}://outage/run`), 'names the storage');
      for (const secret of [AZURITE_KEY, 'S3RVER']) assert.ok(!JSON.stringify(failed).includes(secret), 'no credential in the job');
      proxy.up();

      const before = await storedPacks(peer.url('outage', 'run'));
      assert.ok(before.size >= 2, `${before.size} packs stored before the outage`);
      const verify = await waitJob((await ok(`dpvault vault verify ${G}`)).jobId);
      assert.equal(verify.properties.status, 'Completed', JSON.stringify(verify.properties.errorDetails));
      const maintain = await waitJob((await ok(`dpvault vault maintain ${G}`)).jobId);
      assert.equal(maintain.properties.status, 'Completed', JSON.stringify(maintain.properties.errorDetails));
      const kept = await storedPacks(peer.url('outage', 'run'));
      for (const id of before) assert.ok(kept.has(id), 'gc keeps the packs a rerun resumes from (they are not 24 h old)');

      const putsBefore = proxy.puts.length;
      const rerun = await waitJob((await ok(`dpvault backup-instance adhoc-backup -n noise ${G} --rule-name BackupWeekly`)).jobId);
      assert.equal(rerun.properties.status, 'Completed', JSON.stringify(rerun.properties.errorDetails));
      const sent = proxy.puts.slice(putsBefore).flatMap((p) => PACK.exec(p)?.[1] ?? []);
      assert.ok(sent.length > 0, 'the rerun had packs left to send');
      const rp = (await sh(`dpvault recovery-point list --backup-instance-name noise ${G} --query "[0].name" -o tsv`)).stdout.trim();
      const sub = (await ok('dpvault account show')).id;
      const target = `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/servers/pgsrv/databases/noise_${container}`;
      await ok(`dpvault backup-instance restore initialize-for-data-recovery --datasource-type AzureDatabaseForPostgreSQL --restore-location westus --source-datastore VaultStore --recovery-point-id ${rp} --target-resource-id ${target} --secret-store-type AzureKeyVault --secret-store-uri https://kvoutage.vault.azure.net/secrets/pg > restore.json`);
      const restored = await waitJob((await ok(`dpvault backup-instance restore trigger ${G} -n noise --restore-request-object restore.json`)).jobId);
      assert.equal(restored.properties.status, 'Completed', JSON.stringify(restored.properties.errorDetails));
      assert.deepEqual(await pgc.compareDatabases('noise', `noise_${container}`), []);

      // Packs are encrypted with fresh nonces, so data sent twice would be in new packs, and the
      // ones stored before the outage would then hold no live chunk. A day later (past gc's grace
      // period) maintenance finds none such: each of them is used by the rerun's point.
      clock.set(new Date(clock.now().getTime() + 25 * 3600_000));
      const later = await waitJob((await ok(`dpvault vault maintain ${G}`)).jobId);
      assert.equal(later.properties.status, 'Completed', JSON.stringify(later.properties.errorDetails));
      const details = later.properties.extendedInfo.additionalDetails;
      for (const k of ['PacksDeleted', 'PacksRepacked', 'UnfinishedBackupPacksDeleted']) assert.equal(details[k], '0', `${k}: ${JSON.stringify(details)}`);
      const now = await storedPacks(peer.url('outage', 'run'));
      assert.deepEqual([...kept].filter((id) => !now.has(id)), [], 'every pack stored before the outage is still used');
      const verified = await waitJob((await ok(`dpvault vault verify ${G}`)).jobId);
      assert.equal(verified.properties.status, 'Completed', JSON.stringify(verified.properties.errorDetails));
    });
  });
}
