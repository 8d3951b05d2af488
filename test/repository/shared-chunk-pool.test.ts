// One chunk-opening pool for every reader at once: the same threads while any reader holds them,
// stopped after the last lets go, and a pool that broke is never handed out again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SharedChunkPool } from '../../src/repository/chunk-pool.ts';

test('readers at once share one pool; it stops after the last; a new one starts after', async () => {
  const shared = new SharedChunkPool(1);
  const a = shared.take();
  const b = shared.take();
  assert.equal(a, b);
  await shared.give(a);
  assert.equal(b.broken, false, 'still held by the other reader');
  await shared.give(b);
  assert.equal(b.broken, true, 'stopped after the last');
  const c = shared.take();
  assert.notEqual(c, a);
  assert.equal(c.broken, false);
  await shared.give(c);
});

test('a pool that broke is not handed out again; its holders keep it until they let go', async () => {
  const shared = new SharedChunkPool(1);
  const a = shared.take();
  await a.close(); // as a thread that failed leaves it
  const b = shared.take();
  assert.notEqual(b, a);
  assert.equal(b.broken, false);
  await shared.give(a);
  assert.equal(b.broken, false, 'letting the broken one go leaves the new one running');
  await shared.give(b);
  assert.equal(b.broken, true);
});
