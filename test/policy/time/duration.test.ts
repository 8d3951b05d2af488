// ISO 8601 durations: parsing, errors, formatting, and calendar arithmetic in a time zone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addDuration, formatDuration, parseDuration } from '../../../src/policy/time/duration.ts';
import { DpError } from '../../../src/domain/errors.ts';

const d = (text: string): Date => new Date(text);
const add = (from: string, dur: string, tz = 'UTC'): string => addDuration(d(from), parseDuration(dur), tz).toISOString();

test('parses the durations policies use', () => {
  assert.deepEqual(parseDuration('P3M'), { years: 0, months: 3, weeks: 0, days: 0, hours: 0, minutes: 0, seconds: 0 });
  assert.equal(parseDuration('P1Y').years, 1);
  assert.equal(parseDuration('P10Y').years, 10);
  assert.equal(parseDuration('P24M').months, 24);
  assert.equal(parseDuration('P1W').weeks, 1);
  assert.equal(parseDuration('P7D').days, 7);
  assert.equal(parseDuration('PT6H').hours, 6);
  assert.deepEqual(parseDuration('P1DT2H'), { years: 0, months: 0, weeks: 0, days: 1, hours: 2, minutes: 0, seconds: 0 });
  assert.deepEqual(parseDuration('P1Y2M3DT4H5M6S'), { years: 1, months: 2, weeks: 0, days: 3, hours: 4, minutes: 5, seconds: 6 });
});

test('rejects malformed durations with InvalidDuration and a reason', () => {
  const cases: [string, RegExp][] = [
    ['7D', /must start with 'P'/],
    ['P', /no components/],
    ['PT', /no time components/],
    ['P1DT', /no time components/],
    ['-P1D', /negative/],
    ['P-1D', /whole numbers/],
    ['P1.5M', /fractional/],
    ['P1,5M', /fractional/],
    ['P1D2M', /order/],
    ['P1H', /order/],
    ['p3m', /must start with 'P'/],
    ['', /empty/],
    ['P99999999D', /too large/],
  ];
  for (const [text, reason] of cases) {
    assert.throws(
      () => parseDuration(text, 'deleteAfter.duration'),
      (e: unknown) => {
        assert.ok(e instanceof DpError, text);
        assert.equal(e.code, 'InvalidDuration');
        assert.equal(e.kind, 'invalid');
        assert.equal(e.target, 'deleteAfter.duration');
        assert.match(e.message, reason, text);
        assert.ok(e.message.includes(`'${text}'`), e.message);
        return true;
      },
    );
  }
});

test('formats durations canonically and round-trips', () => {
  for (const text of ['P3M', 'P1Y', 'P10Y', 'P24M', 'P1W', 'P7D', 'PT6H', 'P1DT2H', 'P1Y2M3W4DT5H6M7S']) {
    assert.equal(formatDuration(parseDuration(text)), text);
  }
  assert.equal(formatDuration(parseDuration('PT0S')), 'P0D');
});

test('months and years clamp to the month end', () => {
  assert.equal(add('2021-01-31T22:00:00Z', 'P3M'), '2021-04-30T22:00:00.000Z');
  assert.equal(add('2021-01-31T22:00:00Z', 'P1M'), '2021-02-28T22:00:00.000Z');
  assert.equal(add('2024-01-31T22:00:00Z', 'P1M'), '2024-02-29T22:00:00.000Z');
  assert.equal(add('2024-02-29T10:00:00Z', 'P1Y'), '2025-02-28T10:00:00.000Z');
  assert.equal(add('2024-02-29T10:00:00Z', 'P4Y'), '2028-02-29T10:00:00.000Z');
  assert.equal(add('2024-02-29T10:00:00Z', 'P12M'), '2025-02-28T10:00:00.000Z');
  assert.equal(add('2021-08-31T00:00:00Z', 'P6M'), '2022-02-28T00:00:00.000Z');
  assert.equal(add('2021-11-30T12:00:00Z', 'P3M'), '2022-02-28T12:00:00.000Z');
  assert.equal(add('2021-12-15T12:00:00Z', 'P1Y1M'), '2023-01-15T12:00:00.000Z');
  assert.equal(add('2022-01-02T22:00:00Z', 'P30M'), '2024-07-02T22:00:00.000Z');
});

test('weeks and days keep the local wall-clock time across DST; hours add absolute time', () => {
  const la = 'America/Los_Angeles';
  // Saturday 12 March 2022 22:00 PST (UTC-8); DST starts Sunday 13 March at 02:00.
  assert.equal(add('2022-03-13T06:00:00Z', 'P1D', la), '2022-03-14T05:00:00.000Z');
  assert.equal(add('2022-03-13T06:00:00Z', 'P1W', la), '2022-03-20T05:00:00.000Z');
  assert.equal(add('2022-03-13T06:00:00Z', 'PT24H', la), '2022-03-14T06:00:00.000Z');
  // Saturday 5 November 2022 22:00 PDT (UTC-7); DST ends Sunday 6 November at 02:00.
  assert.equal(add('2022-11-06T05:00:00Z', 'P1D', la), '2022-11-07T06:00:00.000Z');
  assert.equal(add('2022-11-06T05:00:00Z', 'PT24H', la), '2022-11-07T05:00:00.000Z');
  // P1DT2H: a local day, then two absolute hours.
  assert.equal(add('2022-03-12T22:00:00-08:00', 'P1DT2H', la), '2022-03-14T07:00:00.000Z');
  // Months keep the wall-clock time too: 1 January 10:00 PST to 1 April 10:00 PDT.
  assert.equal(add('2022-01-01T18:00:00Z', 'P3M', la), '2022-04-01T17:00:00.000Z');
  // In UTC, days are exactly 24 hours.
  assert.equal(add('2022-03-12T22:00:00Z', 'P1D'), '2022-03-13T22:00:00.000Z');
});
