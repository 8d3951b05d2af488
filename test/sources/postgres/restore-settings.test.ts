// The settings a restore's pg_restore sessions run with: what is chosen (pure), and that
// pg_restore's sessions really run with them (read back from inside a real restore).
import assert from 'node:assert/strict';
import { pipeline } from 'node:stream/promises';
import { after, before, test } from 'node:test';
import { startDump } from '../../../src/sources/postgres/dump.ts';
import { createDatabase, probeServer } from '../../../src/sources/postgres/probe.ts';
import { startRestore } from '../../../src/sources/postgres/restore.ts';
import { memoryBytes, pgOptions, restoreSessionSettings } from '../../../src/sources/postgres/restore-settings.ts';
import { startCluster, type PgCluster } from '../../support/pg-cluster.ts';

test('memory values are read with their unit, and nothing else is one', () => {
  assert.equal(memoryBytes('256MB'), 256 * 1024 ** 2);
  assert.equal(memoryBytes('1GB'), 1024 ** 3);
  assert.equal(memoryBytes('65536kB'), 64 * 1024 ** 2);
  for (const bad of ['256', '256mb', 'MB', '-1MB', '1.5GB', '256 MB x', '']) assert.equal(memoryBytes(bad), null, bad);
});

test('maintenance_work_mem is raised, never lowered, and 0 leaves the server its own', () => {
  const mb = (n: number) => n * 1024 ** 2;
  assert.deepEqual(restoreSessionSettings(mb(64), '256MB'), { synchronous_commit: 'off', maintenance_work_mem: '256MB' });
  assert.deepEqual(restoreSessionSettings(mb(512), '256MB'), { synchronous_commit: 'off' }, 'the server already has more');
  assert.deepEqual(restoreSessionSettings(mb(256), '256MB'), { synchronous_commit: 'off' });
  assert.deepEqual(restoreSessionSettings(mb(64), '0'), { synchronous_commit: 'off' });
  assert.deepEqual(restoreSessionSettings(null, '1GB'), { synchronous_commit: 'off', maintenance_work_mem: '1GB' }, 'unknown: asked for');
});

test('PGOPTIONS sets each setting, with spaces and backslashes escaped', () => {
  assert.equal(pgOptions({ synchronous_commit: 'off', maintenance_work_mem: '256MB' }), '-c synchronous_commit=off -c maintenance_work_mem=256MB');
  assert.equal(pgOptions({ application_name: 'a b\\c' }), '-c application_name=a\\ b\\\\c');
  assert.equal(pgOptions({}), '');
});

let cluster: PgCluster;
before(async () => {
  // synchronous_commit on, as on a real server (the harness turns it off for speed).
  cluster = await startCluster({ settings: { synchronous_commit: 'on' } });
  // A CHECK constraint is checked on every row COPY loads, in pg_restore's own session: its
  // function notes the session's settings in a table, which the restore carries over.
  await cluster.createDatabase('noted', `
    CREATE TABLE seen (mwm text, sync text);
    CREATE FUNCTION note() RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
      BEGIN INSERT INTO public.seen VALUES (current_setting('maintenance_work_mem'), current_setting('synchronous_commit')); RETURN true; END $$;
    CREATE TABLE t (id int PRIMARY KEY, CHECK (note()));
    INSERT INTO t VALUES (1);
    DELETE FROM seen;`);
});
after(() => cluster?.stop());

async function restoreAndRead(target: string, settings?: Record<string, string>): Promise<{ mwm: string; sync: string }[]> {
  const dump = await startDump(cluster.connection('noted'), { major: cluster.version });
  await createDatabase(cluster.connection('postgres'), target);
  const restore = await startRestore(cluster.connection('postgres'), { major: cluster.version, targetDatabase: target, settings });
  await pipeline(dump.stdout, restore.stdin);
  await Promise.all([dump.done, restore.done]);
  return (await cluster.query(target, 'SELECT mwm, sync FROM seen')) as { mwm: string; sync: string }[];
}

test("pg_restore's sessions run with the settings given, and with the server's without them", async () => {
  const server = (await probeServer(cluster.connection('postgres'))).maintenanceWorkMemBytes;
  assert.equal(server, 64 * 1024 ** 2, "the test cluster keeps PostgreSQL's default");
  assert.deepEqual(await restoreAndRead('plain'), [{ mwm: '64MB', sync: 'on' }]);
  assert.deepEqual(await restoreAndRead('tuned', restoreSessionSettings(server, '256MB')), [{ mwm: '256MB', sync: 'off' }]);
});
