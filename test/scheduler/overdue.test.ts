// When a scheduled backup is overdue (scheduler/overdue.ts), pure: each occurrence's grace is the
// server's minimum or a tenth of the time since the previous occurrence, whichever is longer, and
// the latest occurrence whose grace has ended since the last check is the one that alerts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MIN_GRACE_MS, graceMs, latestOverdue } from '../../src/scheduler/overdue.ts';
import { parseRepeatingInterval } from '../../src/policy/time/interval.ts';

const schedule = (...intervals: string[]) => ({ intervals: intervals.map((t) => parseRepeatingInterval(t)), timeZone: 'UTC' });
const HOUR = 3_600_000;
const d = (s: string) => new Date(s);

test('the grace is a tenth of the gap since the previous occurrence, at least the minimum', () => {
  const daily = schedule('R/2024-01-01T02:00:00+00:00/P1D');
  assert.equal(graceMs(daily, d('2025-03-10T02:00:00Z'), DEFAULT_MIN_GRACE_MS), 2.4 * HOUR);
  assert.equal(graceMs(schedule('R/2024-01-01T00:00:00+00:00/PT1H'), d('2025-03-10T05:00:00Z'), DEFAULT_MIN_GRACE_MS), HOUR);
  assert.equal(graceMs(daily, d('2025-03-10T02:00:00Z'), 6 * HOUR), 6 * HOUR);
  // Sun, Wed, Fri: Wednesday's follows Sunday's by three days, Friday's Wednesday's by two.
  const seed = schedule('R/2021-08-15T22:00:00+00:00/P1W', 'R/2021-08-18T22:00:00+00:00/P1W', 'R/2021-08-20T22:00:00+00:00/P1W');
  assert.equal(graceMs(seed, d('2025-01-01T22:00:00Z'), DEFAULT_MIN_GRACE_MS), 7.2 * HOUR);
  assert.equal(graceMs(seed, d('2025-01-03T22:00:00Z'), DEFAULT_MIN_GRACE_MS), 4.8 * HOUR);
  // The schedule's first occurrence has none before it: a tenth of its period.
  assert.equal(graceMs(daily, d('2024-01-01T02:00:00Z'), DEFAULT_MIN_GRACE_MS), 2.4 * HOUR);
});

test('the latest occurrence whose grace has ended since the check, or none', () => {
  const daily = schedule('R/2024-01-01T02:00:00+00:00/P1D');
  assert.equal(latestOverdue(daily, d('2025-03-10T00:00:00Z'), d('2025-03-10T04:23:59Z'), DEFAULT_MIN_GRACE_MS), null);
  assert.deepEqual(latestOverdue(daily, d('2025-03-10T00:00:00Z'), d('2025-03-10T04:24:00Z'), DEFAULT_MIN_GRACE_MS), { due: d('2025-03-10T02:00:00Z'), overdueSince: d('2025-03-10T04:24:00Z') });
  // Checked through that occurrence: nothing more until the next one's grace ends.
  assert.equal(latestOverdue(daily, d('2025-03-10T02:00:00Z'), d('2025-03-11T04:00:00Z'), DEFAULT_MIN_GRACE_MS), null);
  // Days unchecked: the latest whose grace ended (the 13th's, not the 14th's still in its grace).
  assert.deepEqual(latestOverdue(daily, d('2025-03-10T02:00:00Z'), d('2025-03-14T03:00:00Z'), DEFAULT_MIN_GRACE_MS)?.due, d('2025-03-13T02:00:00Z'));
});
