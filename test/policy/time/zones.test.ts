// Policy time zones: Windows names Azure uses and IANA names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveTimeZone, WINDOWS_ZONE_NAMES } from '../../../src/policy/time/zones.ts';
import { DpError } from '../../../src/domain/errors.ts';

/** The zone's UTC offset in minutes at an instant, read with Intl directly. */
function offsetMinutes(zone: string, iso: string): number {
  const t = new Date(iso);
  const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
    .formatToParts(t)
    .find((p) => p.type === 'timeZoneName')?.value ?? '';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

test('maps the common Windows zone names to IANA zones with the right offsets', () => {
  const expected: [string, number, number][] = [
    // name, offset in January, offset in July (minutes east of UTC)
    ['UTC', 0, 0],
    ['Coordinated Universal Time', 0, 0],
    ['Pacific Standard Time', -480, -420],
    ['Mountain Standard Time', -420, -360],
    ['Central Standard Time', -360, -300],
    ['Eastern Standard Time', -300, -240],
    ['GMT Standard Time', 0, 60],
    ['W. Europe Standard Time', 60, 120],
    ['Central Europe Standard Time', 60, 120],
    ['Romance Standard Time', 60, 120],
    ['India Standard Time', 330, 330],
    ['China Standard Time', 480, 480],
    ['Tokyo Standard Time', 540, 540],
    ['AUS Eastern Standard Time', 660, 600],
    ['E. South America Standard Time', -180, -180],
  ];
  for (const [name, jan, jul] of expected) {
    const zone = resolveTimeZone(name);
    assert.equal(offsetMinutes(zone, '2023-01-15T12:00:00Z'), jan, `${name} (${zone}) in January`);
    assert.equal(offsetMinutes(zone, '2023-07-15T12:00:00Z'), jul, `${name} (${zone}) in July`);
  }
});

test('every Windows name in the table resolves to a zone Intl knows', () => {
  assert.ok(WINDOWS_ZONE_NAMES.length >= 35);
  for (const name of WINDOWS_ZONE_NAMES) {
    const zone = resolveTimeZone(name);
    assert.doesNotThrow(() => new Intl.DateTimeFormat('en-US', { timeZone: zone }), name);
  }
});

test('Windows names are matched without regard to case; IANA names pass through', () => {
  assert.equal(resolveTimeZone('pacific standard time'), resolveTimeZone('Pacific Standard Time'));
  assert.equal(resolveTimeZone('America/New_York'), 'America/New_York');
  assert.equal(resolveTimeZone('Europe/Berlin'), 'Europe/Berlin');
  assert.equal(offsetMinutes(resolveTimeZone('Asia/Kolkata'), '2023-01-15T12:00:00Z'), 330);
});

test('unknown zones throw InvalidTimeZone naming the zone', () => {
  for (const name of ['Mars Standard Time', 'Europe/Atlantis', '', '+01:00', 'PST8PDT/extra']) {
    assert.throws(
      () => resolveTimeZone(name, 'schedule.timeZone'),
      (e: unknown) =>
        e instanceof DpError &&
        e.code === 'InvalidTimeZone' &&
        e.target === 'schedule.timeZone' &&
        e.message.includes(`'${name}'`),
      name,
    );
  }
});
