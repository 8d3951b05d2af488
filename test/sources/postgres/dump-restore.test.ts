// pg_dump → pg_restore as streams on a real cluster: a database survives the round trip
// table for table, failures reject `done` with a scrubbed stderr excerpt, a killed pg_dump
// names its signal, and the password reaches the tools by environment, never by argv.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, test } from 'node:test';
import { DpError } from '../../../src/domain/errors.ts';
import { startDump } from '../../../src/sources/postgres/dump.ts';
import { createDatabase } from '../../../src/sources/postgres/probe.ts';
import { startRestore } from '../../../src/sources/postgres/restore.ts';
import { startCluster, type PgCluster } from '../../support/pg-cluster.ts';
import { shopSql } from '../../support/pg-fixtures.ts';

const BACKUP_PW = 'dump;pw"secret';
const RESTORE_PW = 'restore pw';
let cluster: PgCluster;

before(async () => {
  cluster = await startCluster();
  await cluster.createDatabase('shop', shopSql(300));
  await cluster.createDatabase('big', shopSql(4000));
  await cluster.createRole('backup', BACKUP_PW);
  await cluster.createRole('restorer', RESTORE_PW, { createdb: true });
  for (const db of ['shop', 'big']) {
    await cluster.psql(db, ['-c', `GRANT SELECT ON ALL TABLES IN SCHEMA public, "Sales Ops" TO backup;
      GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO backup; GRANT USAGE ON SCHEMA "Sales Ops" TO backup`]);
  }
});
after(() => cluster?.stop());

/** Counts the bytes flowing through. */
function counter(): Transform & { bytes: number } {
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      t.bytes += chunk.length;
      cb(null, chunk);
    },
  }) as Transform & { bytes: number };
  t.bytes = 0;
  return t;
}

async function roundTrip(target: string, compress: number): Promise<number> {
  const restorer = cluster.connection('postgres', 'restorer', RESTORE_PW);
  await createDatabase(restorer, target);
  const dump = await startDump(cluster.connection('shop', 'backup', BACKUP_PW), { major: cluster.version, compress });
  const restore = await startRestore(restorer, { major: cluster.version, targetDatabase: target });
  const bytes = counter();
  await pipeline(dump.stdout, bytes, restore.stdin);
  await Promise.all([dump.done, restore.done]);
  return bytes.bytes;
}

test('a database dumped and restored by non-superusers through the streams compares equal', async () => {
  const plain = await roundTrip('shop copy', 0);
  assert.deepEqual(await cluster.compareDatabases('shop', 'shop copy'), []);
  const gz = await roundTrip('shop gz', 6);
  assert.deepEqual(await cluster.compareDatabases('shop', 'shop gz'), []);
  assert.ok(gz < plain, `compressed ${gz} bytes should be fewer than uncompressed ${plain}`);
});

test('a reader that starts after pg_dump has exited still gets the whole archive', async () => {
  await cluster.createDatabase('small', "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 50) g; GRANT SELECT ON t TO backup;");
  const dump = await startDump(cluster.connection('small', 'backup', BACKUP_PW), { major: cluster.version });
  // A small dump fits in the pipe: pg_dump finishes before anything is read.
  const exited = await Promise.race([dump.done.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
  if (!exited) dump.kill();
  assert.ok(exited, 'pg_dump exited before anything was read');
  const restorer = cluster.connection('postgres', 'restorer', RESTORE_PW);
  await createDatabase(restorer, 'small late');
  const restore = await startRestore(restorer, { major: cluster.version, targetDatabase: 'small late' });
  await pipeline(dump.stdout, restore.stdin);
  await Promise.all([dump.done, restore.done]);
  assert.deepEqual(await cluster.compareDatabases('small', 'small late'), []);
  assert.deepEqual(await cluster.query('small late', 'SELECT count(*)::int AS n FROM t'), [{ n: 50 }]);
});

test('a pg_dump killed midway rejects done naming the signal; its argv holds no password', async () => {
  const dump = await startDump(cluster.connection('big', 'backup', BACKUP_PW), { major: cluster.version, compress: 0 });
  const first = await new Promise<Buffer>((resolve) => dump.stdout.once('data', resolve));
  dump.stdout.pause(); // pg_dump blocks on the full pipe and is still running
  assert.ok(first.length > 0);
  const argv = readFileSync(`/proc/${dump.pid}/cmdline`, 'utf8').split('\0');
  assert.ok(argv[0]?.endsWith('pg_dump'), argv.join(' '));
  assert.ok(!argv.some((a) => a.includes(BACKUP_PW) || a.includes(encodeURIComponent(BACKUP_PW))), argv.join(' '));
  assert.ok(readFileSync(`/proc/${dump.pid}/environ`, 'utf8').split('\0').includes(`PGPASSWORD=${BACKUP_PW}`));
  dump.kill('SIGKILL');
  dump.stdout.resume();
  await assert.rejects(dump.done, (e: unknown) => {
    assert.ok(e instanceof DpError);
    assert.equal(e.code, 'BackupToolFailed');
    assert.match(e.message, /pg_dump was killed by signal SIGKILL/);
    return true;
  });
});

test('an aborted dump rejects done as cancelled', async () => {
  const ac = new AbortController();
  const dump = await startDump(cluster.connection('big', 'backup', BACKUP_PW), { major: cluster.version, signal: ac.signal });
  dump.stdout.resume();
  ac.abort();
  await assert.rejects(dump.done, /pg_dump was cancelled \(signal SIGTERM\)/);
});

test('a failing pg_dump rejects with the code its stderr implies and a password-free excerpt', async () => {
  const wrong = 'Wrong-Pw-1';
  const bad = await startDump(cluster.connection('shop', 'backup', wrong), { major: cluster.version });
  bad.stdout.resume();
  await assert.rejects(bad.done, (e: unknown) => {
    assert.ok(e instanceof DpError);
    assert.equal(e.code, 'UserErrorDBUserAuthFailed');
    assert.match(e.message, /pg_dump exited with status 1:\n.*password authentication failed for user "backup"/s);
    return true;
  });
  // A database named like the password makes pg_dump print it: the excerpt must not.
  const named = await startDump(cluster.connection(BACKUP_PW, 'backup', BACKUP_PW), { major: cluster.version });
  named.stdout.resume();
  await assert.rejects(named.done, (e: unknown) => {
    assert.ok(e instanceof DpError);
    assert.equal(e.code, 'UserErrorDBNotFound');
    assert.match(e.message, /database "\*\*\*" does not exist/);
    assert.ok(!e.message.includes(BACKUP_PW), e.message);
    return true;
  });
});

test('pg_restore into a missing database rejects done with UserErrorDBNotFound', async () => {
  const dump = await startDump(cluster.connection('shop', 'backup', BACKUP_PW), { major: cluster.version });
  const restore = await startRestore(cluster.connection('postgres'), { major: cluster.version, targetDatabase: 'not there' });
  // The pipe breaks when pg_restore gives up; `done` says why.
  await pipeline(dump.stdout, restore.stdin).catch(() => {});
  await assert.rejects(restore.done, (e: unknown) => {
    assert.ok(e instanceof DpError);
    assert.equal(e.code, 'UserErrorDBNotFound');
    assert.match(e.message, /pg_restore exited with status 1:\n.*database "not there" does not exist/s);
    return true;
  });
  await dump.done.catch(() => {}); // pg_dump lost its reader: it fails too, and is reaped.
});

test('a reader that gives up midway ends pg_dump with a broken pipe instead of leaving it blocked', async () => {
  const dump = await startDump(cluster.connection('big', 'backup', BACKUP_PW), { major: cluster.version, compress: 0 });
  await new Promise((resolve) => dump.stdout.once('data', resolve));
  dump.stdout.destroy();
  await assert.rejects(dump.done, (e: unknown) => e instanceof DpError && e.code === 'BackupToolFailed');
});

test('pg_dump writes in large pieces (stdbuf), so the backup loop turns over a few reads, not thousands', async (t) => {
  if (!process.env.PATH?.split(':').some((d) => existsSync(`${d}/stdbuf`))) return t.skip('coreutils stdbuf is not installed');
  const dump = await startDump(cluster.connection('big', 'backup', BACKUP_PW), { major: cluster.version });
  let reads = 0;
  let bytes = 0;
  for await (const c of dump.stdout) {
    reads++;
    bytes += (c as Buffer).length;
  }
  await dump.done;
  assert.ok(bytes / reads > 48 * 1024, `${reads} reads of ${Math.round(bytes / reads)} bytes on average`);
});
