// kill -9 of the real server in the middle of restoring a whole-server point as files: the kill
// point is a database's file being written (its `.partial` seen in the target directory: the
// server is stopped with SIGSTOP right then, and killed). After the restart the job says
// JobInterrupted and what was removed; no `.partial` is left; every file under its final name is
// whole (its SHA-256 equal to the checksum beside it); the manifest, written last, is absent; and
// once the kept files are removed, the same restore completes. One kill point by default, each
// database's with DPVAULT_FULL_SWEEPS=1.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { createFlexResources, FLEX, protectFlexServer } from '../support/flexible-server.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { shellSession } from '../support/shell.ts';
import { scratchDir } from '../support/scratch.ts';

const FULL = process.env.DPVAULT_FULL_SWEEPS === '1';
const DATABASES = ['alpha', 'beta', 'gamma'];
const KILL_AT = FULL ? DATABASES : ['beta'];
// Random text, so that each database's dump is some megabytes and takes a while to write.
const BLOBS_SQL = "CREATE TABLE blobs (id int PRIMARY KEY, body text); INSERT INTO blobs SELECT g, repeat(md5(g::text || random()::text), 8) FROM generate_series(1, 60000) g;";

let pgc: PgCluster;
let server: ServerProcess | null = null;
let dataDir: string;
let cwd: string;
let filesDir: string;
let endpoint = '';
let instance: string;
let rp: string;
const { ok, waitJob } = shellSession(() => ({ cwd, endpoint, dataDir }));

async function start(): Promise<void> {
  server = await startServerProcess(dataDir, ['--restore-files-root', filesDir]);
  endpoint = server.url;
}

async function kill9(): Promise<void> {
  const proc = server!.proc;
  server = null;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const gone = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGKILL');
  await gone;
}

/** Waits until `file` exists and holds bytes, then stops the server where it is (SIGSTOP); false when `done` exists first. */
async function stopWhenWriting(file: string, done: string): Promise<boolean> {
  for (;;) {
    if (existsSync(file) && statSync(file, { throwIfNoEntry: false })?.size) {
      server!.proc.kill('SIGSTOP');
      return true;
    }
    if (existsSync(done)) return false;
    await new Promise((r) => setImmediate(r));
  }
}

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

before(async () => {
  pgc = await startCluster();
  for (const db of DATABASES) await pgc.createDatabase(db, BLOBS_SQL);
  dataDir = mkdtempSync(join(tmpdir(), 'dpvault-files-crash-'));
  cwd = scratchDir('dpvault-files-crash-cwd-');
  filesDir = join(cwd, 'files');
  mkdirSync(filesDir);
  await start();
  const sub = await createFlexResources(ok, pgc, 'kvcrash');
  instance = await protectFlexServer(ok, sub);
  const job = await waitJob((await ok(`dpvault backup-instance adhoc-backup -n ${instance} -g rg -v vault --rule-name BackupWeekly`)).jobId);
  assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
  rp = (await ok(`dpvault recovery-point list --backup-instance-name ${instance} -g rg -v vault`))[0].name;
});

after(async () => {
  if (server) await kill9();
  await pgc?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe(`a whole-server restore as files killed while writing a database's file (${KILL_AT.join(', ')})`, () => {
  for (const db of KILL_AT) {
    it(`killed while writing ${db}'s file: no .partial after the restart, every named file whole, no manifest`, async () => {
      const prefix = `crash_${db}`;
      await ok(`dpvault backup-instance restore initialize-for-data-recovery-as-files ${FLEX} --restore-location westus --source-datastore VaultStore --recovery-point-id ${rp} --target-blob-container-url ${filesDir} --target-file-name ${prefix} > ${prefix}.json`);
      const { jobId } = await ok(`dpvault backup-instance restore trigger -g rg -v vault -n ${instance} --restore-request-object ${prefix}.json`);
      const partial = join(filesDir, `${prefix}_database_${db}.sql.partial`);
      assert.ok(await stopWhenWriting(partial, join(filesDir, `${prefix}_manifest.json`)), 'the restore was stopped while writing the file');
      await kill9();
      assert.ok(existsSync(partial), 'the kill left the half-written file');
      await start();

      const job = await waitJob(jobId);
      assert.equal(job.properties.status, 'Failed');
      assert.equal(job.properties.errorDetails[0].code, 'JobInterrupted');
      assert.match(job.properties.errorDetails[0].message, new RegExp(`Removed the half-written '[^']*${prefix}_database_${db}\\.sql\\.partial'`));
      const left = readdirSync(filesDir).filter((f) => f.startsWith(`${prefix}_`)).sort();
      assert.deepEqual(left.filter((f) => f.includes('.partial')), [], 'no .partial is left');
      assert.ok(!left.includes(`${prefix}_manifest.json`), 'no manifest: the set is incomplete');
      assert.ok(!left.includes(`${prefix}_database_${db}.sql`), 'the file being written never got its name');
      // Every file under its name is whole: its checksum beside it, equal.
      const named = left.filter((f) => !f.endsWith('.sha256'));
      assert.deepEqual(left.filter((f) => f.endsWith('.sha256')), named.map((f) => `${f}.sha256`));
      for (const f of named) assert.equal(readFileSync(join(filesDir, `${f}.sha256`), 'utf8').split(' ')[0], sha256(join(filesDir, f)), f);
      // The files written before the kill point are kept, and named in the job's message.
      for (const before of DATABASES.slice(0, DATABASES.indexOf(db))) {
        assert.ok(named.includes(`${prefix}_database_${before}.sql`), before);
        assert.match(job.properties.errorDetails[0].message, new RegExp(`${prefix}_database_${before}\\.sql'.*kept`));
      }

      // With the kept files removed, the same restore completes.
      for (const f of left) rmSync(join(filesDir, f));
      const again = await waitJob((await ok(`dpvault backup-instance restore trigger -g rg -v vault -n ${instance} --restore-request-object ${prefix}.json`)).jobId);
      assert.equal(again.properties.status, 'Completed', JSON.stringify(again.properties.errorDetails));
      const manifest = JSON.parse(readFileSync(join(filesDir, `${prefix}_manifest.json`), 'utf8'));
      for (const d of manifest.databases) assert.equal(sha256(join(filesDir, d.file)), d.sha256, d.name);
    });
  }
});
