// The trailers a restore keeps: the most recently used, within a byte limit, each read once while held.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { TrailerCache, TrailerTable } from '../../src/repository/trailer-table.ts';

/** A trailer of `n` one-chunk blobs. */
const table = (n: number): TrailerTable =>
  new TrailerTable(Array.from({ length: n }, (_, i) => ({ id: randomBytes(32).toString('hex'), offset: i * 100, length: 100, rawLength: 300 })));

test('keeps the most recently used trailers within its limit and reads a dropped one again', async () => {
  const one = table(100).bytes;
  const cache = new TrailerCache(3 * one);
  const reads: string[] = [];
  const get = (p: string) => cache.get(p, async () => (reads.push(p), table(100)));
  for (const p of ['a', 'b', 'c']) await get(p);
  assert.equal(cache.bytes, 3 * one);
  await get('a'); // now the most recent: b is the least
  await get('d');
  assert.ok(cache.bytes <= 3 * one, `${cache.bytes} bytes held`);
  await get('a');
  await get('c');
  await get('d');
  assert.deepEqual(reads, ['a', 'b', 'c', 'd'], 'a, c and d stayed');
  await get('b');
  assert.deepEqual(reads, ['a', 'b', 'c', 'd', 'b'], 'b was dropped and is read again');
  assert.equal(cache.loads, 5);
});

test('a trailer asked for twice while it is being read is read once; a failed read is not kept', async () => {
  const cache = new TrailerCache(1 << 20);
  let loads = 0;
  let fail = true;
  const load = async (): Promise<TrailerTable> => {
    loads++;
    await new Promise((r) => setTimeout(r, 5));
    if (fail) throw new Error('unreadable');
    return table(10);
  };
  const [x, y] = [cache.get('p', load), cache.get('p', load)];
  await assert.rejects(x, /unreadable/);
  await assert.rejects(y, /unreadable/);
  assert.equal(loads, 1);
  fail = false;
  assert.equal((await cache.get('p', load)).count, 10);
  assert.equal(loads, 2, 'read again after the failure');
});

test('one trailer larger than the limit is still kept while it is the one in use', async () => {
  const cache = new TrailerCache(10);
  const t = await cache.get('big', async () => table(50));
  assert.equal(t.count, 50);
  let again = 0;
  await cache.get('big', async () => (again++, table(50)));
  assert.equal(again, 0);
});
