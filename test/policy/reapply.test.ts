// Re-applying a retention rule to an existing recovery point from where it lives now.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reapplyTimeline } from '../../src/policy/reapply.ts';
import type { Residency, RetentionRuleInput } from '../../src/policy/retention.ts';

const store = (t: string) => ({ dataStoreType: t });
const vaultThenArchive = (vault: string, archive: string): RetentionRuleInput => ({
  name: 'Monthly',
  lifecycles: [
    { deleteAfter: { duration: vault }, sourceDataStore: store('VaultStore'), targetDataStoreCopySettings: [{ dataStore: store('ArchiveStore'), copyAfter: { objectType: 'CopyOnExpiryOption' } }] },
    { deleteAfter: { duration: archive }, sourceDataStore: store('ArchiveStore') },
  ],
});
const vaultOnly: RetentionRuleInput = { name: 'Default', isDefault: true, lifecycles: [{ deleteAfter: { duration: 'P3M' }, sourceDataStore: store('VaultStore') }] };
const plain = (t: Residency[]) => t.map((r) => [r.dataStoreType, r.from.toISOString(), r.until?.toISOString() ?? null]);
const created = new Date('2025-01-01T22:00:00Z');

test('a point still in the vault gets the whole new timeline from its creation', () => {
  const t = reapplyTimeline(vaultThenArchive('P12M', 'P36M'), created, 'UTC', [{ store: 'VaultStore', since: created }]);
  assert.deepEqual(plain(t), [
    ['VaultStore', '2025-01-01T22:00:00.000Z', '2026-01-01T22:00:00.000Z'],
    ['ArchiveStore', '2026-01-01T22:00:00.000Z', '2029-01-01T22:00:00.000Z'],
  ]);
});

test('an archived point stays in the archive for the new archive lifecycle, from its arrival', () => {
  const since = new Date('2025-07-01T22:00:00Z');
  const t = reapplyTimeline(vaultThenArchive('P12M', 'P36M'), created, 'UTC', [{ store: 'ArchiveStore', since }]);
  assert.deepEqual(plain(t), [['ArchiveStore', '2025-07-01T22:00:00.000Z', '2028-07-01T22:00:00.000Z']]);
  assert.match(t[0]!.reason, /already in ArchiveStore since 2025-07-01T22:00:00.000Z.*keeps it in ArchiveStore for P36M/);
});

test('an archived point under a rule without an archive lifecycle stays until the rule\'s last expiry', () => {
  const t = reapplyTimeline(vaultOnly, created, 'UTC', [{ store: 'ArchiveStore', since: new Date('2025-07-01T22:00:00Z') }]);
  // Under the new rule it would have expired on 2025-04-01: the next sweep deletes it.
  assert.deepEqual(plain(t), [['ArchiveStore', '2025-07-01T22:00:00.000Z', '2025-04-01T22:00:00.000Z']]);
});
