// The COPY framer: rows become length-prefixed pieces whatever way the input is split, a `\.`
// line ends a table only at a row start, long rows are cut into pieces, and a stream that ends
// mid-row is refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CopyFramer, type FramerEvent } from '../../../src/sources/postgres/copy-framer.ts';

/** Reads the framed output back: the tables' pieces, as strings, split at each end. */
function unframe(events: FramerEvent[], intSize = 4): string[][] {
  const tables: string[][] = [[]];
  for (const ev of events) {
    if (ev.kind === 'end') {
      tables.push([]);
      continue;
    }
    let at = 0;
    while (at < ev.bytes.length) {
      assert.equal(ev.bytes[at], 0, 'sign byte');
      let len = 0;
      for (let i = 0; i < intSize; i++) len += ev.bytes[at + 1 + i]! * 2 ** (8 * i);
      at += 1 + intSize;
      tables.at(-1)!.push(ev.bytes.toString('utf8', at, at + len));
      at += len;
    }
    assert.equal(at, ev.bytes.length);
  }
  return tables;
}

const TEXT = 'a\tb\n\\\\.\n\\.\nc\\nd\t\\N\n\n\\.\n\\.\nlast row\n';
const EXPECTED = [['a\tb\n', '\\\\.\n'], ['c\\nd\t\\N\n', '\n'], [], ['last row\n']];

test('rows become one piece each and \\. lines end tables, whatever the input splits', () => {
  const input = Buffer.from(TEXT);
  for (let cut = 0; cut <= input.length; cut++) {
    for (const size of [1, 2, 3, 7, input.length]) {
      const f = new CopyFramer(4);
      const events: FramerEvent[] = [];
      const parts = [input.subarray(0, cut), ...split(input.subarray(cut), size)];
      for (const p of parts) events.push(...f.push(p));
      f.finish();
      assert.deepEqual(unframe(events), EXPECTED, `cut ${cut}, size ${size}`);
    }
  }
});

function split(b: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size));
  return out;
}

test('a row longer than the piece limit is cut into pieces, and a \\. inside it ends nothing', () => {
  const f = new CopyFramer(4, 16);
  const long = `${'x'.repeat(40)}\\.\n`;
  const events = [...f.push(Buffer.from(long.slice(0, 20))), ...f.push(Buffer.from(long.slice(20, 43))), ...f.push(Buffer.from('\\.\n'))];
  f.finish();
  const tables = unframe(events);
  assert.equal(tables.length, 2);
  assert.equal(tables[0]!.join(''), long);
  assert.ok(tables[0]!.length >= 2, 'cut into pieces');
});

test('the piece header counts in the archive int size, little-endian', () => {
  const f = new CopyFramer(8);
  const events = f.push(Buffer.from('0123456789\n'));
  assert.deepEqual([...(events[0] as { bytes: Buffer }).bytes.subarray(0, 9)], [0, 11, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(unframe(events, 8), [['0123456789\n']]);
});

test('input that ends in the middle of a row is refused', () => {
  const f = new CopyFramer(4);
  f.push(Buffer.from('whole\npart'));
  assert.throws(() => f.finish(), /middle of a row/);
});
