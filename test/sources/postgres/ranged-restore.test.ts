// Tables loaded in parallel from byte ranges of a key-ordered archive, on a real cluster: the
// dump records where each big table's data block lies (its layout checks against the archive's
// own bytes); a restore by two or three sessions compares equal, rows and privileges, its
// sessions reading every byte after the head exactly once; a read that fails, or a session killed midway, fails
// the restore with the cause, and leaves no pg_restore running and no temporary file.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { checkedLayout, type ArchiveLayout } from '../../../src/domain/archive-layout.ts';
import { DpError, errors } from '../../../src/domain/errors.ts';
import { ArchiveHeadReader, dataBlockStart } from '../../../src/sources/postgres/archive-toc.ts';
import { startOrderedDump } from '../../../src/sources/postgres/ordered-dump.ts';
import { createDatabase, dropDatabase } from '../../../src/sources/postgres/probe.ts';
import { runRangedRestore, type ReadRanges } from '../../../src/sources/postgres/ranged-restore.ts';
import type { RangedSession } from '../../../src/sources/postgres/restore-plan.ts';
import { feedInto } from '../../../src/util/feed-into.ts';
import { startCluster, type PgCluster } from '../../support/pg-cluster.ts';
import { comparePrivileges } from '../../support/pg-compare.ts';
import { shopSql } from '../../support/pg-fixtures.ts';
import { pgRestores } from '../../support/pg-restore-procs.ts';

let cluster: PgCluster;
let archive: Buffer;
let layout: ArchiveLayout;
/** The same database dumped again with cut points every 8 KiB: its big tables can be split between sessions. */
let cutArchive: Buffer;
let cutLayout: ArchiveLayout;

async function dumpOf(cutEvery?: number): Promise<{ archive: Buffer; layout: ArchiveLayout }> {
  const dump = await startOrderedDump(cluster.connection('src'), { major: cluster.version, minTableBytes: 64 * 1024, cutEvery });
  const parts: Buffer[] = [];
  for await (const c of dump.stdout as AsyncIterable<Buffer>) parts.push(Buffer.from(c));
  await dump.done;
  return { archive: Buffer.concat(parts), layout: dump.layout!()! };
}

before(async () => {
  cluster = await startCluster();
  await cluster.psql('postgres', ['-c', 'CREATE ROLE rr_reader NOLOGIN']);
  await cluster.createDatabase('src', `${shopSql(3000)}
CREATE TABLE notes (id int PRIMARY KEY, body text);
INSERT INTO notes SELECT g, repeat(md5(g::text), 20) FROM generate_series(1, 2000) g;
CREATE TABLE loose (v text);
INSERT INTO loose SELECT 'row ' || g FROM generate_series(1, 500) g;
GRANT SELECT ON notes, orders TO rr_reader;
SELECT setval('event_ids', 4242);
SELECT lo_from_bytea(0, 'a large object');`);
  // Tables of 64 KiB and more are copied in key order: their blocks are recorded; the small ones and
  // the table without a key are pg_dump's, in the rest.
  ({ archive, layout } = await dumpOf());
  ({ archive: cutArchive, layout: cutLayout } = await dumpOf(8 * 1024));
});
after(() => cluster?.stop());

test('the dump records where each big table\'s data lies, checked against the archive\'s bytes', () => {
  assert.ok(checkedLayout(layout, archive.length), 'consistent, and the whole archive');
  const got = new ArchiveHeadReader().push(archive.subarray(0, layout.dataStart))!;
  assert.ok(got, 'the head ends where the layout says');
  assert.equal(got.rest.length, 0);
  const entries = new Map(got.head.entries.map((e) => [e.dumpId, e]));
  assert.ok(layout.blocks.length >= 3, `blocks: ${layout.blocks.length}`);
  for (const b of layout.blocks) {
    assert.equal(entries.get(b.dumpId)?.desc, 'TABLE DATA');
    const start = dataBlockStart(b.dumpId, got.head.header.intSize);
    assert.ok(archive.subarray(b.start, b.start + start.length).equals(start), `block ${b.dumpId} starts with its own header`);
  }
  const tables = layout.blocks.map((b) => entries.get(b.dumpId)!.tag).sort();
  assert.ok(tables.includes('orders') && tables.includes('notes'), tables.join(', '));
  assert.ok(!tables.includes('loose'), 'a table without a key is pg_dump\'s');
  assert.ok(layout.end > layout.restStart, 'pg_dump wrote the rest');
});

test('the cut points of a block are where a row starts: the pieces from each run whole to its end', () => {
  assert.ok(checkedLayout(cutLayout, cutArchive.length));
  const intSize = new ArchiveHeadReader().push(cutArchive.subarray(0, cutLayout.dataStart))!.head.header.intSize;
  const int = (at: number): number => {
    assert.equal(cutArchive[at], 0, `a piece's sign byte at ${at}`);
    let v = 0;
    for (let i = 0; i < intSize; i++) v += cutArchive[at + 1 + i]! * 2 ** (8 * i);
    return v;
  };
  const cut = cutLayout.blocks.filter((b) => (b.cuts?.length ?? 0) > 0);
  assert.ok(cut.length >= 2, `blocks with cut points: ${cut.length}`);
  assert.equal(layout.blocks.filter((b) => b.cuts).length, 0, 'none 4 MiB apart in tables this small');
  for (const b of cut) {
    let from = b.start + 1 + 1 + intSize;
    for (const c of [...b.cuts!, b.end]) {
      // From the block's first piece (then from each cut) piece by piece: one lands on the next cut.
      let at = from;
      while (at < c) at += 1 + intSize + int(at);
      if (c === b.end) break;
      assert.equal(at, c, `block ${b.dumpId}: the pieces land on cut ${c}`);
      assert.ok(c - from >= 8 * 1024, 'cuts at least 8 KiB apart');
      from = c;
    }
    assert.ok(b.cuts!.length >= Math.floor((b.end - b.start) / (64 * 1024)), `block ${b.dumpId}: ${b.cuts!.length} cuts in ${b.end - b.start} bytes`);
  }
});

/** Reads ranges of the archive, counting the bytes read and keeping each call's ranges. */
function rangeReader(counted: { bytes: number; calls?: (readonly (readonly [number, number])[])[] }, failInSessions = false, bytes = archive): ReadRanges {
  return async (sink: Writable, ranges) => {
    counted.calls?.push(ranges);
    // A data session's read (not the head's) fails after its first 64 KiB.
    const failing = failInSessions && ranges[0]![0] > 0;
    let mine = 0;
    for (const [a, b] of ranges) {
      for (let at = a; at < b; at += 16 * 1024) {
        const piece = bytes.subarray(at, Math.min(b, at + 16 * 1024));
        counted.bytes += piece.length;
        mine += piece.length;
        if (failing && mine > 64 * 1024) throw errors.repositoryDataCorrupt('A pack is damaged (test).');
        await feedInto([piece], sink);
      }
    }
  };
}

for (const workers of [2, 3]) {
  test(`${workers} sessions restore an equal database, reading every byte once`, async () => {
    const target = `ranged_${workers}`;
    const conn = cluster.connection('postgres');
    await createDatabase(conn, target);
    const counted = { bytes: 0, calls: [] as (readonly (readonly [number, number])[])[] };
    let plan: RangedSession[] = [];
    let most = 0;
    const sampler = setInterval(() => (most = Math.max(most, pgRestores('--section=data').length)), 2);
    try {
      await runRangedRestore(conn, { major: cluster.version, targetDatabase: target, workers, layout, read: rangeReader(counted), onPlan: (s) => (plan = s) });
    } finally {
      clearInterval(sampler);
    }
    assert.deepEqual(await cluster.compareDatabases('src', target), []);
    assert.deepEqual(await comparePrivileges({ cluster, db: 'src' }, { cluster, db: target }), []);
    assert.deepEqual(await cluster.query(target, 'SELECT last_value::int AS v FROM event_ids'), [{ v: 4242 }]);
    assert.equal(plan.length, workers);
    // The head first (with what a streamed restore would read ahead), then each session only its own ranges.
    const [head, ...sessions] = counted.calls;
    assert.equal(head!.length, 1);
    assert.equal(head![0]![0], 0);
    assert.ok(head![0]![1] >= layout.dataStart);
    assert.equal(sessions.length, workers);
    assert.equal(sessions.flat().reduce((n, [a, b]) => n + b - a, 0), archive.length - layout.dataStart, 'every byte after the head once');
    assert.ok(most >= 2, `data sessions at once: ${most}`);
    assert.deepEqual(pgRestores(''), []);
  });
}

for (const workers of [2, 3]) {
  test(`${workers} sessions with a big table cut between them restore an equal database, reading every byte once`, async () => {
    const target = `ranged_cut_${workers}`;
    const conn = cluster.connection('postgres');
    await createDatabase(conn, target);
    const counted = { bytes: 0, calls: [] as (readonly (readonly [number, number])[])[] };
    let plan: RangedSession[] = [];
    await runRangedRestore(conn, { major: cluster.version, targetDatabase: target, workers, layout: cutLayout, read: rangeReader(counted, false, cutArchive), onPlan: (s) => (plan = s) });
    assert.deepEqual(await cluster.compareDatabases('src', target), []);
    assert.deepEqual(await comparePrivileges({ cluster, db: 'src' }, { cluster, db: target }), []);
    const split = plan.flatMap((s) => s.ids).filter((id, i, all) => all.indexOf(id) !== i);
    assert.ok(split.length >= 1, `a table in two sessions: ${plan.map((s) => s.ids.join(',')).join(' | ')}`);
    assert.ok(plan.some((s) => s.steps.some((st) => 'blockStart' in st)) && plan.some((s) => s.steps.some((st) => 'blockEnd' in st)));
    const [, ...sessions] = counted.calls;
    assert.equal(sessions.flat().reduce((n, [a, b]) => n + b - a, 0), cutArchive.length - cutLayout.dataStart, 'every byte after the head once');
    assert.deepEqual(pgRestores(''), []);
    await dropDatabase(conn, target);
  });
}

test('a read that fails midway fails the restore with its error; nothing is left running or on disk', async () => {
  const target = 'ranged_failed_read';
  const conn = cluster.connection('postgres');
  await createDatabase(conn, target);
  const temp = mkdtempSync(join(tmpdir(), 'ranged-restore-test-'));
  try {
    const read = rangeReader({ bytes: 0 }, true);
    await assert.rejects(runRangedRestore(conn, { major: cluster.version, targetDatabase: target, workers: 2, layout, read, tempDir: temp }), (e: unknown) => {
      assert.ok(e instanceof DpError);
      assert.match(e.message, /A pack is damaged \(test\)/);
      return true;
    });
    assert.deepEqual(pgRestores(''), [], 'no pg_restore is left running');
    assert.deepEqual(readdirSync(temp), [], 'the TOC file and the lists are removed');
    assert.deepEqual(await cluster.query('postgres', 'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [target]), [{ n: 0 }]);
  } finally {
    rmSync(temp, { recursive: true, force: true });
    await dropDatabase(conn, target);
  }
});

test('a data session killed midway fails the restore naming it; the other stops too', async () => {
  const target = 'ranged_killed';
  const conn = cluster.connection('postgres');
  await createDatabase(conn, target);
  let killed = false;
  const base = rangeReader({ bytes: 0 });
  // Once both sessions read, the second one's pg_restore is killed.
  const read: ReadRanges = async (sink, ranges, share) => {
    if (!killed && ranges[0]![0] > 0) {
      const pids = pgRestores('data-2.list');
      if (pids.length === 1) {
        process.kill(pids[0]!, 'SIGKILL');
        killed = true;
      }
    }
    await base(sink, ranges, share);
  };
  try {
    await assert.rejects(runRangedRestore(conn, { major: cluster.version, targetDatabase: target, workers: 2, layout, read }), /pg_restore \(data session 2 of 2\) was killed by signal SIGKILL/);
    assert.ok(killed);
    assert.deepEqual(pgRestores(''), []);
  } finally {
    await dropDatabase(conn, target);
  }
});
