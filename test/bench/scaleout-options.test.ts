// The scale-out phase's settings on the bench's command line, and the percentile its read
// latencies are reported with (nearest rank: a value that was measured, never one between two).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DEFAULT_PHASES, parseOptions } from '../../bench/lib/options.ts';
import { percentile } from '../../bench/lib/proc.ts';

it('runs the scale-out phase by default with 40 databases and 1, 2 and 4 workers', () => {
  const o = parseOptions([]);
  assert.ok(DEFAULT_PHASES.includes('scaleout'));
  assert.equal(o.databases, 40);
  assert.deepEqual(o.workers, [1, 2, 4]);
});

it('takes --only scaleout, --databases and --workers', () => {
  const o = parseOptions(['--only', 'scaleout', '--databases', '20', '--workers=1,2']);
  assert.deepEqual([...o.only], ['scaleout']);
  assert.equal(o.databases, 20);
  assert.deepEqual(o.workers, [1, 2]);
});

it('refuses a worker count or a database count that is not a whole number of at least 1', () => {
  for (const argv of [['--workers', '1,0'], ['--workers', '1,,2'], ['--workers', 'two'], ['--databases', '0'], ['--databases', '2.5']]) {
    assert.throws(() => parseOptions(argv), /needs a whole number of at least 1/, argv.join(' '));
  }
});

it('gives the nearest-rank percentile of the values measured', () => {
  const ms = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, unsorted order
  assert.equal(percentile(ms, 50), 50);
  assert.equal(percentile(ms, 99), 99);
  assert.equal(percentile(ms, 100), 100);
  assert.equal(percentile([7], 99), 7);
  assert.equal(percentile([3, 1, 2], 50), 2);
  assert.ok(Number.isNaN(percentile([], 50)));
});
