// Repeating intervals: the accepted forms, the rejected ones, and the backup instants they give.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { occurrences, parseRepeatingInterval } from '../../../src/policy/time/interval.ts';
import { DpError } from '../../../src/domain/errors.ts';

const iso = (ds: Date[]): string[] => ds.map((x) => x.toISOString());

test('parses the accepted start forms', () => {
  const a = parseRepeatingInterval('R/2021-08-15T06:30:00+00:00/P1W');
  assert.equal(a.start.toISOString(), '2021-08-15T06:30:00.000Z');
  assert.equal(a.offsetMinutes, 0);
  assert.equal(a.period.weeks, 1);
  assert.equal(a.repetitions, null);
  assert.equal(a.text, 'R/2021-08-15T06:30:00+00:00/P1W');
  assert.equal(parseRepeatingInterval('R/2021-08-15T06:30:00Z/P1W').start.toISOString(), '2021-08-15T06:30:00.000Z');
  assert.equal(parseRepeatingInterval('R/2021-08-15T06:30Z/P1D').start.toISOString(), '2021-08-15T06:30:00.000Z');
  assert.equal(parseRepeatingInterval('R/2021-08-15T06:30:15.250Z/PT6H').start.toISOString(), '2021-08-15T06:30:15.250Z');
  const la = parseRepeatingInterval('R/2021-08-15T22:00:00-07:00/P1W');
  assert.equal(la.start.toISOString(), '2021-08-16T05:00:00.000Z');
  assert.equal(la.offsetMinutes, -420);
  assert.equal(parseRepeatingInterval('R/2021-08-15T22:00+05:30/P1W').start.toISOString(), '2021-08-15T16:30:00.000Z');
  const r5 = parseRepeatingInterval('R5/2021-08-15T22:00:00Z/P1W');
  assert.equal(r5.repetitions, 5);
  assert.equal(parseRepeatingInterval('R/2024-02-29T00:00:00Z/P1Y').start.toISOString(), '2024-02-29T00:00:00.000Z');
});

test('rejects malformed intervals with InvalidRepeatingInterval and the reason', () => {
  const cases: [string, RegExp][] = [
    ['R/2021-08-15T22:00:00Z+00:00/P1W', /offset twice/],
    ['R/2021-08-15T24:00:00Z/P1W', /T24:00 is not supported/],
    ['R/2021-08-15T23:59:60Z/P1W', /leap seconds/],
    ['R/20210815T220000Z/P1W', /extended format/],
    ['R/2021-08-15T2200Z/P1W', /extended format/],
    ['R/2021-08-15T22:00:00/P1W', /no UTC offset/],
    ['R/2021-08-15T14/P1W', /no UTC offset/],
    ['R/2021-08-15/P1W', /date and time/],
    ['R/2021-02-29T22:00:00Z/P1W', /does not exist/],
    ['R/2021-13-01T22:00:00Z/P1W', /month 13/],
    ['R/2021-08-15T22:61:00Z/P1W', /minute 61/],
    ['R/2021-08-15T22:00:00+15:00/P1W', /offset \+15:00 is out of range/],
    ['R/2021-08-15T22:00:00Z/P1.5W', /period 'P1.5W'.*fractional/],
    ['R/2021-08-15T22:00:00Z/P0D', /longer than zero/],
    ['R/2021-08-15T22:00:00Z/1W', /duration such as P1W/],
    ['2021-08-15T22:00:00Z/P1W', /three parts/],
    ['X/2021-08-15T22:00:00Z/P1W', /begin with 'R'/],
    ['R/P1W/2021-08-15T22:00:00Z', /start must come before the period/],
    ['', /empty/],
  ];
  for (const [text, reason] of cases) {
    assert.throws(
      () => parseRepeatingInterval(text, 'schedule.repeatingTimeIntervals[0]'),
      (e: unknown) => {
        assert.ok(e instanceof DpError, text);
        assert.equal(e.code, 'InvalidRepeatingInterval');
        assert.equal(e.target, 'schedule.repeatingTimeIntervals[0]');
        assert.match(e.message, reason, `${text}: ${e.message}`);
        return true;
      },
    );
  }
});

test('weekly intervals in UTC repeat every seven days from the start', () => {
  const ivs = ['R/2021-08-15T22:00:00+00:00/P1W', 'R/2021-08-18T22:00:00+00:00/P1W', 'R/2021-08-20T22:00:00+00:00/P1W'].map((t) =>
    parseRepeatingInterval(t),
  );
  // Nothing before the start; the range is [from, to).
  assert.deepEqual(
    iso(occurrences(ivs, 'UTC', new Date('2021-08-01T00:00:00Z'), new Date('2021-08-22T22:00:00Z'))),
    ['2021-08-15T22:00:00.000Z', '2021-08-18T22:00:00.000Z', '2021-08-20T22:00:00.000Z'],
  );
  // Ten years on: 2031-08-10 is a Sunday (3647 days = 521 weeks after 2021-08-15).
  assert.deepEqual(
    iso(occurrences(ivs, 'UTC', new Date('2031-08-10T22:00:00Z'), new Date('2031-08-17T00:00:00Z'))),
    ['2031-08-10T22:00:00.000Z', '2031-08-13T22:00:00.000Z', '2031-08-15T22:00:00.000Z'],
  );
  // Duplicate intervals give each instant once.
  assert.equal(occurrences([ivs[0]!, ivs[0]!], 'UTC', new Date('2021-08-01Z'), new Date('2021-09-01Z')).length, 3);
});

test('the local wall-clock time repeats in the policy zone across DST', () => {
  const zone = 'America/Los_Angeles';
  // Sunday 2 January 2022 22:00 PST, written with its offset or as the same instant in UTC.
  for (const text of ['R/2022-01-02T22:00:00-08:00/P1W', 'R/2022-01-03T06:00:00+00:00/P1W']) {
    const iv = parseRepeatingInterval(text);
    assert.deepEqual(iso(occurrences([iv], zone, new Date('2022-03-01Z'), new Date('2022-03-22Z'))), [
      '2022-03-07T06:00:00.000Z', // 6 March, PST
      '2022-03-14T05:00:00.000Z', // 13 March, the day DST starts: 22:00 PDT
      '2022-03-21T05:00:00.000Z', // 20 March 22:00 PDT
    ]);
    assert.deepEqual(iso(occurrences([iv], zone, new Date('2022-10-25Z'), new Date('2022-11-15Z'))), [
      '2022-10-31T05:00:00.000Z', // 30 October, PDT
      '2022-11-07T06:00:00.000Z', // 6 November, the day DST ends: 22:00 PST
      '2022-11-14T06:00:00.000Z',
    ]);
  }
});

test('Rn limits the number of occurrences; hourly periods add absolute hours', () => {
  const r3 = parseRepeatingInterval('R3/2021-08-15T22:00:00Z/P1W');
  assert.deepEqual(iso(occurrences([r3], 'UTC', new Date('2021-01-01Z'), new Date('2022-01-01Z'))), [
    '2021-08-15T22:00:00.000Z',
    '2021-08-22T22:00:00.000Z',
    '2021-08-29T22:00:00.000Z',
  ]);
  const hourly = parseRepeatingInterval('R/2022-03-12T20:00:00-08:00/PT6H');
  assert.deepEqual(iso(occurrences([hourly], 'America/Los_Angeles', new Date('2022-03-13T00:00Z'), new Date('2022-03-13T22:00Z'))), [
    '2022-03-13T04:00:00.000Z',
    '2022-03-13T10:00:00.000Z',
    '2022-03-13T16:00:00.000Z',
  ]);
});

test('monthly and yearly periods count from the start and clamp without drifting', () => {
  const monthly = parseRepeatingInterval('R/2024-01-31T22:00:00Z/P1M');
  assert.deepEqual(iso(occurrences([monthly], 'UTC', new Date('2024-01-01Z'), new Date('2024-06-01Z'))), [
    '2024-01-31T22:00:00.000Z',
    '2024-02-29T22:00:00.000Z',
    '2024-03-31T22:00:00.000Z',
    '2024-04-30T22:00:00.000Z',
    '2024-05-31T22:00:00.000Z',
  ]);
  const yearly = parseRepeatingInterval('R/2024-02-29T10:00:00Z/P1Y');
  assert.deepEqual(iso(occurrences([yearly], 'UTC', new Date('2026-01-01Z'), new Date('2029-01-01Z'))), [
    '2026-02-28T10:00:00.000Z',
    '2027-02-28T10:00:00.000Z',
    '2028-02-29T10:00:00.000Z',
  ]);
});

test('a far range of a ten-year weekly schedule is exact at both ends', () => {
  const iv = parseRepeatingInterval('R/2021-08-15T22:00:00+00:00/P1W');
  // 521 weeks after the start is 2031-08-10T22:00Z; the range ends exactly there (exclusive).
  const all = occurrences([iv], 'UTC', new Date('2021-08-15T22:00:00Z'), new Date('2031-08-10T22:00:00Z'));
  assert.equal(all.length, 521);
  assert.equal(all[520]?.toISOString(), '2031-08-03T22:00:00.000Z');
  const one = occurrences([iv], 'UTC', new Date('2031-08-10T22:00:00Z'), new Date('2031-08-10T22:00:00.001Z'));
  assert.deepEqual(iso(one), ['2031-08-10T22:00:00.000Z']);
});
