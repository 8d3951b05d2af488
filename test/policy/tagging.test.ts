// Retention tag selection: priorities, first-of-period criteria in the policy's zone, generic
// criteria (camelCase and az's snake_case), and on-demand overrides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseAdhocTag, chooseTag } from '../../src/policy/tagging.ts';
import type { BackupCriterionInput, TaggingCriterionInput } from '../../src/policy/tagging.ts';
import { DpError } from '../../src/domain/errors.ts';

const d = (s: string): Date => new Date(s);
const absolute = (...values: string[]): BackupCriterionInput[] => [{ objectType: 'ScheduleBasedBackupCriteria', absoluteCriteria: values }];
const tag = (name: string, priority: number, criteria?: BackupCriterionInput[]): TaggingCriterionInput => ({
  tagInfo: { tagName: name, id: `${name}_` },
  taggingPriority: priority,
  isDefault: false,
  ...(criteria ? { criteria } : {}),
});
const DEFAULT: TaggingCriterionInput = { tagInfo: { tagName: 'Default', id: 'Default_' }, taggingPriority: 99, isDefault: true };

// Listed out of priority order on purpose: the list order must not matter.
const LTR = [tag('Weekly', 20, absolute('FirstOfWeek')), DEFAULT, tag('Yearly', 10, absolute('FirstOfYear')), tag('Monthly', 15, absolute('FirstOfMonth'))];

test('the lowest taggingPriority among matching criteria wins; the default is the fallback', () => {
  // The very first backup is first of its week, month and year: Yearly (10) beats Monthly and Weekly.
  assert.equal(chooseTag(LTR, 'UTC', d('2023-01-01T06:30:00Z'), []), 'Yearly');
  // Sunday 5 February 2023 (previous backup in January): first of week and month, Monthly (15) wins.
  assert.equal(chooseTag(LTR, 'UTC', d('2023-02-05T06:30:00Z'), [d('2023-01-29T06:30:00Z')]), 'Monthly');
  // Sunday 12 February: first of the week only.
  assert.equal(chooseTag(LTR, 'UTC', d('2023-02-12T06:30:00Z'), [d('2023-02-05T06:30:00Z')]), 'Weekly');
  // Wednesday 15 February after Sunday 12: nothing but the default.
  assert.equal(chooseTag(LTR, 'UTC', d('2023-02-15T06:30:00Z'), [d('2023-02-12T06:30:00Z')]), 'Default');
  // A priority tie goes to the criterion listed first.
  const tie = [tag('A', 20, absolute('AllBackup')), tag('B', 20, absolute('AllBackup')), DEFAULT];
  assert.equal(chooseTag(tie, 'UTC', d('2023-02-15T06:30:00Z'), []), 'A');
});

test('first-of-period looks only at the latest earlier successful backup, whatever the history holds', () => {
  const history = [d('2023-01-04T06:30:00Z'), d('2023-02-01T06:30:00Z'), d('2023-01-29T06:30:00Z'), d('2023-03-01T00:00:00Z')];
  // Later instants (1 March) are ignored; 1 February is in the same month and week as 2 February.
  assert.equal(chooseTag(LTR, 'UTC', d('2023-02-02T06:30:00Z'), history), 'Default');
  // Without the 1 February backup (say it failed and so is not in the successful history), 2 February is first of the month.
  assert.equal(chooseTag(LTR, 'UTC', d('2023-02-02T06:30:00Z'), history.filter((h) => h.getUTCDate() !== 1)), 'Monthly');
});

test('weeks start on Sunday and FirstOfDay is per local day', () => {
  const weekly = [tag('Weekly', 20, absolute('FirstOfWeek')), DEFAULT];
  // Saturday 4 February 23:00 then Sunday 5 February 01:00: a new week.
  assert.equal(chooseTag(weekly, 'UTC', d('2023-02-05T01:00:00Z'), [d('2023-02-04T23:00:00Z')]), 'Weekly');
  // Sunday 5 February 01:00 then Saturday 11 February 23:00: the same week.
  assert.equal(chooseTag(weekly, 'UTC', d('2023-02-11T23:00:00Z'), [d('2023-02-05T01:00:00Z')]), 'Default');
  const daily = [tag('Daily', 25, absolute('FirstOfDay')), DEFAULT];
  assert.equal(chooseTag(daily, 'UTC', d('2023-02-05T12:00:00Z'), [d('2023-02-05T06:00:00Z')]), 'Default');
  assert.equal(chooseTag(daily, 'UTC', d('2023-02-06T00:00:00Z'), [d('2023-02-05T23:59:59Z')]), 'Daily');
});

test('periods are read in the policy time zone', () => {
  const monthly = [tag('Monthly', 15, absolute('FirstOfMonth')), DEFAULT];
  // 2022-08-01T05:00Z is Sunday 31 July 22:00 in Los Angeles; the previous backup was Sunday 24 July 22:00 there.
  const at = d('2022-08-01T05:00:00Z');
  const history = [d('2022-07-25T05:00:00Z')];
  assert.equal(chooseTag(monthly, 'America/Los_Angeles', at, history), 'Default');
  assert.equal(chooseTag(monthly, 'UTC', at, history), 'Monthly');
  // Sunday 7 August 22:00 in Los Angeles is the first backup of August there.
  assert.equal(chooseTag(monthly, 'America/Los_Angeles', d('2022-08-08T05:00:00Z'), [at]), 'Monthly');
  // Weekdays too: 2022-08-01T05:00Z is a Monday in UTC but a Sunday in Los Angeles.
  const sundays = [tag('Weekly', 20, [{ objectType: 'ScheduleBasedBackupCriteria', daysOfTheWeek: ['Sunday'] }]), DEFAULT];
  assert.equal(chooseTag(sundays, 'America/Los_Angeles', at, []), 'Weekly');
  assert.equal(chooseTag(sundays, 'UTC', at, []), 'Default');
});

test('generic criteria: every field set must match, objects are OR-ed, snake_case is read', () => {
  const snake = [
    tag('Weekly', 20, [
      {
        object_type: 'ScheduleBasedBackupCriteria',
        days_of_month: null,
        days_of_the_week: ['Sunday', 'Friday'],
        months_of_year: null,
        weeks_of_the_month: null,
      },
    ]),
    DEFAULT,
  ];
  assert.equal(chooseTag(snake, 'UTC', d('2023-01-01T06:30:00Z'), []), 'Weekly'); // Sunday
  assert.equal(chooseTag(snake, 'UTC', d('2023-01-06T06:30:00Z'), []), 'Weekly'); // Friday
  assert.equal(chooseTag(snake, 'UTC', d('2023-01-04T06:30:00Z'), []), 'Default'); // Wednesday

  // First Sunday of the month (AND), or any day in January (OR), lower-case enum values accepted.
  const combined = [
    tag('Monthly', 15, [
      { objectType: 'ScheduleBasedBackupCriteria', daysOfTheWeek: ['Sunday'], weeksOfTheMonth: ['First'] },
      { objectType: 'ScheduleBasedBackupCriteria', monthsOfYear: ['january'] },
    ]),
    DEFAULT,
  ];
  assert.equal(chooseTag(combined, 'UTC', d('2023-03-05T06:30:00Z'), []), 'Monthly'); // Sunday 5 March
  assert.equal(chooseTag(combined, 'UTC', d('2023-03-12T06:30:00Z'), []), 'Default'); // Sunday 12 March: second week
  assert.equal(chooseTag(combined, 'UTC', d('2023-03-07T06:30:00Z'), []), 'Default'); // Tuesday 7 March: first week, not Sunday
  assert.equal(chooseTag(combined, 'UTC', d('2023-01-18T06:30:00Z'), []), 'Monthly'); // a Wednesday in January
});

test('weeks of the month are day ranges; Last is the last seven days', () => {
  const weeks = (w: string): TaggingCriterionInput[] => [tag(w, 20, [{ objectType: 'ScheduleBasedBackupCriteria', weeks_of_the_month: [w] }]), DEFAULT];
  const pick = (w: string, day: string): string => chooseTag(weeks(w), 'UTC', d(`${day}T06:30:00Z`), []);
  assert.equal(pick('First', '2023-03-07'), 'First');
  assert.equal(pick('First', '2023-03-08'), 'Default');
  assert.equal(pick('Second', '2023-03-08'), 'Second');
  assert.equal(pick('Third', '2023-03-21'), 'Third');
  assert.equal(pick('Fourth', '2023-03-22'), 'Fourth');
  assert.equal(pick('Fourth', '2023-03-28'), 'Fourth');
  assert.equal(pick('Fourth', '2023-03-29'), 'Default');
  assert.equal(pick('Last', '2023-03-25'), 'Last'); // March has 31 days: 25-31
  assert.equal(pick('Last', '2023-03-24'), 'Default');
  assert.equal(pick('Last', '2023-02-22'), 'Last'); // February 2023 has 28 days: 22-28
  assert.equal(pick('Last', '2024-02-22'), 'Default'); // February 2024 has 29: 23-29
});

test('days of the month: a date, or isLast for the last day', () => {
  const last = [tag('MonthEnd', 15, [{ objectType: 'ScheduleBasedBackupCriteria', daysOfMonth: [{ isLast: true }] }]), DEFAULT];
  assert.equal(chooseTag(last, 'UTC', d('2023-02-28T06:30:00Z'), []), 'MonthEnd');
  assert.equal(chooseTag(last, 'UTC', d('2024-02-28T06:30:00Z'), []), 'Default');
  assert.equal(chooseTag(last, 'UTC', d('2024-02-29T06:30:00Z'), []), 'MonthEnd');
  const snake = [tag('Mid', 15, [{ object_type: 'ScheduleBasedBackupCriteria', days_of_month: [{ date: 1, is_last: false }, { is_last: true }] }]), DEFAULT];
  assert.equal(chooseTag(snake, 'UTC', d('2023-04-01T06:30:00Z'), []), 'Mid');
  assert.equal(chooseTag(snake, 'UTC', d('2023-04-30T06:30:00Z'), []), 'Mid');
  assert.equal(chooseTag(snake, 'UTC', d('2023-04-15T06:30:00Z'), []), 'Default');
});

test('scheduleTimes matches the local time of day; AllBackup matches everything; empty criteria match nothing', () => {
  const timed = [tag('Weekly', 20, [{ objectType: 'ScheduleBasedBackupCriteria', daysOfTheWeek: ['Sunday'], scheduleTimes: ['2019-03-01T13:00:00Z'] }]), DEFAULT];
  assert.equal(chooseTag(timed, 'UTC', d('2023-01-01T13:00:00Z'), []), 'Weekly');
  assert.equal(chooseTag(timed, 'UTC', d('2023-01-01T06:30:00Z'), []), 'Default');
  const all = [tag('Everything', 30, absolute('AllBackup')), DEFAULT];
  assert.equal(chooseTag(all, 'UTC', d('2023-01-04T06:30:00Z'), [d('2023-01-03T06:30:00Z')]), 'Everything');
  const empty = [tag('Nothing', 5, [{ objectType: 'ScheduleBasedBackupCriteria' }]), tag('None', 6, []), tag('Missing', 7), DEFAULT];
  assert.equal(chooseTag(empty, 'UTC', d('2023-01-04T06:30:00Z'), []), 'Default');
});

test('without a default criterion an unmatched backup is an error', () => {
  assert.throws(
    () => chooseTag([tag('Weekly', 20, absolute('FirstOfWeek'))], 'UTC', d('2023-01-04T06:30:00Z'), [d('2023-01-03T06:30:00Z')]),
    (e: unknown) => e instanceof DpError && e.code === 'UserErrorInvalidPolicy' && /default/.test(e.message),
  );
});

test('on-demand backups take the override tag, else the default', () => {
  assert.equal(chooseAdhocTag(LTR), 'Default');
  assert.equal(chooseAdhocTag(LTR, null), 'Default');
  assert.equal(chooseAdhocTag(LTR, 'Monthly'), 'Monthly');
  assert.equal(chooseAdhocTag(LTR, 'yearly'), 'Yearly');
  assert.throws(
    () => chooseAdhocTag(LTR, 'Daily'),
    (e: unknown) => e instanceof DpError && e.code === 'UserErrorInvalidRetentionTagOverride' && e.message.includes("'Daily'") && e.message.includes('Yearly'),
  );
});

test('absolute criteria named like object keys (constructor, toString, __proto__) match nothing', () => {
  for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    const odd = [tag('Weekly', 20, absolute(name)), DEFAULT];
    assert.equal(chooseTag(odd, 'UTC', d('2023-02-05T06:30:00Z'), []), 'Default', name);
    assert.equal(chooseTag(odd, 'UTC', d('2023-02-05T06:30:00Z'), [d('2023-01-29T06:30:00Z')]), 'Default', name);
  }
});
