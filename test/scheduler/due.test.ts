// The scheduler's pure decisions: which occurrence is due, which were missed, the unique job key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dueOccurrence, scheduledJobKey } from '../../src/scheduler/due.ts';
import { parseRepeatingInterval } from '../../src/policy/time/interval.ts';
import { resolveTimeZone } from '../../src/policy/time/zones.ts';

const seed = {
  intervals: ['R/2021-08-15T22:00:00+00:00/P1W', 'R/2021-08-18T22:00:00+00:00/P1W', 'R/2021-08-20T22:00:00+00:00/P1W'].map((t) => parseRepeatingInterval(t)),
  timeZone: 'UTC',
};
const d = (s: string) => new Date(s);
const iso = (x: Date | null) => (x ? x.toISOString() : null);

test('nothing is due before the next occurrence', () => {
  // 2025-01-01 is a Wednesday; its 22:00 backup is the first after midnight.
  assert.deepEqual(dueOccurrence(seed, d('2025-01-01T00:00:00Z'), d('2025-01-01T21:59:59.999Z')), { run: null, missed: [] });
});

test('an occurrence is due exactly at its instant, and once handled is not due again', () => {
  const first = dueOccurrence(seed, d('2025-01-01T00:00:00Z'), d('2025-01-01T22:00:00Z'));
  assert.equal(iso(first.run), '2025-01-01T22:00:00.000Z');
  assert.deepEqual(first.missed, []);
  assert.deepEqual(dueOccurrence(seed, first.run!, d('2025-01-01T22:00:00Z')), { run: null, missed: [] });
  assert.deepEqual(dueOccurrence(seed, first.run!, d('2025-01-03T21:59:00Z')), { run: null, missed: [] });
  assert.equal(iso(dueOccurrence(seed, first.run!, d('2025-01-03T22:00:30Z')).run), '2025-01-03T22:00:00.000Z');
});

test('after downtime only the most recent missed occurrence runs, never a backlog', () => {
  // Down from Thursday 2 January to Monday 13 January, 09:00: Fri 3, Sun 5, Wed 8, Fri 10, Sun 12 were due.
  const r = dueOccurrence(seed, d('2025-01-01T22:00:00Z'), d('2025-01-13T09:00:00Z'));
  assert.equal(iso(r.run), '2025-01-12T22:00:00.000Z');
  assert.deepEqual(r.missed.map(iso), ['2025-01-03T22:00:00.000Z', '2025-01-05T22:00:00.000Z', '2025-01-08T22:00:00.000Z', '2025-01-10T22:00:00.000Z']);
});

test('a mark in the future (clock moved back) schedules nothing', () => {
  assert.deepEqual(dueOccurrence(seed, d('2025-02-01T00:00:00Z'), d('2025-01-20T00:00:00Z')), { run: null, missed: [] });
});

test('a weekly 22:00 in Pacific Standard Time stays at 22:00 local across DST', () => {
  const pst = { intervals: [parseRepeatingInterval('R/2021-08-15T22:00:00-07:00/P1W')], timeZone: resolveTimeZone('Pacific Standard Time') };
  // 2025-03-09 is the DST change: Sunday 22:00 PDT is 05:00Z the next day; the Sunday before, 22:00 PST is 06:00Z.
  assert.equal(iso(dueOccurrence(pst, d('2025-03-01T00:00:00Z'), d('2025-03-03T12:00:00Z')).run), '2025-03-03T06:00:00.000Z');
  assert.equal(iso(dueOccurrence(pst, d('2025-03-03T06:00:00Z'), d('2025-03-10T12:00:00Z')).run), '2025-03-10T05:00:00.000Z');
});

test('the job key names the instance (case-insensitively) and the occurrence', () => {
  const id = '/subscriptions/S/resourceGroups/RG/providers/Microsoft.DataProtection/backupVaults/V/backupInstances/BI';
  const k = scheduledJobKey(id, d('2025-01-01T22:00:00Z'));
  assert.equal(k, `scheduled:${id.toLowerCase()}:2025-01-01T22:00:00.000Z`);
  assert.equal(scheduledJobKey(id.toUpperCase(), d('2025-01-01T22:00:00Z')), k);
});
