// The fingerprint table behind gc's mark and plan: a set and a map of chunk ids in typed arrays.
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
  assert.equal(table.size, all.length);
  all.forEach((id, i) => assert.equal(table.get(id), i));
  for (const id of ids(50_000)) assert.equal(table.has(id), false);
  // 21 bytes a slot, at most 3/4 full: at most 56 bytes an id.
  assert.ok(table.bytes / table.size <= 56, `${table.bytes / table.size} bytes an id`);
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

test('counts the ids another table lacks', () => {
  const [a, b] = [ids(3000), ids(2000)];
  const left = new IdFingerprints();
  const right = new IdFingerprints();
  for (const id of [...a, ...b]) left.add(id);
  for (const id of a) right.add(id);
  assert.equal(left.countNotIn(right), b.length);
  assert.equal(right.countNotIn(left), 0);
});

test('refuses what is not a chunk id', () => {
  const table = new IdFingerprints();
  assert.throws(() => table.add('abc'), /Not a chunk id/);
  assert.throws(() => table.has('zz'.repeat(32)), /Not a chunk id/);
});
