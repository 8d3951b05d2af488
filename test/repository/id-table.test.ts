// The compact id table against a Map doing the same: random sets, overwrites and deletes over
// growth, with ids crowded into a few home slots so runs wrap and deletions shift entries back.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { IdTable } from '../../src/repository/id-table.ts';
import { ChunkIndex } from '../../src/repository/chunk-index.ts';
import { rng } from './helpers.ts';

function check(table: IdTable, model: Map<string, number[]>): void {
  assert.equal(table.size, model.size);
  for (const [id, v] of model) assert.deepEqual(table.get(id), v);
  const seen = new Map([...table.entries()].map(([id, v]) => [id, [...v]]));
  assert.deepEqual(new Map([...seen].sort()), new Map([...model].sort()));
}

for (const crowded of [false, true]) {
  test(`matches a Map under random sets and deletes (${crowded ? 'ids sharing few home slots' : 'uniform ids'})`, () => {
    const next = rng(crowded ? 7 : 11);
    const table = new IdTable(16);
    const model = new Map<string, number[]>();
    const ids: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const id = randomBytes(32);
      // Crowded: only a few distinct first bytes, so home slots collide and runs wrap.
      if (crowded) id.writeUInt32LE([0, 1, 0xffffffff, 0xfffffffe][i % 4]!, 0);
      ids.push(id.toString('hex'));
    }
    for (let step = 0; step < 20000; step++) {
      const id = ids[Math.floor(next() * ids.length)]!;
      if (next() < 0.35) {
        assert.equal(table.delete(id), model.delete(id));
      } else {
        const v = [step, step * 3, step % 7, 0xffffffff - step];
        table.set(id, v[0]!, v[1]!, v[2]!, v[3]!);
        model.set(id, v);
      }
      if (step % 2500 === 0) check(table, model);
    }
    check(table, model);
    for (const id of ids) assert.equal(table.has(id), model.has(id));
  });
}

test('refuses what is not a 64-character hex id', () => {
  const table = new IdTable();
  assert.throws(() => table.has('abc'), /Not a chunk id/);
  assert.throws(() => table.set('zz'.repeat(32), 1, 2, 3, 4), /Not a chunk id/);
});

test('the chunk index keeps first locations, relocates on request, and forgets a removed pack', () => {
  const index = new ChunkIndex();
  const [a, b] = [randomBytes(32).toString('hex'), randomBytes(32).toString('hex')];
  const packA = 'aa'.repeat(32);
  const packB = 'bb'.repeat(32);
  index.add({ packId: packA, size: 100, entries: [{ id: a, offset: 0, length: 10, rawLength: 20 }, { id: b, offset: 10, length: 5, rawLength: 9 }] });
  index.add({ packId: packB, size: 50, entries: [{ id: a, offset: 7, length: 10, rawLength: 20 }] });
  assert.deepEqual(index.get(a), { packId: packA, offset: 0, length: 10, rawLength: 20 });
  index.add({ packId: packB, size: 50, entries: [{ id: a, offset: 7, length: 10, rawLength: 20 }] }, true);
  assert.deepEqual(index.get(a), { packId: packB, offset: 7, length: 10, rawLength: 20 });
  index.removePack(packA, [{ id: a, offset: 0, length: 10, rawLength: 20 }, { id: b, offset: 10, length: 5, rawLength: 9 }]);
  assert.equal(index.has(b), false);
  assert.equal(index.get(a)?.packId, packB, 'a chunk relocated elsewhere survives its old pack');
  assert.deepEqual([...index.packs()], [[packB, 50]]);
  assert.deepEqual([...index.locations()].map(([id]) => id), [a]);
});
