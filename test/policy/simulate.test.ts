// Ten-year walks of whole policies through the engine. Expected numbers come from reasoning
// about the calendar (worked out in the comments) and, for whole-span sweeps, from a small
// UTC-only model in this file that walks day by day, so nothing expected is computed by the code
// under test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCalendar, simulate } from '../../src/policy/simulate.ts';
import type { PolicyInput, SimulationResult } from '../../src/policy/simulate.ts';

const d = (s: string): Date => new Date(s);
const DAY = 86_400_000;

// ---- policy builders (REST shape) ----------------------------------------------------------
const store = (t: string) => ({ dataStoreType: t, objectType: 'DataStoreInfoBase' });
const absolute = (name: string, priority: number, criterion: string) => ({
  tagInfo: { tagName: name, id: `${name}_` },
  taggingPriority: priority,
  isDefault: false,
  criteria: [{ objectType: 'ScheduleBasedBackupCriteria', absoluteCriteria: [criterion] }],
});
const defaultTag = { tagInfo: { tagName: 'Default', id: 'Default_' }, taggingPriority: 99, isDefault: true };
const vaultRule = (name: string, duration: string) => ({
  name,
  objectType: 'AzureRetentionRule',
  isDefault: name === 'Default',
  lifecycles: [{ deleteAfter: { objectType: 'AbsoluteDeleteOption', duration }, sourceDataStore: store('VaultStore'), targetDataStoreCopySettings: [] }],
});
function policy(intervals: string[], timeZone: string, tags: object[], retention: object[]): PolicyInput {
  return {
    properties: {
      datasourceTypes: ['Microsoft.DBforPostgreSQL/servers/databases'],
      objectType: 'BackupPolicy',
      policyRules: [
        {
          name: 'BackupWeekly',
          objectType: 'AzureBackupRule',
          backupParameters: { backupType: 'Full', objectType: 'AzureBackupParams' },
          dataStore: store('VaultStore'),
          trigger: { objectType: 'ScheduleBasedTriggerContext', schedule: { repeatingTimeIntervals: intervals, timeZone }, taggingCriteria: tags },
        },
        ...retention,
      ],
    },
  } as PolicyInput;
}

/** The seed's final policy: Sun/Wed/Fri 22:00 UTC; Monthly 6 months in vault then 24 in archive; Default 3 months. */
const SEED = policy(
  ['R/2021-08-15T22:00:00+00:00/P1W', 'R/2021-08-18T22:00:00+00:00/P1W', 'R/2021-08-20T22:00:00+00:00/P1W'],
  'UTC',
  [absolute('Monthly', 15, 'FirstOfMonth'), defaultTag],
  [
    {
      name: 'Monthly',
      objectType: 'AzureRetentionRule',
      isDefault: false,
      lifecycles: [
        {
          deleteAfter: { objectType: 'AbsoluteDeleteOption', duration: 'P6M' },
          sourceDataStore: store('VaultStore'),
          targetDataStoreCopySettings: [{ dataStore: store('ArchiveStore'), copyAfter: { objectType: 'CopyOnExpiryOption' } }],
        },
        { deleteAfter: { objectType: 'AbsoluteDeleteOption', duration: 'P24M' }, sourceDataStore: store('ArchiveStore'), targetDataStoreCopySettings: [] },
      ],
    },
    vaultRule('Default', 'P3M'),
  ],
);

// ---- an independent UTC model ----------------------------------------------------------------
type Period = 'week' | 'month' | 'year';
interface ModelTag { name: string; priority: number; period: Period }
interface ModelKeep { store: 'VaultStore' | 'ArchiveStore'; months?: number; days?: number }

/** Weekly backups at hh:mm UTC on the given weekdays (0 = Sunday), walking day by day. */
function modelBackups(from: string, to: string, weekdays: number[], hour: number, minute = 0): number[] {
  const out: number[] = [];
  const end = Date.parse(to);
  for (let day = Date.parse(from.slice(0, 10) + 'T00:00:00Z'); day < end; day += DAY) {
    const t = day + (hour * 60 + minute) * 60_000;
    if (weekdays.includes(new Date(day).getUTCDay()) && t >= Date.parse(from) && t < end) out.push(t);
  }
  return out;
}

function periodKey(t: number, p: Period): number {
  const x = new Date(t);
  if (p === 'year') return x.getUTCFullYear();
  if (p === 'month') return x.getUTCFullYear() * 12 + x.getUTCMonth();
  return Math.floor((Math.floor(t / DAY) + 4) / 7); // 1970-01-01 was a Thursday; weeks start on Sunday
}

function modelTags(times: number[], tags: ModelTag[]): string[] {
  const byPriority = [...tags].sort((a, b) => a.priority - b.priority);
  return times.map((t, i) => {
    const prev = i > 0 ? times[i - 1]! : null;
    const hit = byPriority.find((tag) => prev === null || periodKey(prev, tag.period) !== periodKey(t, tag.period));
    return hit ? hit.name : 'Default';
  });
}

function addMonthsUtc(t: number, n: number): number {
  const x = new Date(t);
  const target = new Date(Date.UTC(x.getUTCFullYear(), x.getUTCMonth() + n, 1, x.getUTCHours(), x.getUTCMinutes()));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(x.getUTCDate(), lastDay));
  return target.getTime();
}

/** Alive counts per store at an instant: each keep step starts where the previous one ended. */
function modelAlive(times: number[], tags: string[], keeps: Record<string, ModelKeep[]>, at: number) {
  const count = { VaultStore: 0, ArchiveStore: 0 };
  times.forEach((t, i) => {
    let from = t;
    for (const k of keeps[tags[i]!]!) {
      const until = k.months !== undefined ? addMonthsUtc(from, k.months) : from + (k.days ?? 0) * DAY;
      if (from <= at && at < until) count[k.store]++;
      from = until;
    }
  });
  return count;
}

function monthStarts(fromYear: number, fromMonth: number, count: number): Date[] {
  return Array.from({ length: count }, (_, i) => new Date(Date.UTC(fromYear, fromMonth - 1 + i, 1)));
}

const tagCounts = (r: SimulationResult): Record<string, number> => {
  const c: Record<string, number> = {};
  for (const rp of r.recoveryPoints) c[rp.retentionTagName] = (c[rp.retentionTagName] ?? 0) + 1;
  return c;
};
const rpAt = (r: SimulationResult, iso: string) => r.recoveryPoints.find((p) => p.recoveryPointTime === iso);

// ---- the seed policy ---------------------------------------------------------------------------
test('seed policy: ten years of Sun/Wed/Fri backups, Monthly to archive, Default for 3 months', () => {
  const checkpoints = [d('2022-03-01T00:00:00Z'), d('2025-01-01T00:00:00Z'), d('2031-08-15T00:00:00Z')];
  const r = simulate(SEED, { start: d('2021-08-15T00:00:00Z'), end: d('2031-08-15T00:00:00Z'), at: checkpoints });

  // 2021-08-15 (Sunday) to 2031-08-15: 3652 days (leap days 2024 and 2028) = 521 weeks + 5 days
  // (Sun..Thu, which hold a Sunday and a Wednesday): 521 × 3 + 2 = 1565 backups.
  assert.equal(r.recoveryPoints.length, 1565);
  // Every month from August 2021 to August 2031 has backups: 121 months, one Monthly each.
  assert.deepEqual(tagCounts(r), { Monthly: 121, Default: 1444 });
  assert.equal(r.recoveryPoints[0]?.recoveryPointTime, '2021-08-15T22:00:00.000Z');
  assert.equal(r.recoveryPoints.at(-1)?.recoveryPointTime, '2031-08-13T22:00:00.000Z');

  // 1 September 2021 is a Wednesday: that backup is September's Monthly; Friday 3 September is Default.
  assert.equal(rpAt(r, '2021-09-01T22:00:00.000Z')?.retentionTagName, 'Monthly');
  assert.equal(rpAt(r, '2021-09-03T22:00:00.000Z')?.retentionTagName, 'Default');
  // 1 January 2022 is a Saturday: Sunday 2 January is Monthly, 6 months in vault then 24 in archive.
  assert.deepEqual(rpAt(r, '2022-01-02T22:00:00.000Z'), {
    recoveryPointTime: '2022-01-02T22:00:00.000Z',
    retentionTagName: 'Monthly',
    dataStores: [
      { dataStoreType: 'VaultStore', from: '2022-01-02T22:00:00.000Z', until: '2022-07-02T22:00:00.000Z' },
      { dataStoreType: 'ArchiveStore', from: '2022-07-02T22:00:00.000Z', until: '2024-07-02T22:00:00.000Z' },
    ],
  });
  assert.deepEqual(rpAt(r, '2022-01-05T22:00:00.000Z')?.dataStores, [
    { dataStoreType: 'VaultStore', from: '2022-01-05T22:00:00.000Z', until: '2022-04-05T22:00:00.000Z' },
  ]);

  // 1 March 2022: the vault holds the Monthly points of Sep 2021..Feb 2022 (6; September's, taken
  // 1 Sep at 22:00, moves on 1 March at 22:00) and the Default points of Dec (14 backups), Jan (13)
  // and Feb (12) less their 3 Monthly: 42. Only August 2021's Monthly (15 Aug + 6 months) is archived.
  // 1 January 2025: the vault holds the Monthly points of Jul..Dec 2024 (6) and the Default points
  // of October to December 2024: 13 + 13 + 13 backups less 3 Monthly = 36; 42 in all. The archive
  // holds the Monthly points of Jul 2022..Jun 2024: 24.
  // 15 August 2031: the same steady state: Monthly Mar..Aug 2031 (6) and the 39 backups from
  // Friday 16 May to Wednesday 13 August less 3 Monthly (36) in the vault; Mar 2029..Feb 2031 archived.
  assert.deepEqual(r.at, [
    { time: '2022-03-01T00:00:00.000Z', VaultStore: 6 + (14 + 13 + 12 - 3), ArchiveStore: 1 },
    { time: '2025-01-01T00:00:00.000Z', VaultStore: 42, ArchiveStore: 24 },
    { time: '2031-08-15T00:00:00.000Z', VaultStore: 42, ArchiveStore: 24 },
  ]);
});

test('seed policy agrees with the day-by-day UTC model at every month start for ten years', () => {
  const months = monthStarts(2021, 9, 120);
  const r = simulate(SEED, { start: d('2021-08-15T00:00:00Z'), end: d('2031-08-15T00:00:00Z'), at: months });
  const times = modelBackups('2021-08-15T00:00:00Z', '2031-08-15T00:00:00Z', [0, 3, 5], 22);
  const tags = modelTags(times, [{ name: 'Monthly', priority: 15, period: 'month' }]);
  assert.deepEqual(r.recoveryPoints.map((p) => Date.parse(p.recoveryPointTime)), times);
  assert.deepEqual(r.recoveryPoints.map((p) => p.retentionTagName), tags);
  const keeps: Record<string, ModelKeep[]> = {
    Monthly: [{ store: 'VaultStore', months: 6 }, { store: 'ArchiveStore', months: 24 }],
    Default: [{ store: 'VaultStore', months: 3 }],
  };
  for (const [i, at] of months.entries()) {
    const expected = modelAlive(times, tags, keeps, at.getTime());
    assert.deepEqual(r.at[i], { time: at.toISOString(), ...expected }, at.toISOString());
  }
});

test('formatCalendar: the first months of the seed policy', () => {
  const r = simulate(SEED, { start: d('2021-08-15T00:00:00Z'), end: d('2022-01-01T00:00:00Z') });
  const rows = formatCalendar(r).trimEnd().split('\n').map((line) => line.trim().split(/\s+/));
  assert.deepEqual(rows, [
    ['Month', 'Backups', 'Monthly', 'Default', 'VaultStore', 'ArchiveStore'],
    // Aug: 15,18,20,22,25,27,29.
    ['2021-08', '7', '1', '6', '7', '0'],
    // Sep (1st a Wednesday): 5 Wed + 4 Fri + 4 Sun; nothing expires before 15 Nov.
    ['2021-09', '13', '1', '12', '20', '0'],
    // Oct (1st a Friday): 5 Fri + 5 Sun + 4 Wed.
    ['2021-10', '14', '1', '13', '34', '0'],
    // Nov (1st a Monday): 4 of each; August's six Default points expire 18..29 Nov.
    ['2021-11', '12', '1', '11', '40', '0'],
    // Dec (1st a Wednesday): 5 Wed + 5 Fri + 4 Sun; September's twelve Default points expire by 29 Dec.
    ['2021-12', '14', '1', '13', '42', '0'],
  ]);
});

// ---- Weekly + Monthly + Yearly ------------------------------------------------------------------
const WMY = policy(
  ['R/2021-01-02T06:30:00+00:00/P1W', 'R/2021-01-06T06:30:00+00:00/P1W'], // Saturdays and Wednesdays
  'UTC',
  [absolute('Weekly', 20, 'FirstOfWeek'), absolute('Monthly', 15, 'FirstOfMonth'), defaultTag, absolute('Yearly', 10, 'FirstOfYear')],
  [vaultRule('Yearly', 'P10Y'), vaultRule('Monthly', 'P12M'), vaultRule('Weekly', 'P12W'), vaultRule('Default', 'P4W')],
);

test('Weekly + Monthly + Yearly: tags by priority and alive counts', () => {
  const r = simulate(WMY, { start: d('2021-01-01T00:00:00Z'), end: d('2031-01-01T00:00:00Z'), at: [d('2026-01-01T00:00:00Z')] });
  // 2021-01-01 (Friday) to 2031-01-01: 3652 days = 521 weeks (one Wed and one Sat each) + Fri..Tue (one Sat).
  assert.equal(r.recoveryPoints.length, 1043);
  const counts = tagCounts(r);
  assert.equal(counts.Yearly, 10);
  assert.equal(counts.Monthly, 110);
  assert.equal(counts.Yearly! + counts.Monthly! + counts.Weekly! + counts.Default!, 1043);
  // January 2021: Sat 2 is first of the year; Wed 6 first of its week; Sat 9 nothing more.
  assert.deepEqual(r.recoveryPoints.slice(0, 4).map((p) => p.retentionTagName), ['Yearly', 'Weekly', 'Default', 'Weekly']);
  // 1 April 2021 is a Thursday: Wed 31 March is Weekly, Sat 3 April is April's Monthly although not first of its week.
  assert.equal(rpAt(r, '2021-03-31T06:30:00.000Z')?.retentionTagName, 'Weekly');
  assert.equal(rpAt(r, '2021-04-03T06:30:00.000Z')?.retentionTagName, 'Monthly');
  // 1 January 2026, 00:00: Yearly 2021..2025 (5); Monthly Feb..Dec 2025 (11, January's point is Yearly);
  // Weekly since 9 October (84 days back): the Wednesdays 15 Oct..31 Dec less Monthly 3 Dec (11);
  // Default since 4 December (28 days back): Saturdays 6, 13, 20, 27 December (4). 31 in all.
  assert.deepEqual(r.at, [{ time: '2026-01-01T00:00:00.000Z', VaultStore: 31, ArchiveStore: 0 }]);
  assert.equal(rpAt(r, '2025-11-01T06:30:00.000Z')?.retentionTagName, 'Monthly');
  assert.equal(rpAt(r, '2025-12-03T06:30:00.000Z')?.retentionTagName, 'Monthly');
  assert.deepEqual(rpAt(r, '2021-01-02T06:30:00.000Z')?.dataStores, [
    { dataStoreType: 'VaultStore', from: '2021-01-02T06:30:00.000Z', until: '2031-01-02T06:30:00.000Z' },
  ]);
});

test('Weekly + Monthly + Yearly agrees with the UTC model at every month start for ten years', () => {
  const months = monthStarts(2021, 2, 120);
  const r = simulate(WMY, { start: d('2021-01-01T00:00:00Z'), end: d('2031-01-01T00:00:00Z'), at: months });
  const times = modelBackups('2021-01-01T00:00:00Z', '2031-01-01T00:00:00Z', [3, 6], 6, 30);
  const tags = modelTags(times, [
    { name: 'Yearly', priority: 10, period: 'year' },
    { name: 'Monthly', priority: 15, period: 'month' },
    { name: 'Weekly', priority: 20, period: 'week' },
  ]);
  assert.deepEqual(r.recoveryPoints.map((p) => Date.parse(p.recoveryPointTime)), times);
  assert.deepEqual(r.recoveryPoints.map((p) => p.retentionTagName), tags);
  const keeps: Record<string, ModelKeep[]> = {
    Yearly: [{ store: 'VaultStore', months: 120 }],
    Monthly: [{ store: 'VaultStore', months: 12 }],
    Weekly: [{ store: 'VaultStore', days: 84 }],
    Default: [{ store: 'VaultStore', days: 28 }],
  };
  for (const [i, at] of months.entries()) {
    assert.deepEqual(r.at[i], { time: at.toISOString(), ...modelAlive(times, tags, keeps, at.getTime()) }, at.toISOString());
  }
});

// ---- Pacific time across DST ----------------------------------------------------------------------
const PACIFIC = policy(
  ['R/2022-01-02T22:00:00-08:00/P1W', 'R/2022-01-05T22:00:00-08:00/P1W', 'R/2022-01-07T22:00:00-08:00/P1W'],
  'Pacific Standard Time',
  [absolute('Monthly', 15, 'FirstOfMonth'), defaultTag],
  (SEED as { properties: { policyRules: object[] } }).properties.policyRules.slice(1),
);

/** US daylight time (since 2007): from the second Sunday of March to the first Sunday of November. */
function isUsDaylightDate(y: number, m: number, day: number): boolean {
  const sunday = (month: number, nth: number) => {
    const first = new Date(Date.UTC(y, month - 1, 1)).getUTCDay();
    return 1 + ((7 - first) % 7) + (nth - 1) * 7;
  };
  const key = m * 100 + day;
  return key >= 300 + sunday(3, 2) && key < 1100 + sunday(11, 1);
}

test('Pacific Standard Time: backups stay at 22:00 local across DST for ten years', () => {
  const r = simulate(PACIFIC, { start: d('2022-01-01T08:00:00Z'), end: d('2032-01-01T08:00:00Z') });
  // Local 2022-01-01 (Saturday) to 2032-01-01: 3652 days = 521 weeks + Sat..Wed (a Sunday and a Wednesday).
  assert.equal(r.recoveryPoints.length, 1565);
  const local = new Intl.DateTimeFormat('en-US', { timeZone: 'America/Los_Angeles', hourCycle: 'h23', weekday: 'short', year: 'numeric', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  let daylight = 0;
  for (const rp of r.recoveryPoints) {
    const parts = Object.fromEntries(local.formatToParts(new Date(rp.recoveryPointTime)).map((p) => [p.type, p.value]));
    assert.equal(`${parts.hour}:${parts.minute}`, '22:00', rp.recoveryPointTime);
    assert.ok(['Sun', 'Wed', 'Fri'].includes(parts.weekday!), rp.recoveryPointTime);
    const dst = isUsDaylightDate(Number(parts.year), Number(parts.month), Number(parts.day));
    if (dst) daylight++;
    // 22:00 PDT is 05:00 UTC the next day; 22:00 PST is 06:00 UTC.
    assert.equal(new Date(rp.recoveryPointTime).getUTCHours(), dst ? 5 : 6, rp.recoveryPointTime);
  }
  assert.ok(daylight > 900 && daylight < 1100, `${daylight} backups in daylight time`);
  // Local months: one Monthly for each of the 120 months of 2022..2031.
  assert.deepEqual(tagCounts(r), { Monthly: 120, Default: 1445 });
});

test('Pacific Standard Time: the UTC instants around the March and November changes', () => {
  const r = simulate(PACIFIC, { start: d('2022-03-01T08:00:00Z'), end: d('2022-03-20T07:00:00Z') });
  assert.deepEqual(r.recoveryPoints.map((p) => p.recoveryPointTime), [
    '2022-03-03T06:00:00.000Z', // Wed 2 Mar, PST
    '2022-03-05T06:00:00.000Z', // Fri 4 Mar
    '2022-03-07T06:00:00.000Z', // Sun 6 Mar
    '2022-03-10T06:00:00.000Z', // Wed 9 Mar
    '2022-03-12T06:00:00.000Z', // Fri 11 Mar
    '2022-03-14T05:00:00.000Z', // Sun 13 Mar: DST began at 02:00 that morning
    '2022-03-17T05:00:00.000Z', // Wed 16 Mar, PDT
    '2022-03-19T05:00:00.000Z', // Fri 18 Mar
  ]);
  const n = simulate(PACIFIC, { start: d('2022-10-28T07:00:00Z'), end: d('2022-11-10T08:00:00Z') });
  assert.deepEqual(n.recoveryPoints.map((p) => [p.recoveryPointTime, p.retentionTagName]), [
    ['2022-10-29T05:00:00.000Z', 'Monthly'], // Fri 28 Oct, PDT (first backup of this simulation)
    ['2022-10-31T05:00:00.000Z', 'Default'], // Sun 30 Oct
    ['2022-11-03T05:00:00.000Z', 'Monthly'], // Wed 2 Nov: first of November (1 Nov is a Tuesday)
    ['2022-11-05T05:00:00.000Z', 'Default'], // Fri 4 Nov
    ['2022-11-07T06:00:00.000Z', 'Default'], // Sun 6 Nov: DST ended at 02:00 that morning
    ['2022-11-10T06:00:00.000Z', 'Default'], // Wed 9 Nov, PST
  ]);
  // Months and retention are local too.
  const y = simulate(PACIFIC, { start: d('2022-01-01T08:00:00Z'), end: d('2022-08-10T07:00:00Z') });
  // Sunday 31 July 22:00 PDT is 1 August in UTC but still July locally; Wednesday 3 August is August's first.
  assert.equal(rpAt(y, '2022-08-01T05:00:00.000Z')?.retentionTagName, 'Default');
  assert.equal(rpAt(y, '2022-08-04T05:00:00.000Z')?.retentionTagName, 'Monthly');
  // Wednesday 5 January 22:00 PST, kept 3 months: 5 April 22:00 PDT.
  assert.deepEqual(rpAt(y, '2022-01-06T06:00:00.000Z')?.dataStores, [
    { dataStoreType: 'VaultStore', from: '2022-01-06T06:00:00.000Z', until: '2022-04-06T05:00:00.000Z' },
  ]);
  // Sunday 2 January 22:00 PST (Monthly): 2 July 22:00 PDT to the archive, 2 July 2024 22:00 PDT gone.
  assert.deepEqual(rpAt(y, '2022-01-03T06:00:00.000Z')?.dataStores, [
    { dataStoreType: 'VaultStore', from: '2022-01-03T06:00:00.000Z', until: '2022-07-03T05:00:00.000Z' },
    { dataStoreType: 'ArchiveStore', from: '2022-07-03T05:00:00.000Z', until: '2024-07-03T05:00:00.000Z' },
  ]);
});

// ---- month ends and leap days -----------------------------------------------------------------------
test('month-end start: a monthly schedule from 31 January with 3 months of retention', () => {
  const p = policy(['R/2021-01-31T22:00:00+00:00/P1M'], 'UTC', [defaultTag], [vaultRule('Default', 'P3M')]);
  const at = ['2021-04-30T21:59:59Z', '2021-04-30T22:00:00Z', '2021-05-29T00:00:00Z'].map(d);
  const r = simulate(p, { start: d('2021-01-01T00:00:00Z'), end: d('2021-06-01T00:00:00Z'), at });
  assert.deepEqual(r.recoveryPoints.map((x) => [x.recoveryPointTime, x.dataStores[0]?.until]), [
    ['2021-01-31T22:00:00.000Z', '2021-04-30T22:00:00.000Z'],
    ['2021-02-28T22:00:00.000Z', '2021-05-28T22:00:00.000Z'],
    ['2021-03-31T22:00:00.000Z', '2021-06-30T22:00:00.000Z'],
    ['2021-04-30T22:00:00.000Z', '2021-07-30T22:00:00.000Z'],
    ['2021-05-31T22:00:00.000Z', '2021-08-31T22:00:00.000Z'],
  ]);
  // Just before 30 April 22:00: Jan, Feb, Mar. At 22:00 January's expires as April's arrives.
  // 29 May: February's expired on 28 May, leaving March and April.
  assert.deepEqual(r.at.map((x) => x.VaultStore), [3, 3, 2]);
});

test('leap-day start: a yearly schedule from 29 February 2024 kept for a year', () => {
  const p = policy(['R/2024-02-29T10:00:00Z/P1Y'], 'UTC', [defaultTag], [vaultRule('Default', 'P1Y')]);
  const at = ['2025-02-28T09:59:59Z', '2025-02-28T10:00:00Z', '2028-02-28T12:00:00Z', '2028-02-29T10:00:00Z'].map(d);
  const r = simulate(p, { start: d('2024-01-01T00:00:00Z'), end: d('2034-01-01T00:00:00Z'), at });
  assert.deepEqual(r.recoveryPoints.map((x) => x.recoveryPointTime.slice(0, 10)), [
    '2024-02-29', '2025-02-28', '2026-02-28', '2027-02-28', '2028-02-29',
    '2029-02-28', '2030-02-28', '2031-02-28', '2032-02-29', '2033-02-28',
  ]);
  assert.equal(r.recoveryPoints[0]?.dataStores[0]?.until, '2025-02-28T10:00:00.000Z');
  // 2027's point expires on 28 February 2028 at 10:00, a day before 2028's (29 February) is taken.
  assert.deepEqual(r.at.map((x) => x.VaultStore), [1, 1, 0, 1]);
});

// ---- failed backups ------------------------------------------------------------------------------------
test('a failed first-of-month backup passes Monthly to the next successful one', () => {
  const failed = ['2021-09-01T22:00:00Z', '2021-10-01T22:00:00Z', '2021-10-03T22:00:00Z', '2021-09-05T22:00:00Z'].map(d);
  const r = simulate(SEED, { start: d('2021-08-15T00:00:00Z'), end: d('2031-08-15T00:00:00Z'), failed });
  assert.deepEqual(r.failedBackups, ['2021-09-01T22:00:00.000Z', '2021-09-05T22:00:00.000Z', '2021-10-01T22:00:00.000Z', '2021-10-03T22:00:00.000Z']);
  assert.equal(r.recoveryPoints.length, 1565 - 4);
  assert.equal(rpAt(r, '2021-09-01T22:00:00.000Z'), undefined);
  // September: Wed 1 failed, so Fri 3 is the month's first successful backup.
  assert.equal(rpAt(r, '2021-09-03T22:00:00.000Z')?.retentionTagName, 'Monthly');
  assert.equal(rpAt(r, '2021-09-08T22:00:00.000Z')?.retentionTagName, 'Default');
  // October: Fri 1 and Sun 3 failed; Wed 6 gets Monthly, kept 6 months in the vault.
  assert.equal(rpAt(r, '2021-10-06T22:00:00.000Z')?.retentionTagName, 'Monthly');
  assert.equal(rpAt(r, '2021-10-06T22:00:00.000Z')?.dataStores[0]?.until, '2022-04-06T22:00:00.000Z');
  // Still exactly one Monthly per month.
  assert.deepEqual(tagCounts(r), { Monthly: 121, Default: 1440 });
  // When the very first backup fails, the second one opens August.
  const first = simulate(SEED, { start: d('2021-08-15T00:00:00Z'), end: d('2021-08-21T00:00:00Z'), failed: [d('2021-08-15T22:00:00Z')] });
  assert.deepEqual(first.recoveryPoints.map((p) => p.retentionTagName), ['Monthly', 'Default']);
});
