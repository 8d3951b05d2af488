// The locality decision, without storage: runs and packs counted as a reader meets them, and the
// windows chosen for a rewrite: the most scattered first, within the budget, never from packs
// that are not eligible (quarantined), in stream order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { measureLocality, planLocality, runsOf } from '../../src/repository/locality-plan.ts';
import type { StreamItem } from '../../src/repository/locality-plan.ts';

const KB = 1024;

/** Chunk n of a stream: in pack `pack` at blob `blob` (64 KiB blobs, one chunk each). */
const item = (_n: number, pack: string, blob: number): StreamItem => ({ packId: pack, offset: blob * 64 * KB, length: 64 * KB, rawLength: 128 * KB });

/** 64 chunks from pack A in order, every `every`-th one from pack B instead (a week of scattered edits). */
function scattered(every: number, chunks = 64): StreamItem[] {
  let b = 0;
  return Array.from({ length: chunks }, (_, i) => (i % every === every - 1 ? item(1000 + i, 'B', b++) : item(i, 'A', i)));
}

describe('locality plan', () => {
  it('counts a contiguous stream as one run, and every switch of pack as a new one', () => {
    const flat = Array.from({ length: 10 }, (_, i) => item(i, 'A', i));
    assert.equal(runsOf(flat).length, 1);
    const m = measureLocality(scattered(4, 16));
    assert.equal(m.runs, 8, 'A B A B … : each edit breaks the run of A');
    assert.equal(m.packs, 2);
    assert.equal(m.rawBytes, 16 * 128 * KB);
    assert.equal(m.runsPerGiB, 8 / ((16 * 128 * KB) / 1024 ** 3));
    // A backward step in the same pack (the rest of a frame read earlier) starts a run too.
    assert.equal(runsOf([item(1, 'A', 3), item(2, 'A', 1)]).length, 2);
    // A chunk of the same frame as the one before continues it.
    assert.equal(runsOf([item(1, 'A', 3), { ...item(2, 'A', 3) }]).length, 1);
  });

  it('rewrites scattered windows only, within the budget, in stream order', () => {
    const items = scattered(2); // 32 runs of 64 KiB in 4 MiB
    const full = planLocality({ items, eligible: () => true, budget: 1e9, windowBytes: 1024 * KB, minRunBytes: 512 * KB });
    assert.equal(full.bytes, 64 * 64 * KB, 'every blob of every scattered window');
    assert.deepEqual(
      full.blobs.map((b) => `${b.packId}${b.offset / (64 * KB)}`),
      items.map((i) => `${i.packId}${i.offset / (64 * KB)}`),
      'in the order the stream reads them',
    );
    const half = planLocality({ items, eligible: () => true, budget: 2 * 1024 * KB, windowBytes: 1024 * KB, minRunBytes: 512 * KB });
    assert.ok(half.bytes <= 2 * 1024 * KB && half.bytes > 0, `within the budget: ${half.bytes}`);
    const none = planLocality({ items: Array.from({ length: 64 }, (_, i) => item(i, 'A', i)), eligible: () => true, budget: 1e9, windowBytes: 1024 * KB, minRunBytes: 512 * KB });
    assert.equal(none.blobs.length, 0, 'a contiguous stream is left alone');
    // A window inside one long run is not cut out of it (it would add a run at each edge).
    const long = Array.from({ length: 48 }, (_, i) => item(i, 'A', i));
    long.splice(20, 0, item(0, 'B', 0), item(0, 'A', 19));
    assert.equal(planLocality({ items: long, eligible: () => true, budget: 1e9, windowBytes: 512 * KB, minRunBytes: 512 * KB }).blobs.length, 0);
    // A stream that reads the same blobs again and again (repeated data) gains nothing from a rewrite.
    const repeated = Array.from({ length: 64 }, (_, i) => item(i % 4, 'A', (i % 4) * 3));
    assert.equal(planLocality({ items: repeated, eligible: () => true, budget: 1e9, windowBytes: 1024 * KB, minRunBytes: 512 * KB }).blobs.length, 0);
  });

  it('takes the most scattered windows first and never a blob of a pack that is not eligible', () => {
    // The first 2 MiB edited every 8th chunk, the next 2 MiB every other chunk.
    const items = [...scattered(8, 32), ...scattered(2, 32).map((i) => ({ ...i, offset: i.packId === 'A' ? i.offset + 32 * 64 * KB : i.offset + 16 * 64 * KB }))];
    const plan = planLocality({ items, eligible: () => true, budget: 1024 * KB, windowBytes: 1024 * KB, minRunBytes: 512 * KB });
    assert.ok(plan.blobs.length > 0);
    const firstCopied = items.findIndex((i) => i.packId === plan.blobs[0]!.packId && i.offset === plan.blobs[0]!.offset);
    assert.ok(firstCopied >= 32, `the densely edited half goes first (${firstCopied})`);
    // A chunk of pack Q (quarantined) first: the rest is rewritten around it, Q's blob stays.
    const withQ = [item(9999, 'Q', 0), ...items];
    const noQ = planLocality({ items: withQ, eligible: (p) => p !== 'Q', budget: 1e9, windowBytes: 1024 * KB, minRunBytes: 512 * KB });
    assert.ok(noQ.blobs.length > 0 && noQ.blobs.every((b) => b.packId !== 'Q'));
    // Where the interruptions are all in a pack that may not be copied, a rewrite would gain nothing.
    assert.equal(planLocality({ items, eligible: (p) => p !== 'B', budget: 1e9, windowBytes: 1024 * KB, minRunBytes: 512 * KB }).blobs.length, 0);
  });
});
