// The throwaway-cluster harness itself: it starts a real server on 127.0.0.1 with scram
// passwords, loads SQL through psql, compares databases, stops cleanly, and leaves nothing
// running when the test process that started it is killed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { postmasterPid, isRunning, reapStaleClusters } from './pg-reaper.ts';
import { serverMajor, startCluster, type PgCluster } from './pg-cluster.ts';
import { shopSql } from './pg-fixtures.ts';

let cluster: PgCluster;
before(async () => {
  cluster = await startCluster({ superuserPassword: 'harness pw;1' });
});
after(() => cluster?.stop());

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('the server listens on 127.0.0.1 only, with fsync off, and reports its major version', async () => {
  assert.equal(cluster.version, serverMajor(cluster.bindir));
  const rows = await cluster.query<{ name: string; setting: string }>(
    'postgres', "SELECT name, setting FROM pg_settings WHERE name IN ('listen_addresses', 'fsync', 'port') ORDER BY name",
  );
  assert.deepEqual(rows, [
    { name: 'fsync', setting: 'off' }, { name: 'listen_addresses', setting: '127.0.0.1' }, { name: 'port', setting: String(cluster.port) },
  ]);
});

test('TCP connections need the right password (scram-sha-256)', async () => {
  const good = new pg.Client({ connectionString: cluster.connectionString('postgres') });
  await good.connect();
  const [row] = (await good.query<{ method: string }>(
    "SELECT (SELECT auth_method FROM pg_hba_file_rules WHERE type = 'host' LIMIT 1) AS method",
  )).rows;
  await good.end();
  assert.equal(row?.method, 'scram-sha-256');
  const bad = new pg.Client({ connectionString: cluster.connectionString('postgres', 'postgres', 'wrong') });
  await assert.rejects(bad.connect(), (e: unknown) => (e as { code?: string }).code === '28P01');
  await cluster.createRole('alice', 'alice pw', { createdb: true });
  const alice = new pg.Client({ connectionString: cluster.connectionString('postgres', 'alice', 'alice pw') });
  await alice.connect();
  assert.equal((await alice.query<{ u: string }>('SELECT current_user AS u')).rows[0]?.u, 'alice');
  await alice.end();
});

test('createDatabase runs SQL text through psql, and psql takes -v variables', async () => {
  await cluster.createDatabase('shop', shopSql(100));
  const [row] = await cluster.query<{ n: string }>('shop', 'SELECT count(*) AS n FROM orders');
  assert.equal(row?.n, '1000');
  const out = await cluster.psql('shop', ['-v', 'n=41', '-At', '-f', '-'], { input: 'SELECT :n + 1;' });
  assert.equal(out.stdout.trim(), '42');
  await assert.rejects(cluster.psql('shop', ['-c', 'SELECT * FROM no_such_table']), /no_such_table/);
});

test('equal databases compare equal; a changed row, a moved sequence and a dropped view are each found', async () => {
  await cluster.query('postgres', 'CREATE DATABASE shop_copy TEMPLATE shop');
  assert.deepEqual(await cluster.compareDatabases('shop', 'shop_copy'), []);
  await cluster.query('shop_copy', 'UPDATE orders SET amount = amount + 0.01 WHERE id = 7');
  const diffs = await cluster.compareDatabases('shop', 'shop_copy');
  assert.deepEqual(diffs.map((d) => d.object), ['table public.orders']);
  assert.match(diffs[0]?.a ?? '', /^rows=1000 hash=/);
  assert.match(diffs[0]?.b ?? '', /^rows=1000 hash=/);
  await cluster.query('shop_copy', "SELECT setval('event_ids', 99999)");
  await cluster.query('shop_copy', 'DROP VIEW customer_totals');
  const more = await cluster.compareDatabases('shop', 'shop_copy');
  assert.deepEqual(more.map((d) => [d.object, d.b === null]), [
    ['sequence public.event_ids', false], ['table public.orders', false], ['view public.customer_totals', true],
  ]);
  await cluster.dropDatabase('shop_copy');
});

test('a killed test process leaves no postgres running, and the next start reaps its directory', async () => {
  const script = `
    import { startCluster } from ${JSON.stringify(new URL('./pg-cluster.ts', import.meta.url).href)};
    const c = await startCluster();
    console.log(JSON.stringify({ dir: c.dir, dataDir: c.dataDir }));
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
  });
  const { dir, dataDir } = JSON.parse(line) as { dir: string; dataDir: string };
  const pid = postmasterPid(dataDir);
  assert.ok(pid !== null && isRunning(pid), 'the child started a postmaster');
  child.kill('SIGKILL');
  for (let t = 0; t < 20_000 && isRunning(pid); t += 100) await sleep(100);
  assert.equal(isRunning(pid), false, 'the postmaster died with the process that started it');
  assert.ok(existsSync(dir));
  assert.ok((await reapStaleClusters()).includes(dir));
  assert.equal(existsSync(dir), false);
});

test('stop() shuts the server down and removes its directory', async () => {
  const pid = postmasterPid(cluster.dataDir);
  assert.ok(pid !== null);
  await cluster.stop();
  assert.equal(isRunning(pid), false);
  assert.equal(existsSync(cluster.dir), false);
  await cluster.stop(); // idempotent: the after() hook calls it again
});
