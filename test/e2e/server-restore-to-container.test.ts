// A whole-server recovery point restored as files into object storage, as az sends it: into
// `https://ACCOUNT.blob.core.windows.net/CONTAINER` mapped to an Azurite the operator allowed, and
// into an s3rver bucket under a path. Every file of the layout (per-database dumps, roles and
// tablespace scripts, the manifest) and each checksum lands in the container byte for byte what a
// directory restore writes; a name already there is refused before any job, naming it, and no
// credential shows anywhere.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStorage } from '../../src/storage/backends.ts';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, startS3rver, type ObjectStorePeer } from '../support/object-stores.ts';
import { createFlexResources, FLEX, protectFlexServer } from '../support/flexible-server.ts';
import { startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { shopSql } from '../support/pg-fixtures.ts';
import { scratchDir } from '../support/scratch.ts';
import { startTestService, type TestService } from '../support/service.ts';
import { shellSession } from '../support/shell.ts';

let azurite: ObjectStorePeer;
let s3rver: ObjectStorePeer;
let pgc: PgCluster;
let svc: TestService;
let cwd: string;
let dir: string;
let instance: string;
let rp: string;
const { sh, ok, waitJob } = shellSession(() => ({ cwd, endpoint: svc.url }));
const G = '-g rg -v vault';
const AZURE_URL = `https://${AZURITE_ACCOUNT}.blob.core.windows.net/restores`;

before(async () => {
  [azurite, s3rver] = await Promise.all([startAzurite(), startS3rver()]);
  Object.assign(process.env, azurite.env, s3rver.env);
  pgc = await startCluster();
  await pgc.createDatabase('shop', shopSql(150));
  await pgc.createDatabase('crm', 'CREATE TABLE contacts (id int PRIMARY KEY, name text); INSERT INTO contacts SELECT g, $$c$$ || g FROM generate_series(1, 300) g;');
  dir = scratchDir('dpvault-server-container-dir-');
  svc = await startTestService({ restoreFilesRoots: [dir], restoreFilesContainers: [azurite.url('restores'), s3rver.url('restores', 'pg')] });
  cwd = scratchDir('dpvault-server-container-cli-');
  const sub = await createFlexResources(ok, pgc, 'kvsrvfiles');
  instance = await protectFlexServer(ok, sub);
  const job = await waitJob((await ok(`dpvault backup-instance adhoc-backup -n ${instance} ${G} --rule-name BackupWeekly`)).jobId);
  assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
  rp = (await ok(`dpvault recovery-point list --backup-instance-name ${instance} ${G}`))[0].name;
});
after(async () => {
  await svc?.close();
  await pgc?.stop();
  await azurite?.stop();
  await s3rver?.stop();
});

/** `initialize-for-data-recovery-as-files` of the whole-server point to `url` as `prefix`, then `restore trigger`. */
async function restoreAsFiles(url: string, prefix: string) {
  await ok(`dpvault backup-instance restore initialize-for-data-recovery-as-files ${FLEX} --restore-location westus --source-datastore VaultStore --recovery-point-id ${rp} --target-blob-container-url '${url}' --target-file-name ${prefix} > files.json`);
  return sh(`dpvault backup-instance restore trigger ${G} -n ${instance} --restore-request-object files.json`);
}

async function completed(url: string, prefix: string): Promise<any> {
  const trig = await restoreAsFiles(url, prefix);
  assert.equal(trig.code, 0, trig.stderr);
  const job = await waitJob(JSON.parse(trig.stdout).jobId);
  assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
  for (const s of [AZURITE_KEY, 'S3RVER', pgc.superuserPassword]) assert.ok(!JSON.stringify(job).includes(s), 'no credential in the job');
  return job;
}

async function objectNames(url: string, under = ''): Promise<string[]> {
  const names: string[] = [];
  for await (const o of openStorage(url).list(under)) names.push(o.name);
  return names.sort();
}

describe('a whole-server point restored as files into object storage', () => {
  /** The directory restore's files, by name with the prefix cut off: what every container must hold. */
  let reference: Map<string, Buffer>;

  before(async () => {
    await completed(dir, 'ref');
    reference = new Map(readdirSync(dir).map((f) => [f.replace(/^ref/, ''), readFileSync(join(dir, f))]));
    assert.deepEqual([...reference.keys()].filter((k) => !k.endsWith('.sha256')).sort(), [
      '_database_crm.sql', '_database_postgres.sql', '_database_shop.sql', '_manifest.json', '_roles.sql', '_tablespace.sql',
    ]);
  });

  /** Each object, read back, equals the directory's file of the same name (the prefix replaced). */
  async function assertSameFiles(url: string, under: string, prefix: string): Promise<void> {
    const storage = openStorage(url);
    const names = await objectNames(url, under);
    assert.deepEqual(names, [...reference.keys()].map((k) => `${under}${prefix}${k}`).sort());
    for (const [suffix, bytes] of reference) {
      const got = await storage.get(`${under}${prefix}${suffix}`);
      // The manifest names the files (so its checksum differs); every other file is the same bytes.
      const want = suffix.endsWith('.sha256') || suffix.startsWith('_manifest') ? Buffer.from(bytes.toString().replaceAll('ref_', `${prefix}_`)) : bytes;
      if (suffix !== '_manifest.json.sha256') assert.ok(got.equals(want), `${prefix}${suffix}`);
      if (suffix.endsWith('.sha256')) {
        const of = await storage.get(`${under}${prefix}${suffix.slice(0, -'.sha256'.length)}`);
        assert.equal(got.toString(), `${createHash('sha256').update(of).digest('hex')}  ${prefix}${suffix.slice(0, -'.sha256'.length)}\n`);
      }
    }
  }

  it("writes every file and its checksum into az's https://ACCOUNT.blob.core.windows.net/CONTAINER, mapped to Azurite", async () => {
    const job = await completed(AZURE_URL, 'pgflex');
    const restored = job.properties.extendedInfo.subTasks[0].additionalDetails.RestoredFiles.split(', ');
    assert.equal(restored.length, 6);
    assert.ok(restored.includes(`${AZURE_URL}/pgflex_manifest.json`), restored.join(', '));
    await assertSameFiles(azurite.url('restores'), '', 'pgflex');
    const manifest = JSON.parse((await openStorage(azurite.url('restores')).get('pgflex_manifest.json')).toString());
    assert.deepEqual(manifest.databases.map((d: { file: string }) => d.file), ['pgflex_database_crm.sql', 'pgflex_database_postgres.sql', 'pgflex_database_shop.sql']);
  });

  it('writes them into an s3:// bucket under a path within the allowed prefix', async () => {
    await completed('s3://restores/pg/srv', 'pgflex');
    await assertSameFiles(s3rver.url('restores'), 'pg/srv/', 'pgflex');
  });

  it('refuses, before any job, a prefix whose files are there already, naming the object', async () => {
    const jobs = (await ok(`dpvault job list ${G}`)).length;
    const again = await restoreAsFiles(AZURE_URL, 'pgflex');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /UserErrorFileAlreadyExists.*restores\/pgflex_roles\.sql/);
    const other = await restoreAsFiles('https://someoneelse.blob.core.windows.net/restores', 'x');
    assert.match(other.stderr, /UserErrorRestoreTargetNotAllowed/);
    assert.equal((await ok(`dpvault job list ${G}`)).length, jobs);
    assert.equal((await objectNames(azurite.url('restores'))).length, 12);
  });
});
