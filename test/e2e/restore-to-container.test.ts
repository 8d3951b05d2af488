// Restore as files into object storage, as az sends it: `--target-blob-container-url
// https://ACCOUNT.blob.core.windows.net/CONTAINER` mapped to an Azurite the operator allowed, and
// an s3rver bucket by its s3:// URL. The dump and its checksum land in the container byte for
// byte what a directory restore writes; a container not allowed, one that does not answer, and a
// name already taken are refused before any data moves, and no credential shows anywhere.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStorage } from '../../src/storage/backends.ts';
import { AZURITE_ACCOUNT, AZURITE_KEY, freePort, startAzurite, startS3rver, type ObjectStorePeer } from '../support/object-stores.ts';
import { OutageProxy } from '../support/outage-proxy.ts';
import { startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { shopSql } from '../support/pg-fixtures.ts';
import { createProtectionResources, protectAndBackUp } from '../support/protection-resources.ts';
import { scratchDir } from '../support/scratch.ts';
import { startTestService, type TestService } from '../support/service.ts';
import { shellSession } from '../support/shell.ts';

let azurite: ObjectStorePeer;
let s3rver: ObjectStorePeer;
let proxy: OutageProxy;
let pgc: PgCluster;
let svc: TestService;
let cwd: string;
let dir: string;
let rp: string;
const session = shellSession(() => ({ cwd, endpoint: svc.url }));
const { sh, ok, waitJob } = session;
const G = '-g rg -v vault';
const SECRETS = [AZURITE_KEY, 'S3RVER', 'B4ck-pw'];

before(async () => {
  [azurite, s3rver] = await Promise.all([startAzurite(), startS3rver()]);
  Object.assign(process.env, azurite.env, s3rver.env);
  pgc = await startCluster();
  await pgc.createDatabase('shop', shopSql(200));
  await pgc.createRole('backupuser', 'B4ck-pw', { login: true, superuser: true });
  dir = scratchDir('dpvault-container-dir-');
  const closed = await freePort();
  proxy = await OutageProxy.start(s3rver.endpoint);
  svc = await startTestService({
    restoreFilesRoots: [dir],
    restoreFilesContainers: [
      azurite.url('restores'),
      s3rver.url('restores', 'pg'),
      `azblob://gone?endpoint=${encodeURIComponent(`http://127.0.0.1:${closed}/${AZURITE_ACCOUNT}`)}`,
      `s3://flaky?endpoint=${encodeURIComponent(proxy.through(s3rver.endpoint))}&region=us-east-1`,
    ],
  });
  cwd = scratchDir('dpvault-container-cli-');
  const { sub, policyId } = await createProtectionResources(ok, pgc.port, 'kvfiles');
  await ok(`dpvault keyvault secret set --vault-name kvfiles -n pg --value "postgres://backupuser:B4ck-pw@127.0.0.1:${pgc.port}/postgres?sslmode=disable" -o none`);
  const principal = (await sh('dpvault backup-vault show -g rg -v vault --query identity.principalId -o tsv')).stdout.trim();
  await ok(`dpvault keyvault set-policy -n kvfiles --object-id ${principal} --secret-permissions get list -o none`);
  rp = await protectAndBackUp(session, cwd, { sub, policyId, keyVault: 'kvfiles', name: 'shop' });
});
after(async () => {
  await svc?.close();
  await pgc?.stop();
  await proxy?.stop();
  await azurite?.stop();
  await s3rver?.stop();
});

/** `initialize-for-data-recovery-as-files` to `url` as `prefix`, then `restore trigger`; returns the trigger's result. */
async function restoreAsFiles(url: string, prefix: string) {
  await ok(`dpvault backup-instance restore initialize-for-data-recovery-as-files --datasource-type AzureDatabaseForPostgreSQL --restore-location westus --source-datastore VaultStore --recovery-point-id ${rp} --target-blob-container-url '${url}' --target-file-name ${prefix} > files.json`);
  const req = JSON.parse(readFileSync(join(cwd, 'files.json'), 'utf8'));
  assert.equal(req.restore_target_info.target_details.restore_target_location_type, 'AzureBlobs');
  return sh(`dpvault backup-instance restore trigger ${G} -n shop --restore-request-object files.json`);
}

async function completed(url: string, prefix: string) {
  const trig = await restoreAsFiles(url, prefix);
  assert.equal(trig.code, 0, trig.stderr);
  const job = await waitJob(JSON.parse(trig.stdout).jobId);
  assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
  for (const s of SECRETS) assert.ok(!JSON.stringify(job).includes(s), 'no credential in the job');
  return job;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('restore as files into object storage', () => {
  let reference: Buffer;

  before(async () => {
    await completed(dir, 'ref');
    reference = readFileSync(join(dir, 'ref.dump'));
    assert.equal(reference.subarray(0, 5).toString(), 'PGDMP');
  });

  it("writes the dump and its checksum to az's https://ACCOUNT.blob.core.windows.net/CONTAINER, mapped to Azurite", async () => {
    const job = await completed(`https://${AZURITE_ACCOUNT}.blob.core.windows.net/restores`, 'shop_files');
    assert.equal(job.properties.extendedInfo.subTasks[0].additionalDetails.RestoredFile, `https://${AZURITE_ACCOUNT}.blob.core.windows.net/restores/shop_files.dump`);
    const container = openStorage(azurite.url('restores'));
    const dump = await container.get('shop_files.dump');
    assert.ok(dump.equals(reference), 'the same bytes as the directory restore');
    assert.equal((await container.get('shop_files.dump.sha256')).toString(), `${sha(dump)}  shop_files.dump\n`);
  });

  it('writes to an s3:// bucket under a path within the allowed prefix', async () => {
    await completed('s3://restores/pg/jan', 'shop_s3');
    const bucket = openStorage(s3rver.url('restores'));
    const dump = await bucket.get('pg/jan/shop_s3.dump');
    assert.ok(dump.equals(reference));
    assert.equal((await bucket.get('pg/jan/shop_s3.dump.sha256')).toString(), `${sha(dump)}  shop_s3.dump\n`);
  });

  it('refuses, before any job, a name already there, a container not allowed, and one that does not answer', async () => {
    const again = await restoreAsFiles(`https://${AZURITE_ACCOUNT}.blob.core.windows.net/restores`, 'shop_files');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /UserErrorFileAlreadyExists.*restores\/shop_files\.dump/);
    const other = await restoreAsFiles('https://someoneelse.blob.core.windows.net/restores', 'x');
    assert.match(other.stderr, /UserErrorRestoreTargetNotAllowed.*someoneelse.*--restore-files-container/);
    const outside = await restoreAsFiles('s3://restores/elsewhere', 'x');
    assert.match(outside.stderr, /UserErrorRestoreTargetNotAllowed/);
    const gone = await restoreAsFiles(`https://${AZURITE_ACCOUNT}.blob.core.windows.net/gone`, 'x');
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /UserErrorContainerNotAccessible.*gone.*Nothing was written/);
    const sas = await restoreAsFiles(`https://${AZURITE_ACCOUNT}.blob.core.windows.net/restores?sv=1&sig=Zm9vYmFy`, 'x');
    assert.match(sas.stderr, /UserErrorInvalidRequestParameter/);
    for (const r of [again, other, outside, gone, sas]) for (const s of [...SECRETS, 'Zm9vYmFy']) assert.ok(!r.stderr.includes(s));
    const jobs = await ok(`dpvault job list ${G}`);
    assert.equal(jobs.filter((j: any) => j.properties.operationCategory === 'Restore').length, 3, 'only the three restores that completed');
    const names: string[] = [];
    for await (const o of openStorage(azurite.url('restores')).list('')) names.push(o.name);
    assert.deepEqual(names.sort(), ['shop_files.dump', 'shop_files.dump.sha256']);
  });

  it('fails the job when the storage goes away while the dump is written, leaving no dump; the same restore then succeeds', async () => {
    proxy.goDownOnPut(/\/flaky\/shop_cut\.dump$/);
    const trig = await restoreAsFiles('s3://flaky', 'shop_cut');
    assert.equal(trig.code, 0, trig.stderr);
    const job = await waitJob(JSON.parse(trig.stdout).jobId);
    assert.equal(proxy.down, true, 'the storage went away during the restore');
    assert.equal(job.properties.status, 'Failed');
    assert.equal(job.properties.errorDetails[0].code, 'StorageFailure', JSON.stringify(job.properties.errorDetails));
    for (const s of SECRETS) assert.ok(!JSON.stringify(job).includes(s), 'no credential in the job');
    proxy.up();
    const names: string[] = [];
    for await (const o of openStorage(s3rver.url('flaky')).list('')) names.push(o.name);
    assert.deepEqual(names, [], 'no dump, no checksum');
    await completed('s3://flaky', 'shop_cut');
    assert.ok((await openStorage(s3rver.url('flaky')).get('shop_cut.dump')).equals(reference));
  });
});
