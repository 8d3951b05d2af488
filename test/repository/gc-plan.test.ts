// The gc decision, without storage: which packs are kept, deleted, repacked or spared.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planGc } from '../../src/repository/gc-plan.ts';
import type { GcPlanInput } from '../../src/repository/gc-plan.ts';
import type { PackRecord } from '../../src/repository/pack.ts';

const OLD = new Date('2030-01-01T00:00:00Z');
const NEW = new Date('2030-01-02T00:00:00Z');
const CUTOFF = new Date('2030-01-01T12:00:00Z').getTime();
const id = (n: number): string => n.toString(16).padStart(64, '0');
const pid = (n: number): string => `p${n}`.padEnd(64, 'a');

function pack(n: number, chunks: number[], len = 100): PackRecord {
  return { packId: pid(n), size: chunks.length * len + 50, entries: chunks.map((c, i) => ({ id: id(c), offset: i * len, length: len, rawLength: len * 3 })) };
}

function input(records: PackRecord[], live: number[], over: Partial<GcPlanInput> = {}): GcPlanInput {
  const liveSet = new Set(live.map(id));
  return {
    records,
    stored: new Map(records.map((r) => [r.packId, { name: r.packId, size: r.size, modified: OLD }])),
    isLive: (c) => liveSet.has(c),
    activePacks: new Set(),
    cutoff: CUTOFF,
    repackDeadRatio: 0.5,
    ...over,
  };
}

describe('gc plan', () => {
  it('deletes dead packs, repacks mostly dead ones, keeps mostly live ones', () => {
    const plan = planGc(input([pack(1, [1, 2]), pack(2, [3, 4, 5, 6]), pack(3, [7, 8, 9])], [3, 7, 8]));
    assert.deepEqual(plan.remove.map((r) => r.packId), [pid(1)]);
    assert.deepEqual(plan.repack.map((r) => [r.record.packId, r.live.map((e) => e.id)]), [[pid(2), [id(3)]]]);
    assert.deepEqual(plan.keep, [pid(3)]);
    assert.deepEqual([...plan.doomed].sort(), [1, 2, 4, 5, 6].map(id));
  });

  it('never touches young packs or packs of running backups, and never repacks when told not to', () => {
    const records = [pack(1, [1]), pack(2, [2]), pack(3, [3, 4, 5])];
    const stored = new Map(records.map((r) => [r.packId, { name: r.packId, size: r.size, modified: r.packId === pid(1) ? NEW : OLD }]));
    const plan = planGc(input(records, [3], { stored, activePacks: new Set([pid(2)]), repackDeadRatio: null }));
    assert.equal(plan.remove.length + plan.repack.length, 0);
    assert.equal(plan.keptYoung, 2);
    assert.equal(plan.doomed.size, 0);
  });

  it('keeps one copy of a chunk stored twice, and reports packs the index names but storage lacks', () => {
    const records = [pack(1, [1, 2]), pack(2, [1]), pack(9, [5])];
    const stored = new Map(records.filter((r) => r.packId !== pid(9)).map((r) => [r.packId, { name: r.packId, size: r.size, modified: OLD }]));
    const plan = planGc(input(records, [1, 2, 5], { stored }));
    assert.deepEqual(plan.keep, [pid(1)]);
    assert.deepEqual(plan.remove.map((r) => r.packId), [pid(2)]);
    assert.deepEqual(plan.missing, [pid(9)]);
    assert.equal(plan.located.isLocated(id(5)), false);
    assert.equal(plan.doomed.size, 0, 'a live chunk is never doomed, even where its copy goes');
  });

  it('deletes old packs no index lists, and spares young ones', () => {
    const stored = new Map([
      [pid(7), { name: pid(7), size: 10, modified: OLD }],
      [pid(8), { name: pid(8), size: 10, modified: NEW }],
    ]);
    const plan = planGc(input([], [], { stored }));
    assert.deepEqual(plan.orphans, [pid(7)]);
    assert.equal(plan.keptYoung, 1);
  });
});
