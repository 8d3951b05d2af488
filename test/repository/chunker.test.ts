// Content-defined chunking: deterministic whatever the read sizes, within the size bounds, near
// the target average, and resistant to shifted boundaries.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Chunker, DEFAULT_CHUNKER } from '../../src/repository/chunker.ts';
import type { ChunkerParams } from '../../src/repository/chunker.ts';
import { gearTable } from '../../src/repository/crypto.ts';
import { dumpText } from './helpers.ts';

const gear = gearTable(Buffer.alloc(32, 9));

function chunk(data: Buffer, params: ChunkerParams = DEFAULT_CHUNKER, piece = data.length, table = gear): Buffer[] {
  const c = new Chunker(params, table);
  const out: Buffer[] = [];
  for (let o = 0; o < data.length; o += piece) out.push(...c.push(data.subarray(o, Math.min(o + piece, data.length))));
  const last = c.finish();
  if (last) out.push(last);
  return out;
}

const digest = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('chunker', () => {
  const data = randomBytes(20 * 1024 * 1024);
  const whole = chunk(data);

  it('reassembles to the input and respects min and max', () => {
    assert.deepEqual(Buffer.concat(whole), data);
    whole.slice(0, -1).forEach((c) => {
      assert.ok(c.length >= DEFAULT_CHUNKER.min && c.length <= DEFAULT_CHUNKER.max, `chunk of ${c.length} bytes`);
    });
    const avg = data.length / whole.length;
    assert.ok(avg > DEFAULT_CHUNKER.avg * 0.6 && avg < DEFAULT_CHUNKER.avg * 1.8, `average ${avg} near ${DEFAULT_CHUNKER.avg}`);
  });

  it('cuts at the same places whatever sizes the input arrives in', () => {
    const lengths = whole.map((c) => c.length);
    for (const piece of [1000, 65_536, 3 * 1024 * 1024 + 7]) {
      assert.deepEqual(chunk(data, DEFAULT_CHUNKER, piece).map((c) => c.length), lengths, `pieces of ${piece}`);
    }
  });

  it('refers to no pushed buffer once the chunks it returned are used', () => {
    // A backup's socket buffers are read over as soon as the backup asks for the next one.
    for (const params of [DEFAULT_CHUNKER, { min: 16 * 1024, avg: 64 * 1024, max: 256 * 1024 }]) {
      const expected = chunk(data, params).map(digest);
      const c = new Chunker(params, gear);
      const got: string[] = [];
      const part = Buffer.alloc(40_000);
      for (let o = 0; o < data.length; o += part.length) {
        const n = data.copy(part, 0, o, o + part.length);
        for (const pieces of c.pushPieces(part.subarray(0, n))) got.push(digest(Buffer.concat(pieces)));
        part.fill(0xa5); // the next read lands in the same memory
      }
      const last = c.finishPieces();
      if (last) got.push(digest(Buffer.concat(last)));
      assert.deepEqual(got, expected, `chunks of ${params.avg}`);
    }
  });

  it('keeps most chunks when bytes are inserted at the start (boundary-shift resistance)', () => {
    const shifted = Buffer.concat([randomBytes(1234), data]);
    const before = new Set(whole.map(digest));
    const after = chunk(shifted, DEFAULT_CHUNKER, 65_536);
    const shared = after.filter((c) => before.has(digest(c))).length;
    // Only the chunks up to the first boundary both cuttings share change: a few with small
    // chunks (normalized chunking can take several to fall back in step), about one with large.
    assert.ok(shared >= whole.length - Math.max(3, Math.ceil(whole.length / 100)), `${shared} of ${whole.length} chunks still shared`);
  });

  it('keeps most chunks of text when a line in the middle changes', () => {
    const params = { min: 16 * 1024, avg: 64 * 1024, max: 256 * 1024 };
    const text = dumpText(8 * 1024 * 1024, 7);
    const edited = Buffer.concat([text.subarray(0, 4_000_000), Buffer.from('an edited row\n'), text.subarray(4_000_100)]);
    const before = new Set(chunk(text, params).map(digest));
    const after = chunk(edited, params);
    const fresh = after.filter((c) => !before.has(digest(c))).length;
    assert.ok(fresh <= 3, `${fresh} of ${after.length} chunks changed`);
  });

  it('depends on the repository key (the gear table)', () => {
    const other = chunk(data, DEFAULT_CHUNKER, data.length, gearTable(Buffer.alloc(32, 1)));
    assert.notDeepEqual(other.map((c) => c.length), whole.map((c) => c.length));
  });

  it('handles empty input, input smaller than min, and forced cuts at max', () => {
    assert.deepEqual(chunk(Buffer.alloc(0)), []);
    const tiny = randomBytes(100);
    assert.deepEqual(chunk(tiny), [tiny]);
    // Zeros never match a boundary with this table... unless gear[0] happens to; either way bounds hold.
    const zeros = chunk(Buffer.alloc(5 * 1024 * 1024));
    assert.equal(Buffer.concat(zeros).length, 5 * 1024 * 1024);
    zeros.slice(0, -1).forEach((c) => assert.ok(c.length >= DEFAULT_CHUNKER.min && c.length <= DEFAULT_CHUNKER.max));
  });

  it('refuses impossible parameters', () => {
    assert.throws(() => new Chunker({ min: 1000, avg: 3000, max: 9000 }, gear), { code: 'InvalidRepositoryOption' });
    assert.throws(() => new Chunker({ min: 8192, avg: 4096, max: 65536 }, gear), { code: 'InvalidRepositoryOption' });
  });
});
