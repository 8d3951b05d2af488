// Retention timelines: where a recovery point lives from when until when, and why; rule checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRetentionRule, dataStoresAt, explainAt, retentionTimeline, why } from '../../src/policy/retention.ts';
import type { LifecycleInput, Residency, RetentionRuleInput } from '../../src/policy/retention.ts';
import { DpError } from '../../src/domain/errors.ts';

const d = (s: string): Date => new Date(s);
const store = (t: string) => ({ dataStoreType: t, objectType: 'DataStoreInfoBase' });
const lifecycle = (source: string, duration: string, copies: LifecycleInput['targetDataStoreCopySettings'] = []): LifecycleInput => ({
  deleteAfter: { objectType: 'AbsoluteDeleteOption', duration },
  sourceDataStore: store(source),
  targetDataStoreCopySettings: copies,
});
const copy = (target: string, objectType: string, duration?: string) => ({ dataStore: store(target), copyAfter: { objectType, ...(duration ? { duration } : {}) } });
const rule = (name: string, ...lifecycles: LifecycleInput[]): RetentionRuleInput => ({ name, objectType: 'AzureRetentionRule', isDefault: name === 'Default', lifecycles });
const plain = (t: Residency[]) => t.map((r) => ({ dataStoreType: r.dataStoreType, from: r.from.toISOString(), until: r.until?.toISOString() ?? null }));

const MONTHLY = rule('Monthly', lifecycle('VaultStore', 'P6M', [copy('ArchiveStore', 'CopyOnExpiryOption')]), lifecycle('ArchiveStore', 'P24M'));

test('a default rule keeps the point in the vault for its duration', () => {
  const t = retentionTimeline(rule('Default', lifecycle('VaultStore', 'P3M')), d('2021-01-31T22:00:00Z'), 'UTC');
  assert.deepEqual(plain(t), [{ dataStoreType: 'VaultStore', from: '2021-01-31T22:00:00.000Z', until: '2021-04-30T22:00:00.000Z' }]);
});

test('CopyOnExpiryOption moves the point to the archive, counted from its arrival (6 + 24 = 30 months)', () => {
  const t = retentionTimeline(MONTHLY, d('2022-01-02T22:00:00Z'), 'UTC');
  assert.deepEqual(plain(t), [
    { dataStoreType: 'VaultStore', from: '2022-01-02T22:00:00.000Z', until: '2022-07-02T22:00:00.000Z' },
    { dataStoreType: 'ArchiveStore', from: '2022-07-02T22:00:00.000Z', until: '2024-07-02T22:00:00.000Z' },
  ]);
  assert.deepEqual(dataStoresAt(t, d('2022-01-02T21:59:59Z')), []);
  assert.deepEqual(dataStoresAt(t, d('2022-01-02T22:00:00Z')), ['VaultStore']);
  assert.deepEqual(dataStoresAt(t, d('2022-07-02T21:59:59Z')), ['VaultStore']);
  assert.deepEqual(dataStoresAt(t, d('2022-07-02T22:00:00Z')), ['ArchiveStore']);
  assert.deepEqual(dataStoresAt(t, d('2024-07-02T21:59:59Z')), ['ArchiveStore']);
  assert.deepEqual(dataStoresAt(t, d('2024-07-02T22:00:00Z')), []);
});

test('ImmediateCopyOption copies at creation; CustomCopyOption after its duration', () => {
  const immediate = rule('Weekly', lifecycle('VaultStore', 'P1M', [copy('ArchiveStore', 'ImmediateCopyOption')]), lifecycle('ArchiveStore', 'P6M'));
  const t1 = retentionTimeline(immediate, d('2023-03-15T06:00:00Z'), 'UTC');
  assert.deepEqual(plain(t1), [
    { dataStoreType: 'VaultStore', from: '2023-03-15T06:00:00.000Z', until: '2023-04-15T06:00:00.000Z' },
    { dataStoreType: 'ArchiveStore', from: '2023-03-15T06:00:00.000Z', until: '2023-09-15T06:00:00.000Z' },
  ]);
  assert.deepEqual(dataStoresAt(t1, d('2023-04-01T00:00:00Z')), ['VaultStore', 'ArchiveStore']);
  const custom = rule('Weekly', lifecycle('VaultStore', 'P3M', [copy('ArchiveStore', 'CustomCopyOption', 'P7D')]), lifecycle('ArchiveStore', 'P6M'));
  assert.deepEqual(plain(retentionTimeline(custom, d('2023-03-15T06:00:00Z'), 'UTC')), [
    { dataStoreType: 'VaultStore', from: '2023-03-15T06:00:00.000Z', until: '2023-06-15T06:00:00.000Z' },
    { dataStoreType: 'ArchiveStore', from: '2023-03-22T06:00:00.000Z', until: '2023-09-22T06:00:00.000Z' },
  ]);
});

test("copy settings as az's single object, null, or an empty list", () => {
  const single = rule('Monthly', lifecycle('VaultStore', 'P6M', copy('ArchiveStore', 'CopyOnExpiryOption')), lifecycle('ArchiveStore', 'P24M', null));
  assert.deepEqual(plain(retentionTimeline(single, d('2022-01-02T22:00:00Z'), 'UTC')), plain(retentionTimeline(MONTHLY, d('2022-01-02T22:00:00Z'), 'UTC')));
  const none = rule('Default', lifecycle('VaultStore', 'P3M', null));
  assert.equal(retentionTimeline(none, d('2022-01-02T22:00:00Z'), 'UTC').length, 1);
});

test('durations are calendar arithmetic in the policy zone', () => {
  // Sunday 2 January 2022 22:00 PST; three months later is 2 April 22:00 PDT.
  const t = retentionTimeline(rule('Default', lifecycle('VaultStore', 'P3M')), d('2022-01-03T06:00:00Z'), 'America/Los_Angeles');
  assert.equal(t[0]?.until?.toISOString(), '2022-04-03T05:00:00.000Z');
  // Leap day plus one year ends on 28 February.
  const y = retentionTimeline(rule('Yearly', lifecycle('VaultStore', 'P1Y')), d('2024-02-29T10:00:00Z'), 'UTC');
  assert.equal(y[0]?.until?.toISOString(), '2025-02-28T10:00:00.000Z');
});

test('why explains each residency', () => {
  const t = retentionTimeline(MONTHLY, d('2022-01-02T22:00:00Z'), 'UTC');
  assert.equal(
    why(t[0]!),
    "keep in VaultStore from 2022-01-02T22:00:00.000Z until 2022-07-02T22:00:00.000Z because it was created by the backup; rule 'Monthly' keeps it in VaultStore for P6M",
  );
  assert.equal(
    why(t[1]!),
    "keep in ArchiveStore from 2022-07-02T22:00:00.000Z until 2024-07-02T22:00:00.000Z because it was moved from VaultStore when it expired there (CopyOnExpiryOption); rule 'Monthly' keeps it in ArchiveStore for P24M",
  );
  assert.deepEqual(explainAt(t, d('2023-01-01T00:00:00Z')), [why(t[1]!)]);
  assert.deepEqual(explainAt(t, d('2025-01-01T00:00:00Z')), []);
});

test('checkRetentionRule accepts the documented rules', () => {
  assert.doesNotThrow(() => checkRetentionRule(MONTHLY));
  assert.doesNotThrow(() => checkRetentionRule(rule('Default', lifecycle('VaultStore', 'P3M'))));
  assert.doesNotThrow(() => checkRetentionRule(rule('Monthly', lifecycle('VaultStore', 'P6M', copy('ArchiveStore', 'CopyOnExpiryOption')), lifecycle('ArchiveStore', 'P24M', null))));
});

test('checkRetentionRule rejects broken rules with UserErrorInvalidRetentionRule', () => {
  const cases: [RetentionRuleInput, RegExp][] = [
    [rule('Monthly', lifecycle('ArchiveStore', 'P24M')), /ArchiveStore lifecycle but no VaultStore lifecycle/],
    [rule('Monthly'), /at least one lifecycle/],
    [rule('Monthly', lifecycle('VaultStore', 'P6M', [copy('ArchiveStore', 'CopyOnExpiryOption')])), /copies to ArchiveStore, but no lifecycle/],
    [rule('Monthly', lifecycle('VaultStore', '6M')), /deleteAfter duration '6M'.*must start with 'P'/],
    [rule('Monthly', lifecycle('VaultStore', 'P6M'), lifecycle('VaultStore', 'P3M')), /more than one lifecycle for source datastore VaultStore/],
    [rule('Monthly', lifecycle('VaultStore', 'P6M', [copy('VaultStore', 'ImmediateCopyOption')])), /copies to its own datastore/],
    [rule('Monthly', lifecycle('VaultStore', 'P6M', [copy('ArchiveStore', 'CustomCopyOption')]), lifecycle('ArchiveStore', 'P24M')), /CustomCopyOption.*needs a valid duration/],
  ];
  for (const [r, reason] of cases) {
    assert.throws(
      () => checkRetentionRule(r),
      (e: unknown) => {
        assert.ok(e instanceof DpError);
        assert.equal(e.code, 'UserErrorInvalidRetentionRule');
        assert.equal(e.kind, 'invalid');
        assert.match(e.message, reason);
        assert.ok(e.message.startsWith("Retention rule 'Monthly':"), e.message);
        return true;
      },
    );
  }
});
