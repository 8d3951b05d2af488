// A key-ordered archive streamed into several pg_restore sessions at once, on a real cluster:
// a database of many tables (big key-ordered ones, partitions, foreign keys, indexes, sequences,
// views, a materialized view, grants) compares equal, rows and privileges; the work is split
// into no more sessions than asked for (seen on the server, in this process's children and in
// their --jobs); a data worker killed midway rejects `done` naming that
// worker, and the other sessions and the temporary head file are gone.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, test } from 'node:test';
import { DpError } from '../../../src/domain/errors.ts';
import { startOrderedDump } from '../../../src/sources/postgres/ordered-dump.ts';
import { startParallelRestore } from '../../../src/sources/postgres/parallel-restore.ts';
import { createDatabase, dropDatabase } from '../../../src/sources/postgres/probe.ts';
import { startCluster, type PgCluster } from '../../support/pg-cluster.ts';
import { comparePrivileges } from '../../support/pg-compare.ts';
import { pgRestoreArgv, pgRestores } from '../../support/pg-restore-procs.ts';
import { shopSql } from '../../support/pg-fixtures.ts';

let cluster: PgCluster;

/** Twelve more tables chained by foreign keys, a materialized view, comments and grants to roles of their own. */
const MORE_SQL = Array.from({ length: 12 }, (_, i) => {
  const t = `part_${String(i + 1).padStart(2, '0')}`;
  const fk = i === 0 ? 'bigint' : `bigint REFERENCES part_${String(i).padStart(2, '0')}(id)`;
  return `CREATE TABLE ${t} (id bigint PRIMARY KEY, up ${fk}, label text NOT NULL, n int);
CREATE INDEX ${t}_label ON ${t} (label);
INSERT INTO ${t} SELECT g, ${i === 0 ? 'NULL' : `1 + g % ${200 * i}`}, 'label ' || (g * ${i + 3}) % 997, g % 13 FROM generate_series(1, ${200 * (i + 1)}) g;
COMMENT ON TABLE ${t} IS 'table ${i + 1}';
GRANT SELECT ON ${t} TO par_reader;`;
}).join('\n');

before(async () => {
  cluster = await startCluster();
  await cluster.psql('postgres', ['-c', 'CREATE ROLE par_reader NOLOGIN; CREATE ROLE par_owner NOLOGIN']);
  await cluster.createDatabase('many', `${shopSql(3000)}
${MORE_SQL}
ALTER TABLE part_03 OWNER TO par_owner;
CREATE MATERIALIZED VIEW top_customers AS SELECT customer_id, sum(amount) AS total FROM orders GROUP BY customer_id;
CREATE UNIQUE INDEX top_customers_id ON top_customers (customer_id);
GRANT SELECT ON customer_totals, top_customers TO par_reader;
SELECT setval('event_ids', 123456);
SELECT lo_from_bytea(0, 'a large object');`);
});
after(() => cluster?.stop());

async function restoreMany(target: string, workers: number, through?: Transform, tempDir?: string) {
  const conn = cluster.connection('postgres');
  await createDatabase(conn, target);
  const dump = await startOrderedDump(cluster.connection('many'), { major: cluster.version, minTableBytes: 0 });
  const restore = await startParallelRestore(conn, { major: cluster.version, targetDatabase: target, workers, windowBytes: 256 * 1024, tempDir });
  // The most pg_restore sessions seen on the target at once, the most pg_restore processes this
  // process ran at once and the largest --jobs among them, sampled while it runs.
  let most = 0;
  let children = 0;
  let jobs = 0;
  let sampling = true;
  const procs = setInterval(() => {
    const args = pgRestoreArgv('');
    children = Math.max(children, args.length);
    for (const a of args.flat()) jobs = Math.max(jobs, Number(/^--jobs=(\d+)$/.exec(a)?.[1] ?? 0));
  }, 2);
  const sampler = (async () => {
    while (sampling) {
      const [row] = await cluster.query<{ n: number }>('postgres', "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'pg_restore'", [target]);
      most = Math.max(most, row?.n ?? 0);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const fed = (through ? pipeline(dump.stdout, through, restore.stdin) : pipeline(dump.stdout, restore.stdin)).catch((e: unknown) => e);
  const [d, r] = await Promise.allSettled([dump.done, restore.done]);
  await fed;
  sampling = false;
  clearInterval(procs);
  await sampler;
  return { d, r, restore, most: Math.max(most, children, jobs) };
}

test('a restore by three workers compares equal, rows and privileges, and uses three', async () => {
  const { d, r, restore, most } = await restoreMany('many_par', 3);
  assert.ok(most <= 3, `at most 3 sessions at once, saw ${most}`);
  assert.equal(d.status, 'fulfilled');
  assert.equal(r.status, 'fulfilled', r.status === 'rejected' ? String(r.reason) : '');
  assert.deepEqual(await cluster.compareDatabases('many', 'many_par'), []);
  assert.deepEqual(await comparePrivileges({ cluster, db: 'many' }, { cluster, db: 'many_par' }), []);
  assert.deepEqual(await cluster.query('many_par', "SELECT last_value::int AS v FROM event_ids"), [{ v: 123456 }]);
  const plan = restore.plan()!;
  assert.equal(plan.dataWorkers.length, 3);
  assert.equal(plan.postDataJobs, 3);
  const ids = plan.dataWorkers.flat();
  assert.equal(new Set(ids).size, ids.length, 'no entry is restored twice');
});

test('the sessions are bounded by the setting: one worker restores alone', async () => {
  const { r, restore, most } = await restoreMany('many_one', 1);
  assert.ok(most <= 1, `one session at a time, saw ${most}`);
  assert.equal(r.status, 'fulfilled', r.status === 'rejected' ? String(r.reason) : '');
  assert.deepEqual(await cluster.compareDatabases('many', 'many_one'), []);
  assert.deepEqual(restore.plan(), { dataWorkers: [restore.plan()!.dataWorkers[0]], postDataJobs: 1 });
});

test('a data worker killed midway fails the restore naming it; the other sessions and the head file are gone', async () => {
  let passed = 0;
  let killed = false;
  // Halfway through the stream, kill data worker 2 (its list file is data-2.list).
  const through = new Transform({
    transform(chunk: Buffer, _e, cb) {
      passed += chunk.length;
      if (!killed && passed > 2 * 1024 * 1024) {
        const pids = pgRestores('data-2.list');
        if (pids.length === 1) {
          process.kill(pids[0]!, 'SIGKILL');
          killed = true;
        }
      }
      cb(null, chunk);
    },
  });
  const temp = mkdtempSync(join(tmpdir(), 'parallel-restore-test-'));
  const { r } = await restoreMany('many_killed', 3, through, temp);
  assert.ok(killed, 'a data worker was found and killed');
  assert.equal(r.status, 'rejected');
  const err = (r as PromiseRejectedResult).reason as DpError;
  assert.ok(err instanceof DpError);
  assert.match(err.message, /pg_restore \(data worker 2 of 3\) was killed by signal SIGKILL/);
  assert.deepEqual(pgRestores(''), [], 'no pg_restore is left running');
  assert.deepEqual(readdirSync(temp), [], 'the TOC file and the lists are removed');
  rmSync(temp, { recursive: true, force: true });
  assert.deepEqual(await cluster.query('postgres', "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = 'many_killed'"), [{ n: 0 }]);
  await dropDatabase(cluster.connection('postgres'), 'many_killed');
});
