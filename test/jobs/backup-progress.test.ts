// A backup's progress: measured against an estimate of the dump's size, never above 99% while it
// runs however wrong the estimate, steadily rising with the bytes sent, and 100% once done.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RUNNING_CAP_PERCENT, backupPercent, formatPercent } from '../../src/jobs/backup-progress.ts';

describe('backupPercent', () => {
  it('is 100 when done, whatever was sent and estimated', () => {
    for (const [bytes, estimate] of [[137, 1000], [5000, 1000], [0, 0], [10, 0]] as const) assert.equal(backupPercent(bytes, estimate, true), 100);
  });

  it('follows the bytes sent linearly while well under the estimate', () => {
    assert.equal(backupPercent(0, 1000, false), 0);
    assert.equal(backupPercent(250, 1000, false), 25);
    assert.equal(backupPercent(900, 1000, false), 90);
  });

  it('rises ever more slowly past 90% of the estimate and never passes the cap', () => {
    let last = backupPercent(900, 1000, false);
    for (const bytes of [901, 950, 1000, 1500, 3000, 10_000, 1e9]) {
      const pct = backupPercent(bytes, 1000, false);
      assert.ok(pct >= last && pct <= RUNNING_CAP_PERCENT, `${bytes} bytes: ${pct}`);
      last = pct;
    }
    assert.ok(backupPercent(901, 1000, false) - 90 < 0.11, 'continuous where the line ends');
  });

  it('with no estimate, shows the cap once bytes flow', () => {
    assert.equal(backupPercent(0, 0, false), 0);
    assert.equal(backupPercent(1, 0, false), RUNNING_CAP_PERCENT);
  });
});

describe('formatPercent', () => {
  it('shows one decimal and never rounds a running backup up to a step it has not reached', () => {
    assert.equal(formatPercent(100), '100.0');
    assert.equal(formatPercent(98.96), '98.9');
    assert.equal(formatPercent(0), '0.0');
    assert.equal(formatPercent(RUNNING_CAP_PERCENT - 1e-9), '98.9');
  });
});
