// Local wall-clock time in a zone: round trips, DST gaps and overlaps, calendar helpers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addLocalDays, addMonthsClamped, daysInMonth, fromLocal, toLocal } from '../../../src/policy/time/local-time.ts';

const LA = 'America/Los_Angeles';
const at = (year: number, month: number, day: number, hour: number, minute = 0) =>
  ({ year, month, day, hour, minute, second: 0, millisecond: 0 });

test('reads local parts of an instant, weekday included', () => {
  // 2022-08-01T05:00Z is Sunday 31 July 22:00 PDT.
  assert.deepEqual(toLocal(new Date('2022-08-01T05:00:00Z'), LA), { ...at(2022, 7, 31, 22), weekday: 0 });
  assert.deepEqual(toLocal(new Date('2022-08-01T05:00:00.250Z'), 'UTC'), { ...at(2022, 8, 1, 5), millisecond: 250, weekday: 1 });
});

test('converts local times to instants, with DST gap and overlap rules', () => {
  assert.equal(fromLocal(at(2022, 1, 2, 22), LA).toISOString(), '2022-01-03T06:00:00.000Z');
  assert.equal(fromLocal(at(2022, 7, 3, 22), LA).toISOString(), '2022-07-04T05:00:00.000Z');
  // 13 March 2022 02:30 does not exist in Los Angeles: it moves forward to 03:30 PDT.
  assert.equal(fromLocal(at(2022, 3, 13, 2, 30), LA).toISOString(), '2022-03-13T10:30:00.000Z');
  // 6 November 2022 01:30 happens twice: the earlier one (PDT) is chosen.
  assert.equal(fromLocal(at(2022, 11, 6, 1, 30), LA).toISOString(), '2022-11-06T08:30:00.000Z');
  // Southern hemisphere: Sydney leaves DST on 2 April 2023 at 03:00.
  assert.equal(fromLocal(at(2023, 1, 15, 12), 'Australia/Sydney').toISOString(), '2023-01-15T01:00:00.000Z');
  assert.equal(fromLocal(at(2023, 7, 15, 12), 'Australia/Sydney').toISOString(), '2023-07-15T02:00:00.000Z');
});

test('calendar helpers', () => {
  assert.equal(daysInMonth(2024, 2), 29);
  assert.equal(daysInMonth(2100, 2), 28);
  assert.equal(daysInMonth(2000, 2), 29);
  assert.deepEqual(addMonthsClamped(at(2021, 1, 31, 9), 1), at(2021, 2, 28, 9));
  assert.deepEqual(addMonthsClamped(at(2021, 11, 30, 9), 3), at(2022, 2, 28, 9));
  assert.deepEqual(addMonthsClamped(at(2021, 3, 31, 9), -1), at(2021, 2, 28, 9));
  assert.deepEqual(addLocalDays(at(2024, 2, 28, 9), 1), at(2024, 2, 29, 9));
  assert.deepEqual(addLocalDays(at(2021, 12, 31, 9), 1), at(2022, 1, 1, 9));
});
