// A recorded archive layout is used only when it describes the bytes at hand: its parts in order,
// end to end, inside an archive of exactly that size; anything else (another copy's size, a gap,
// an overlap, a repeated table, not a layout at all) reads the archive as one stream.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkedLayout } from '../../src/domain/archive-layout.ts';

const good = {
  dataStart: 50,
  blocks: [{ dumpId: 7, start: 50, end: 90 }, { dumpId: 8, start: 90, end: 200 }],
  restStart: 200,
  end: 260,
};

test('a consistent layout of an archive of its size is used', () => {
  assert.deepEqual(checkedLayout(good, 260), good);
  assert.deepEqual(checkedLayout({ ...good, blocks: [], restStart: 50 }, 260)?.blocks, []);
  assert.ok(checkedLayout({ ...good, end: 200 }, 200), 'no rest');
  const cut = { ...good, blocks: [{ ...good.blocks[0]!, cuts: [60, 70] }, good.blocks[1]!] };
  assert.deepEqual(checkedLayout(cut, 260), cut, 'cut points inside a block');
});

test('cut points outside their block, out of order or not numbers are not', () => {
  const withCuts = (cuts: unknown) => ({ ...good, blocks: [{ ...good.blocks[0]!, cuts }, good.blocks[1]!] });
  assert.equal(checkedLayout(withCuts([50]), 260), null, "at the block's start");
  assert.equal(checkedLayout(withCuts([90]), 260), null, "at the block's end");
  assert.equal(checkedLayout(withCuts([70, 60]), 260), null, 'descending');
  assert.equal(checkedLayout(withCuts([60, 60]), 260), null, 'twice');
  assert.equal(checkedLayout(withCuts([60.5]), 260), null);
  assert.equal(checkedLayout(withCuts('60'), 260), null);
});

test('anything else is not', () => {
  assert.equal(checkedLayout(good, 261), null, 'another size');
  assert.equal(checkedLayout(undefined, 260), null);
  assert.equal(checkedLayout('layout', 260), null);
  assert.equal(checkedLayout({ ...good, dataStart: 0, blocks: [], restStart: 0 }, 260), null, 'no head');
  assert.equal(checkedLayout({ ...good, blocks: [{ dumpId: 7, start: 60, end: 90 }, good.blocks[1]] }, 260), null, 'a gap');
  assert.equal(checkedLayout({ ...good, blocks: [{ dumpId: 7, start: 50, end: 100 }, good.blocks[1]] }, 260), null, 'an overlap');
  assert.equal(checkedLayout({ ...good, blocks: [good.blocks[0], { dumpId: 7, start: 90, end: 200 }] }, 260), null, 'a table twice');
  assert.equal(checkedLayout({ ...good, blocks: [{ dumpId: 7, start: 50, end: 50 }] , restStart: 50 }, 260), null, 'an empty block');
  assert.equal(checkedLayout({ ...good, restStart: 210 }, 260), null, 'the rest not where the blocks end');
  assert.equal(checkedLayout({ ...good, end: 199 }, 199), null, 'the rest before its start');
  assert.equal(checkedLayout({ ...good, blocks: [{ dumpId: 7.5, start: 50, end: 200 }] }, 260), null);
});
