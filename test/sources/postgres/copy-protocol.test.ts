// The COPY protocol translator: backend messages for COPY … TO STDOUT become archive pieces, rows
// untouched, whatever way the socket splits them; other messages are consumed; a server error
// fails with its words and SQLSTATE; a connection that ends early is refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CopyServerError, CopyTranslator, type CopyEvent } from '../../../src/sources/postgres/copy-protocol.ts';

function msg(type: string, body: Buffer | string): Buffer {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const head = Buffer.alloc(5);
  head[0] = type.charCodeAt(0);
  head.writeUInt32BE(b.length + 4, 1);
  return Buffer.concat([head, b]);
}
const copyOut = (): Buffer => msg('H', Buffer.from([0, 0, 2, 0, 0, 0, 0]));
const row = (text: string): Buffer => msg('d', text);
const done = (): Buffer => Buffer.concat([msg('c', ''), msg('C', 'COPY 2\0')]);
const ready = (): Buffer => msg('Z', 'T');
const notice = (): Buffer => msg('N', 'SNOTICE\0Msomething\0\0');
const error = (code: string, text: string): Buffer => msg('E', `SERROR\0C${code}\0M${text}\0\0`);

/** The archive pieces back as strings, per table, checking each piece's header. */
function pieces(events: CopyEvent[], intSize: number): string[][] {
  const tables: string[][] = [[]];
  const bytes: Buffer[] = [];
  const take = (): void => {
    const all = Buffer.concat(bytes.splice(0));
    let at = 0;
    while (at < all.length) {
      assert.equal(all[at], 0, 'sign byte');
      let len = 0;
      for (let i = 0; i < intSize; i++) len += all[at + 1 + i]! * 2 ** (8 * i);
      at += 1 + intSize;
      tables.at(-1)!.push(all.toString('utf8', at, at + len));
      at += len;
    }
    assert.equal(at, all.length, 'pieces end where the data ends');
  };
  for (const ev of events) {
    if (ev.kind === 'data') bytes.push(ev.bytes);
    else {
      take();
      tables.push([]);
    }
  }
  take();
  return tables;
}

const ROWS = [['1\tone\n', '2\t\\\\.\n', `3\t${'x'.repeat(300)}\n`], ['a\n'], []];
const STREAM = Buffer.concat([
  notice(),
  copyOut(), ...ROWS[0]!.map(row), row(''), done(),
  msg('S', 'application_name\0x\0'),
  copyOut(), ...ROWS[1]!.map(row), done(),
  copyOut(), done(),
  ready(),
]);

for (const intSize of [4, 8]) {
  test(`rows become archive pieces (intSize ${intSize}), tables end at CopyDone, whatever the socket splits`, () => {
    for (const size of [1, 2, 3, 4, 5, 6, 7, 13, 64, STREAM.length]) {
      for (let cut = 0; cut < Math.min(STREAM.length, 40); cut++) {
        const t = new CopyTranslator(intSize);
        const input = Buffer.from(STREAM);
        const parts = [input.subarray(0, cut)];
        for (let o = cut; o < input.length; o += size) parts.push(input.subarray(o, o + size));
        const events = parts.flatMap((p) => t.push(p));
        t.finish();
        assert.deepEqual(pieces(events, intSize), [...ROWS, []], `split ${cut}/${size}`);
        assert.equal(t.tablesStarted, 3);
        assert.equal(t.tablesEnded, 3);
      }
    }
  });
}

/** Where each piece of each table starts, in offsets of that table's pieces (the first is 0). */
function pieceStarts(events: CopyEvent[], intSize: number): number[][] {
  const out: number[][] = [[]];
  let bytes: Buffer[] = [];
  const take = (): void => {
    const all = Buffer.concat(bytes);
    bytes = [];
    for (let at = 0; at < all.length; ) {
      out.at(-1)!.push(at);
      let len = 0;
      for (let i = 0; i < intSize; i++) len += all[at + 1 + i]! * 2 ** (8 * i);
      at += 1 + intSize + len;
    }
  };
  for (const ev of events) {
    if (ev.kind === 'data') bytes.push(ev.bytes);
    else {
      take();
      out.push([]);
    }
  }
  return out.slice(0, -1);
}

for (const intSize of [4, 8]) {
  test(`each table's end lists row starts at least markEvery apart, each where a piece begins (intSize ${intSize}), whatever the socket splits`, () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${i}\t${'y'.repeat(i % 7 * 13)}\n`);
    const input = Buffer.concat([copyOut(), ...rows.map(row), done(), copyOut(), row('only\n'), done(), ready()]);
    for (const markEvery of [1, 30, 100, 10_000]) {
      for (const size of [1, 3, 5, 7, 64, input.length]) {
        const t = new CopyTranslator(intSize, markEvery);
        const src = Buffer.from(input);
        const events: CopyEvent[] = [];
        for (let o = 0; o < src.length; o += size) events.push(...t.push(src.subarray(o, o + size)));
        t.finish();
        const ends = events.filter((e): e is { kind: 'end'; rowStarts: number[] } => e.kind === 'end');
        const starts = pieceStarts(events, intSize);
        assert.equal(ends.length, 2);
        for (const [i, end] of ends.entries()) {
          const marks = end.rowStarts;
          for (const m of marks) assert.ok(starts[i]!.includes(m), `mark ${m} is where a piece begins (${markEvery}/${size})`);
          for (let k = 1; k < marks.length; k++) assert.ok(marks[k]! - marks[k - 1]! >= markEvery, 'marks are apart');
          if (marks.length > 0) assert.ok(marks[0]! >= markEvery, 'none at the start');
          // Every row start from markEvery on is marked unless within markEvery of the last mark.
          let last = 0;
          const expected = starts[i]!.filter((at) => (at >= last + markEvery ? ((last = at), true) : false));
          assert.deepEqual(marks, expected, `${markEvery}/${size}`);
        }
        if (markEvery === 1) assert.equal(ends[0]!.rowStarts.length, rows.length - 1, 'every row but the first');
        assert.deepEqual(ends[1]!.rowStarts, [], 'a table of one row has nowhere to cut');
      }
    }
  });
}

test('with intSize 4 the rows are handed on in the socket buffer itself, headers rewritten in place', () => {
  const input = Buffer.concat([copyOut(), row('hello\n'), row('world\n'), done(), ready()]);
  const t = new CopyTranslator(4);
  const events = t.push(input);
  const data = events.filter((e): e is { kind: 'data'; bytes: Buffer } => e.kind === 'data');
  assert.equal(data.length, 1, 'one view over both rows');
  assert.equal(data[0]!.bytes.buffer, input.buffer, 'the same memory, not a copy');
  assert.deepEqual([...data[0]!.bytes.subarray(0, 5)], [0, 6, 0, 0, 0]);
});

test("a server error fails with the server's words and SQLSTATE", () => {
  const t = new CopyTranslator(4);
  t.push(Buffer.concat([copyOut(), row('1\n')]));
  assert.throws(
    () => t.push(error('42501', 'query would be affected by row-level security policy for table "s"')),
    (e: unknown) => e instanceof CopyServerError && e.code === '42501' && /row-level security/.test(e.message),
  );
});

test('a connection that closes before ReadyForQuery, or mid-row, is refused', () => {
  const midRow = new CopyTranslator(4);
  midRow.push(Buffer.concat([copyOut(), row('12345\n').subarray(0, 8)]));
  assert.throws(() => midRow.finish(), /closed before the copy ended/);
  const noReady = new CopyTranslator(4);
  noReady.push(Buffer.concat([copyOut(), row('1\n'), done()]));
  assert.throws(() => noReady.finish(), /closed before the copy ended/);
});

test('unexpected messages and a binary copy are refused', () => {
  assert.throws(() => new CopyTranslator(4).push(msg('G', Buffer.from([0, 0, 0]))), /unexpected message \('G'\)/);
  assert.throws(() => new CopyTranslator(4).push(msg('H', Buffer.from([1, 0, 0]))), /binary/);
});

test('nothing after ReadyForQuery is read: a session ended once the copy is done does not fail it', () => {
  const t = new CopyTranslator(4);
  const events = t.push(Buffer.concat([copyOut(), row('1\n'), done(), ready(), error('57P01', 'terminating connection due to administrator command')]));
  t.finish();
  assert.deepEqual(pieces(events, 4), [['1\n'], []]);
});
