// The fingerprint table behind gc's mark and plan: a set (live ids) and a map (located ids, the
// first pack holding each) of chunk ids in one table of typed arrays.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { IdFingerprints } from '../../src/repository/id-fingerprints.ts';

const ids = (n: number): string[] => Array.from({ length: n }, () => randomBytes(32).toString('hex'));

test('holds every id it is given once, with the first value given, through every growth', () => {
  const all = ids(50_000);
  const table = new IdFingerprints(16);
  all.forEach((id, i) => assert.equal(table.addIfAbsent(id, i), i));
  // Added again: the first value stays, the size does not move.
  all.forEach((id, i) => assert.equal(table.addIfAbsent(id, i + 1), i));
  assert.equal(table.locatedCount, all.length);
  all.forEach((id, i) => assert.equal(table.get(id), i));
  for (const id of ids(50_000)) assert.equal(table.get(id), undefined);
  // 21 bytes a slot, at most 3/4 full: at most 56 bytes an id.
  assert.ok(table.bytes / table.locatedCount <= 56, `${table.bytes / table.locatedCount} bytes an id`);
});

test('ids that differ in one byte anywhere are different ids, and small test-like ids do not collide', () => {
  const base = Buffer.alloc(32, 7);
  const table = new IdFingerprints();
  for (let at = 0; at < 32; at++) {
    const b = Buffer.from(base);
    b[at] = 8;
    table.add(b.toString('hex'));
  }
  table.add(base.toString('hex'));
  assert.equal(table.size, 33);
  for (let n = 0; n < 1000; n++) table.add(n.toString(16).padStart(64, '0'));
  for (const c of '0123456789abcdef') table.add(c.repeat(64));
  assert.equal(table.size, 1033 + 15, 'the zero id is there once');
});

test('live and located are apart: counts the live ids not located, and the located ids are not live', () => {
  const [both, liveOnly, locatedOnly] = [ids(3000), ids(2000), ids(1500)];
  const table = new IdFingerprints();
  for (const id of [...both, ...liveOnly]) table.add(id);
  [...both, ...locatedOnly].forEach((id, i) => table.addIfAbsent(id, i));
  assert.equal(table.size, both.length + liveOnly.length);
  assert.equal(table.locatedCount, both.length + locatedOnly.length);
  assert.equal(table.liveNotLocated(), liveOnly.length);
  for (const id of locatedOnly) assert.equal(table.has(id), false);
  for (const id of liveOnly) assert.equal(table.isLocated(id), false);
  both.forEach((id, i) => assert.equal(table.get(id), i));
  // Marked live again, located again: nothing changes.
  for (const id of both) table.add(id);
  assert.equal(table.addIfAbsent(both[0]!, 99), 0);
  assert.equal(table.size, both.length + liveOnly.length);
});

test('a table sized for its ids takes under 29 bytes an id and never grows', () => {
  const all = ids(100_000);
  const table = new IdFingerprints(all.length);
  const bytes = table.bytes;
  for (const id of all) table.add(id);
  assert.equal(table.bytes, bytes, 'no growth');
  assert.ok(bytes / all.length < 29, `${bytes / all.length} bytes an id`);
  for (const id of all) assert.equal(table.has(id), true);
});

test('refuses what is not a chunk id', () => {
  const table = new IdFingerprints();
  assert.throws(() => table.add('abc'), /Not a chunk id/);
  assert.throws(() => table.has('zz'.repeat(32)), /Not a chunk id/);
});
