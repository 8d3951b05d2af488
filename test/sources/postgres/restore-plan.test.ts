// How a parallel restore splits a TOC: entries without a section of their own count in the
// section before them, as pg_restore --section counts them; data entries are dealt out in
// archive order and each goes to exactly one worker; never more lists than workers, none empty.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SECTION, type TocEntry } from '../../../src/sources/postgres/archive-toc.ts';
import { dataWorkerLists, effectiveSections, listFileText } from '../../../src/sources/postgres/restore-plan.ts';
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
});
