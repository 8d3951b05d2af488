// The key-ordered dump on a real cluster: the archive restores with pg_restore to an equal
// database, lists one TABLE DATA entry per table, holds key-ordered rows where plain pg_dump's
// are not, reads one snapshot across pg_dump and the copying session, works for a non-superuser,
// and fails or cancels cleanly: `done` says why and no session is left behind.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { DpError } from '../../../src/domain/errors.ts';
import { startDump } from '../../../src/sources/postgres/dump.ts';
import { startOrderedDump } from '../../../src/sources/postgres/ordered-dump.ts';
import { recyclerOf } from '../../../src/util/recycle.ts';
import { clusterOwner } from '../../support/pg-bin.ts';
import { startCluster, type PgCluster } from '../../support/pg-cluster.ts';
import { shopSql } from '../../support/pg-fixtures.ts';

const run = promisify(execFile);
const BACKUP_PW = 'order;pw"secret';
let cluster: PgCluster;
let dir: string;

// Everything the archive must carry beside shopSql: quoting, dropped and generated columns, an
// unlogged table, tables without a key or without rows, text that looks like COPY's own syntax,
// a value longer than a framed piece, and a table where heap order is not key order.
const EXTRAS = `
CREATE TABLE odd ("Key" int PRIMARY KEY, "x.y*z" text, gone text, doubled int GENERATED ALWAYS AS ("Key" * 2) STORED);
ALTER TABLE odd DROP COLUMN gone;
INSERT INTO odd ("Key", "x.y*z") VALUES (3, E'tab\\there'), (1, E'new\\nline'), (2, E'back\\\\slash'), (5, E'\\\\.'), (4, NULL), (6, repeat('z', 1500000));
CREATE SCHEMA "we""ird.*";
CREATE TABLE "we""ird.*"."t|a+b" (id int PRIMARY KEY, v text);
INSERT INTO "we""ird.*"."t|a+b" SELECT g, md5(g::text) FROM generate_series(1, 50) g;
CREATE UNLOGGED TABLE scratch (id int PRIMARY KEY, v text);
INSERT INTO scratch VALUES (1, 'u');
CREATE TABLE nopk (v text);
INSERT INTO nopk VALUES ('a'), ('b');
CREATE TABLE emptyk (id int PRIMARY KEY);
UPDATE orders SET notes = 'moved' WHERE id % 7 = 0;
`;

before(async () => {
  cluster = await startCluster();
  dir = mkdtempSync(join(tmpdir(), 'dpvault-ordered-'));
  await cluster.createDatabase('shop', shopSql(300) + EXTRAS);
  await cluster.createRole('backup', BACKUP_PW);
  await cluster.psql('shop', ['-c', `GRANT USAGE ON SCHEMA "Sales Ops", "we""ird.*" TO backup;
    GRANT SELECT ON ALL TABLES IN SCHEMA public, "Sales Ops", "we""ird.*" TO backup; GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO backup`]);
});
after(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const tool = (name: string): string => join(cluster.bindir, name);

async function dumpToFile(file: string, user = 'postgres', password = cluster.superuserPassword): Promise<void> {
  const dump = await startOrderedDump(cluster.connection('shop', user, password), { major: cluster.version, minTableBytes: 0 });
  await Promise.all([pipeline(dump.stdout, createWriteStream(file)), dump.done]);
}

async function restoreFile(file: string, db: string): Promise<void> {
  await cluster.query('postgres', `CREATE DATABASE "${db}" TEMPLATE template0`);
  await run(tool('pg_restore'), ['--no-owner', '--exit-on-error', '-h', cluster.dir, '-p', String(cluster.port), '-U', 'postgres', '-d', db, file]);
}

/** The ids of `table`'s rows in the order the archive holds them. */
async function idsInArchive(file: string, table: string): Promise<number[]> {
  const { stdout } = await run(tool('pg_restore'), ['--data-only', '-t', table, '-f', '-', file], { maxBuffer: 64 * 1024 * 1024 });
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => l.startsWith('COPY '));
  const end = lines.indexOf('\\.', start);
  assert.ok(start >= 0 && end > start, `the script holds ${table}'s COPY block, ended by \\.`);
  return lines.slice(start + 1, end).map((l) => Number(l.split('\t')[0]));
}

const ascending = (ids: number[]): boolean => ids.every((v, i) => i === 0 || ids[i - 1]! < v);

test('the archive restores to an equal database, one TABLE DATA entry per table, key-ordered rows', async () => {
  const file = join(dir, 'ordered.dump');
  await dumpToFile(file);
  await restoreFile(file, 'shop restored');
  assert.deepEqual(await cluster.compareDatabases('shop', 'shop restored'), []);
  // As a script too (pg_restore -f), which needs each COPY block's end-of-data line.
  const { stdout: script } = await run(tool('pg_restore'), ['--no-owner', '-f', '-', file], { maxBuffer: 256 * 1024 * 1024 });
  await cluster.query('postgres', 'CREATE DATABASE "shop script" TEMPLATE template0');
  await cluster.psql('shop script', ['-f', '-'], { input: script });
  assert.deepEqual(await cluster.compareDatabases('shop', 'shop script'), []);

  const { stdout: list } = await run(tool('pg_restore'), ['-l', file]);
  const data = list.split('\n').filter((l) => / TABLE DATA /.test(l)).map((l) => l.replace(/^\d+; \d+ \d+ TABLE DATA /, '').replace(/ \S+$/, ''));
  assert.deepEqual(data.sort(), [
    'Sales Ops Quota Targets', 'public customers', 'public emptyk', 'public events_2025', 'public events_2026',
    'public nopk', 'public odd', 'public orders', 'public scratch', 'we"ird.* t|a+b',
  ].sort());

  const plain = join(dir, 'plain.dump');
  await run(tool('pg_dump'), ['-Fc', '-Z0', '-h', cluster.dir, '-p', String(cluster.port), '-U', 'postgres', '-f', plain, 'shop']);
  const heapOrder = await idsInArchive(plain, 'orders');
  const keyOrder = await idsInArchive(file, 'orders');
  assert.equal(keyOrder.length, 3000);
  assert.ok(!ascending(heapOrder), 'updated rows moved: pg_dump writes them out of key order');
  assert.ok(ascending(keyOrder), 'the key-ordered archive holds orders by id');
  assert.ok(ascending(await idsInArchive(file, 'odd')));
});

test('pieces given back to the dump as they are read (as a backup does) leave the archive whole', async () => {
  const file = join(dir, 'recycled.dump');
  const dump = await startOrderedDump(cluster.connection('shop'), { major: cluster.version, minTableBytes: 0 });
  const recycle = recyclerOf(dump.stdout);
  assert.ok(recycle, 'the dump takes its pieces back');
  const parts: Buffer[] = [];
  for await (const chunk of dump.stdout as AsyncIterable<Buffer>) {
    parts.push(Buffer.from(chunk));
    recycle(chunk);
  }
  await dump.done;
  writeFileSync(file, Buffer.concat(parts));
  await restoreFile(file, 'shop recycled');
  assert.deepEqual(await cluster.compareDatabases('shop', 'shop recycled'), []);
});

test('pg_dump and the copying session read one snapshot: rows committed after the dump starts are not in it', async () => {
  const conn = cluster.connection('shop', 'backup', BACKUP_PW);
  const dump = await startOrderedDump(conn, { major: cluster.version, minTableBytes: 0 });
  // Nothing has been read yet: pg_dump is blocked on its pipe, the copy not started.
  await cluster.query('shop', `INSERT INTO orders (customer_id, amount, status) VALUES (1, 1, 'new'); INSERT INTO nopk VALUES ('later')`);
  const file = join(dir, 'snapshot.dump');
  await Promise.all([pipeline(dump.stdout, createWriteStream(file)), dump.done]);
  await restoreFile(file, 'shop snapshot');
  const count = async (db: string, table: string): Promise<number> => Number((await cluster.query<{ n: string }>(db, `SELECT count(*) AS n FROM ${table}`))[0]!.n);
  assert.equal(await count('shop snapshot', 'orders'), (await count('shop', 'orders')) - 1);
  assert.equal(await count('shop snapshot', 'nopk'), (await count('shop', 'nopk')) - 1);
  await cluster.query('shop', `DELETE FROM orders WHERE id = (SELECT max(id) FROM orders); DELETE FROM nopk WHERE v = 'later'`);
});

async function sessionsOn(db: string): Promise<number> {
  const rows = await cluster.query<{ n: string }>('postgres', 'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [db]);
  return Number(rows[0]!.n);
}

async function noSessionsLeft(db: string): Promise<void> {
  for (let i = 0; i < 100 && (await sessionsOn(db)) > 0; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(await sessionsOn(db), 0, 'every session of the dump has ended');
}

test('a reader that gives up before reading cancels the dump and leaves no session behind', async () => {
  const dump = await startOrderedDump(cluster.connection('shop', 'backup', BACKUP_PW), { major: cluster.version, minTableBytes: 0 });
  dump.stdout.destroy();
  await assert.rejects(dump.done, (e: unknown) => e instanceof DpError && /cancelled/.test(e.message));
  await noSessionsLeft('shop');
});

test('a reader that gives up while pg_dump reads the catalog, or right after, leaves no session behind', async () => {
  // The copying session is opened while pg_dump reads the catalog: given up on then, or once the
  // archive's head is out and before the copy starts, it must be ended with the rest.
  for (const after of [0, 1]) {
    const dump = await startOrderedDump(cluster.connection('shop', 'backup', BACKUP_PW), { major: cluster.version, minTableBytes: 0 });
    const reader = dump.stdout[Symbol.asyncIterator]();
    const first = reader.next();
    if (after > 0) assert.ok(!(await first).done, 'the archive head was read');
    else await new Promise((r) => setTimeout(r, 5));
    dump.stdout.destroy();
    await assert.rejects(dump.done, (e: unknown) => e instanceof DpError && /cancelled/.test(e.message));
    await first.catch(() => undefined);
    await noSessionsLeft('shop');
  }
});

test('an abort signal during the copy stops it and pg_dump; no session is left', async () => {
  // More rows than the socket's buffers hold, so the copy is still running when the signal comes.
  await cluster.createDatabase('bigabort', `CREATE TABLE t (id int PRIMARY KEY, v text);
    INSERT INTO t SELECT g, repeat('v', 100) FROM generate_series(1, 300000) g;`);
  const ac = new AbortController();
  const dump = await startOrderedDump(cluster.connection('bigabort'), { major: cluster.version, minTableBytes: 0, signal: ac.signal });
  dump.stdout.on('error', () => {});
  // Read the TOC and a little of the copy, then stop reading and abort.
  let seen = 0;
  await new Promise<void>((resolve) => {
    dump.stdout.on('data', (c: Buffer) => {
      seen += c.length;
      if (seen > 1024 * 1024) {
        dump.stdout.pause();
        resolve();
      }
    });
  });
  ac.abort();
  await assert.rejects(dump.done, (e: unknown) => e instanceof DpError && /cancelled/.test(e.message));
  await noSessionsLeft('bigabort');
});

test('the copying session ended by the server mid-copy fails the dump; no session is left', async () => {
  // More rows than the socket's buffers hold, so the copy is still running when it is ended.
  await cluster.createDatabase('bigcopy', `CREATE TABLE t (id int PRIMARY KEY, v text);
    INSERT INTO t SELECT g, repeat('v', 100) FROM generate_series(1, 300000) g;`);
  const dump = await startOrderedDump(cluster.connection('bigcopy'), { major: cluster.version, minTableBytes: 0 });
  // Read the TOC, then stop reading: the copy starts and stalls on the full socket.
  await new Promise<Buffer>((resolve) => dump.stdout.once('data', resolve));
  dump.stdout.pause();
  let pid: number | undefined;
  for (let i = 0; i < 100 && !pid; i++) {
    const rows = await cluster.query<{ pid: number }>('postgres', `SELECT pid FROM pg_stat_activity WHERE datname = 'bigcopy' AND state = 'active' AND query LIKE 'COPY (SELECT%'`);
    pid = rows[0]?.pid;
    if (!pid) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(pid, 'the copy is running');
  await cluster.query('postgres', 'SELECT pg_terminate_backend($1)', [pid]);
  dump.stdout.on('error', () => {}); // `done` says why
  dump.stdout.resume();
  await assert.rejects(dump.done, (e: unknown) => {
    assert.ok(e instanceof DpError);
    assert.match(`${e.code}: ${e.message}`, /UserErrorServerConnectionClosed: .*terminat|BackupToolFailed: .*closed before the copy ended/);
    return true;
  });
  await noSessionsLeft('bigcopy');
});

test('a table the copy may not read fails the dump with the server\'s words; nothing is left running', async () => {
  await cluster.createRole('rlsowner', 'rls pw');
  await cluster.query('postgres', 'CREATE DATABASE rls OWNER rlsowner');
  // `filler` (no key: pg_dump's to dump) is more than pg_dump's pipe holds, so pg_dump is still
  // running, blocked, when the copy fails: the failure reported must be the copy's, not the
  // signal that then stops pg_dump.
  await cluster.psql('rls', ['-c', `SET ROLE rlsowner; CREATE TABLE secured (id int PRIMARY KEY, v text);
    INSERT INTO secured VALUES (1, 'x'); ALTER TABLE secured ENABLE ROW LEVEL SECURITY; ALTER TABLE secured FORCE ROW LEVEL SECURITY;
    CREATE TABLE filler (v text); INSERT INTO filler SELECT repeat('f', 1000) FROM generate_series(1, 2000)`]);
  const dump = await startOrderedDump(cluster.connection('rls', 'rlsowner', 'rls pw'), { major: cluster.version, minTableBytes: 0 });
  const drained = pipeline(dump.stdout, createWriteStream(join(dir, 'rls.dump')));
  await assert.rejects(dump.done, (e: unknown) => {
    assert.ok(e instanceof DpError);
    assert.equal(e.code, 'UserErrorMissingDBPermissions');
    assert.match(e.message, /row-level security/);
    assert.doesNotMatch(e.message, /rls pw/);
    return true;
  });
  await assert.rejects(drained);
  await noSessionsLeft('rls');
});

test('with no table above the size limit the plain pg_dump archive is written, in the exported snapshot', async () => {
  const dump = await startOrderedDump(cluster.connection('shop', 'backup', BACKUP_PW), { major: cluster.version, minTableBytes: 2 ** 40 });
  // pg_dump reads the snapshot exported before this row, not one of its own taken later.
  await cluster.query('shop', `INSERT INTO nopk VALUES ('after the snapshot')`);
  const file = join(dir, 'small.dump');
  await Promise.all([pipeline(dump.stdout, createWriteStream(file)), dump.done]);
  const heapOrder = await idsInArchive(file, 'orders');
  assert.ok(!ascending(heapOrder));
  const { stdout: rows } = await run(tool('pg_restore'), ['--data-only', '-t', 'nopk', '-f', '-', file]);
  assert.ok(!rows.includes('after the snapshot'));
  await cluster.query('shop', `DELETE FROM nopk WHERE v = 'after the snapshot'`);
  // Same bytes count as pg_dump's own archive of the same database, give or take its timestamp.
  const plain = await startDump(cluster.connection('shop', 'backup', BACKUP_PW), { major: cluster.version });
  let bytes = 0;
  for await (const c of plain.stdout) bytes += (c as Buffer).length;
  await plain.done;
  const { size } = await import('node:fs/promises').then((fs) => fs.stat(file));
  assert.equal(size, bytes);
});

test('a LATIN1 database: rows are copied in the database encoding, as pg_dump writes them', async () => {
  await cluster.query('postgres', "CREATE DATABASE latin TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'");
  await cluster.query('latin', "CREATE TABLE words (id int PRIMARY KEY, w text); INSERT INTO words VALUES (2, 'déjà vu'), (1, 'naïve café')");
  const dump = await startOrderedDump(cluster.connection('latin'), { major: cluster.version, minTableBytes: 0 });
  const file = join(dir, 'latin.dump');
  await Promise.all([pipeline(dump.stdout, createWriteStream(file)), dump.done]);
  const bytes = readFileSync(file);
  assert.ok(bytes.includes(Buffer.from('caf\xe9', 'latin1')), 'the row holds the LATIN1 byte');
  assert.ok(!bytes.includes(Buffer.from('café', 'utf8')), 'and not its UTF-8 form');
  await cluster.query('postgres', "CREATE DATABASE latin_restored TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'");
  await run(tool('pg_restore'), ['--no-owner', '--exit-on-error', '-h', cluster.dir, '-p', String(cluster.port), '-U', 'postgres', '-d', 'latin_restored', file]);
  assert.deepEqual(await cluster.compareDatabases('latin', 'latin_restored'), []);
  const rows = await cluster.query<{ w: string }>('latin_restored', 'SELECT w FROM words ORDER BY id');
  assert.deepEqual(rows.map((r) => r.w), ['naïve café', 'déjà vu']);
});

test("a server's idle-in-transaction timeout does not end the snapshot's session while the dump waits", async () => {
  await cluster.createDatabase('idle', 'CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, g::text FROM generate_series(1, 1000) g;');
  await cluster.query('postgres', "ALTER DATABASE idle SET idle_in_transaction_session_timeout = '200ms'");
  const dump = await startOrderedDump(cluster.connection('idle'), { major: cluster.version, minTableBytes: 0 });
  // Nothing is read for a while: the exporting session sits idle in its transaction.
  await new Promise((r) => setTimeout(r, 800));
  const file = join(dir, 'idle.dump');
  await Promise.all([pipeline(dump.stdout, createWriteStream(file)), dump.done]);
  await restoreFile(file, 'idle restored');
  assert.deepEqual(await cluster.compareDatabases('idle', 'idle restored'), []);
});

test('over TLS (sslmode require) the copy reads the encrypted socket and the archive restores equal', async () => {
  // A self-signed certificate, SSL switched on by reload, and the backup user refused any
  // connection to `shop` without TLS: a session that did not encrypt would fail the dump.
  const key = join(cluster.dataDir, 'server.key');
  const crt = join(cluster.dataDir, 'server.crt');
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '2', '-subj', '/CN=127.0.0.1']);
  const owner = clusterOwner();
  for (const f of [key, crt]) if (owner) chownSync(f, owner.uid, owner.gid);
  chmodSync(key, 0o600);
  const hba = join(cluster.dataDir, 'pg_hba.conf');
  const before = readFileSync(hba, 'utf8');
  writeFileSync(hba, `hostnossl shop backup 127.0.0.1/32 reject\n${before}`);
  await cluster.query('postgres', "ALTER SYSTEM SET ssl = on");
  await cluster.query('postgres', 'SELECT pg_reload_conf()');
  try {
    const plain = await startOrderedDump(cluster.connection('shop', 'backup', BACKUP_PW), { major: cluster.version, minTableBytes: 0 }).catch((e: unknown) => e);
    assert.ok(plain instanceof DpError, 'without TLS the backup user is refused');
    const conn = { ...cluster.connection('shop', 'backup', BACKUP_PW), sslMode: 'require' as const };
    const dump = await startOrderedDump(conn, { major: cluster.version, minTableBytes: 0 });
    const file = join(dir, 'tls.dump');
    await Promise.all([pipeline(dump.stdout, createWriteStream(file)), dump.done]);
    await restoreFile(file, 'shop tls');
    assert.deepEqual(await cluster.compareDatabases('shop', 'shop tls'), []);
  } finally {
    writeFileSync(hba, before);
    await cluster.query('postgres', 'ALTER SYSTEM RESET ssl');
    await cluster.query('postgres', 'SELECT pg_reload_conf()');
  }
});
