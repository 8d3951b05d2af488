// How a parallel restore splits a TOC: entries without a section of their own count in the
// section before them, as pg_restore --section counts them; data entries are dealt out in
// archive order and each goes to exactly one worker; never more lists than workers, none empty.
// A ranged restore deals whole tables' byte ranges by size, each session reading forwards.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SECTION, type TocEntry } from '../../../src/sources/postgres/archive-toc.ts';
import { dataWorkerLists, effectiveSections, listFileText, rangedSessions, rangedUnits, type RangedSession } from '../../../src/sources/postgres/restore-plan.ts';
import { chooseRestoreWorkers, defaultRestoreWorkers } from '../../../src/sources/postgres/restore-workers.ts';

const entry = (dumpId: number, desc: string, section: number, hadDumper = false): TocEntry => ({
  dumpId, hadDumper, tableoid: '0', oid: '0', tag: `e${dumpId}`, desc, section, defn: null, dropStmt: null, copyStmt: null,
  namespace: 'public', tablespace: null, tableam: null, relkind: 0, owner: 'o', deps: [],
});

const toc = [
  entry(1, 'TABLE', SECTION.preData),
  entry(2, 'ACL', SECTION.none),
  entry(3, 'TABLE DATA', SECTION.data, true),
  entry(4, 'TABLE DATA', SECTION.data, true),
  entry(5, 'COMMENT', SECTION.none),
  entry(6, 'SEQUENCE SET', SECTION.data, false),
  entry(7, 'TABLE DATA', SECTION.data, true),
  entry(8, 'INDEX', SECTION.postData),
  entry(9, 'ACL', SECTION.none),
];

test('entries of no section count in the section before them', () => {
  const s = effectiveSections(toc);
  assert.deepEqual([...s.values()], [2, 2, 3, 3, 3, 3, 3, 4, 4]);
});

test('data entries are dealt out in archive order, each once, entries without data with the first', () => {
  assert.deepEqual(dataWorkerLists(toc, 2), [[3, 5, 6, 7], [4]]);
  assert.deepEqual(dataWorkerLists(toc, 3), [[3, 5, 6], [4], [7]]);
  // More workers than tables: one per table, no empty list.
  assert.deepEqual(dataWorkerLists(toc, 8), [[3, 5, 6], [4], [7]]);
  assert.deepEqual(dataWorkerLists(toc, 1), [[3, 4, 5, 6, 7]]);
  assert.deepEqual(dataWorkerLists(toc.filter((e) => e.section !== SECTION.data), 4), []);
  assert.equal(listFileText([3, 5]), '3\n5\n');
});

test('the sessions are the setting, within the connections left, at least one', () => {
  assert.equal(chooseRestoreWorkers(4, null), 4);
  assert.equal(chooseRestoreWorkers(4, { open: 100, used: 10, roleLimit: -1, roleUsed: 1 }), 4);
  assert.equal(chooseRestoreWorkers(4, { open: 12, used: 10, roleLimit: -1, roleUsed: 1 }), 3);
  assert.equal(chooseRestoreWorkers(4, { open: 100, used: 10, roleLimit: 2, roleUsed: 1 }), 2);
  assert.equal(chooseRestoreWorkers(4, { open: 10, used: 10, roleLimit: 0, roleUsed: 1 }), 1);
  assert.equal(chooseRestoreWorkers(0, null), 1);
  assert.equal(defaultRestoreWorkers(), 1, 'one stream unless DPVAULT_RESTORE_JOBS asks for more (measured: no faster on 2 cores, more memory)');
  assert.equal(defaultRestoreWorkers(true), 2, 'a point with a recorded layout loads in two sessions');
});

// A TOC with three big tables' data blocks (the key-ordered dump's, 10..12) before pg_dump's own
// data entries: a small table (7), a sequence's value (6) and a large object's (13).
const rangedToc = [
  entry(1, 'TABLE', SECTION.preData),
  entry(10, 'TABLE DATA', SECTION.data, true),
  entry(11, 'TABLE DATA', SECTION.data, true),
  entry(12, 'TABLE DATA', SECTION.data, true),
  entry(7, 'TABLE DATA', SECTION.data, true),
  entry(6, 'SEQUENCE SET', SECTION.data, false),
  entry(13, 'BLOBS', SECTION.data, true),
  entry(8, 'INDEX', SECTION.postData),
];
/** The archive's byte ranges a session reads, in order. */
const rangesOf = (s: RangedSession): [number, number][] => s.steps.flatMap((st) => ('read' in st ? st.read : []));

const layout = {
  dataStart: 100,
  blocks: [{ dumpId: 10, start: 100, end: 700 }, { dumpId: 11, start: 700, end: 1000 }, { dumpId: 12, start: 1000, end: 1400 }],
  restStart: 1400,
  end: 1500,
};

test('a ranged restore deals the biggest tables first to the least loaded session, each session forwards', () => {
  // Units by size: 10 (600), 12 (400), 11 (300), the rest (100): 10 | 12, 11 | ..., the rest to the lighter.
  assert.deepEqual(rangedSessions(rangedToc, layout, 2), [
    { ids: [10, 7, 6, 13], steps: [{ read: [[100, 700], [1400, 1500]] }], bytes: 700 },
    { ids: [11, 12], steps: [{ read: [[700, 1400]] }], bytes: 700 },
  ]);
  // Every data entry in exactly one list; every byte after the head in exactly one range.
  for (const n of [1, 2, 3, 4, 9]) {
    const sessions = rangedSessions(rangedToc, layout, n);
    assert.equal(sessions.length, Math.min(n, rangedUnits(layout)));
    assert.deepEqual(sessions.flatMap((s) => s.ids).sort((a, b) => a - b), [6, 7, 10, 11, 12, 13]);
    const ranges = sessions.flatMap(rangesOf).sort((a, b) => a[0] - b[0]);
    assert.equal(ranges[0]![0], layout.dataStart);
    for (let i = 1; i < ranges.length; i++) assert.equal(ranges[i]![0], ranges[i - 1]![1], 'end to end, no gap, no overlap');
    assert.equal(ranges.at(-1)![1], layout.end);
    for (const s of sessions.map(rangesOf)) for (let i = 1; i < s.length; i++) assert.ok(s[i]![0] > s[i - 1]![1], 'a session reads forwards');
  }
  assert.equal(rangedUnits(layout), 4);
  assert.equal(rangedUnits({ ...layout, blocks: layout.blocks.slice(0, 1), restStart: 700, end: 700 }), 1, 'one table and no rest: nothing to share');
});

test('a layout whose blocks are not tables of the TOC is refused', () => {
  assert.throws(() => rangedSessions(rangedToc, { ...layout, blocks: [{ dumpId: 1, start: 100, end: 1400 }] }, 2), /data block 1 is not a table's data/);
  assert.throws(() => rangedSessions(rangedToc, { ...layout, blocks: [{ dumpId: 99, start: 100, end: 1400 }] }, 2), /data block 99/);
});

// One table (10) of 1,000 bytes of the 1,400 after the head, cut points every 100 bytes.
const lopsided = {
  dataStart: 100,
  blocks: [
    { dumpId: 10, start: 100, end: 1100, cuts: [200, 300, 400, 500, 600, 700, 800, 900, 1000] },
    { dumpId: 11, start: 1100, end: 1300, cuts: [1200] },
    { dumpId: 12, start: 1300, end: 1400 },
  ],
  restStart: 1400,
  end: 1500,
};

/** Each session's bytes of each table: checks that the parts of every table add up to it, each once. */
function partsOf(sessions: RangedSession[], l: typeof lopsided): void {
  const covered = sessions.flatMap(rangesOf).sort((a, b) => a[0] - b[0]);
  assert.equal(covered[0]![0], l.dataStart);
  for (let i = 1; i < covered.length; i++) assert.equal(covered[i]![0], covered[i - 1]![1], 'end to end, no gap, no overlap');
  assert.equal(covered.at(-1)![1], l.end);
  for (const s of sessions) {
    assert.equal(s.bytes, rangesOf(s).reduce((n, [a, b]) => n + b - a, 0));
    assert.equal(new Set(s.ids).size, s.ids.length, 'a table once in a list');
    // Every part of a block opens with the block's start and closes with its end: from the
    // archive where the part begins or ends with the block, else a step of its own.
    const steps = s.steps;
    for (const b of l.blocks) {
      for (const [i, st] of steps.entries()) {
        if (!('read' in st)) continue;
        for (const [k, [a, e]] of st.read.entries()) {
          if (a > b.start && a < b.end) {
            assert.ok(b.cuts?.includes(a), `a part of ${b.dumpId} starts at a cut`);
            assert.equal(k, 0, `a part of ${b.dumpId} from ${a} is read first`);
            assert.deepEqual(steps[i - 1], { blockStart: b.dumpId }, `a block start for ${b.dumpId} before ${a}`);
          }
          if (e > b.start && e < b.end) {
            assert.ok(b.cuts?.includes(e), `a part of ${b.dumpId} ends at a cut`);
            assert.equal(k, st.read.length - 1, `a part of ${b.dumpId} up to ${e} is read last`);
            assert.deepEqual(steps[i + 1], { blockEnd: true }, `a block end after ${e}`);
          }
        }
      }
    }
  }
}

test("a table bigger than its share is cut at a recorded row start, its tail loaded by the lighter session", () => {
  const two = rangedSessions(rangedToc, lopsided, 2);
  // Whole units: 10 (1,000) | 11, 12, the rest (400); then 10's tail from 800 (300) goes over: 700 | 700.
  assert.deepEqual(two, [
    { ids: [10], steps: [{ read: [[100, 800]] }, { blockEnd: true }], bytes: 700 },
    { ids: [10, 11, 12, 7, 6, 13], steps: [{ blockStart: 10 }, { read: [[800, 1500]] }], bytes: 700 },
  ]);
  partsOf(two, lopsided);
  for (const n of [3, 4, 6]) {
    const sessions = rangedSessions(rangedToc, lopsided, n);
    partsOf(sessions, lopsided);
    assert.equal(sessions.length, n);
    const peak = Math.max(...sessions.map((s) => s.bytes));
    assert.ok(peak <= Math.ceil(1400 / n) + 100, `${n} sessions: at most one cut's spacing over an even share (${peak})`);
    assert.deepEqual([...new Set(sessions.flatMap((s) => s.ids))].sort((a, b) => a - b), [6, 7, 10, 11, 12, 13]);
  }
  // One big table and nothing else still loads in two.
  const alone = { dataStart: 100, blocks: [lopsided.blocks[0]!], restStart: 1100, end: 1100 };
  const toc = rangedToc.filter((e) => e.dumpId !== 11 && e.dumpId !== 12 && e.dumpId !== 7 && e.dumpId !== 13 && e.dumpId !== 6);
  assert.ok(rangedUnits(alone) >= 2);
  assert.deepEqual(rangedSessions(toc, alone, 2).map(rangesOf), [[[100, 600]], [[600, 1100]]]);
});

test('no cut is made that gains little, and none without recorded cut points', () => {
  // Evened out by whole tables already (700 | 700): nothing to cut.
  const even = { ...layout, blocks: layout.blocks.map((b) => ({ ...b, cuts: [b.start + 50] })) };
  assert.deepEqual(rangedSessions(rangedToc, even, 2).map((s) => s.steps.length), [1, 1]);
  // Lopsided but no cut points: whole tables, as before.
  const uncut = { ...lopsided, blocks: lopsided.blocks.map(({ cuts: _, ...b }) => b) };
  assert.deepEqual(rangedSessions(rangedToc, uncut, 2).map((s) => s.bytes), [1000, 400]);
  // A cut that would gain less than a fiftieth of the data is not worth a second COPY.
  const nearlyEven = { dataStart: 100, blocks: [{ dumpId: 10, start: 100, end: 1110, cuts: [1105] }, { dumpId: 11, start: 1110, end: 2100 }], restStart: 2100, end: 2100 };
  assert.deepEqual(rangedSessions(rangedToc, nearlyEven, 2).map((s) => s.bytes), [1010, 990]);
});
