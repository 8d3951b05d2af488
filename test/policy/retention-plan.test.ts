// The retention worker's pure decisions: the next step for a recovery point at an instant under
// each hold, and the datastore details the API shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retentionTimeline, type RetentionRuleInput } from '../../src/policy/retention.ts';
import { buildRecoveryPoint } from '../../src/services/recovery-points.ts';
import type { RecoveryPointResource } from '../../src/domain/recovery-point.ts';
import { describeDataStores, effectiveTimeline, nextRetentionStep } from '../../src/policy/retention-plan.ts';

const store = (t: string) => ({ dataStoreType: t });
const MONTHLY: RetentionRuleInput = {
  name: 'Monthly',
  lifecycles: [
    { deleteAfter: { duration: 'P6M' }, sourceDataStore: store('VaultStore'), targetDataStoreCopySettings: [{ dataStore: store('ArchiveStore'), copyAfter: { objectType: 'CopyOnExpiryOption' } }] },
    { deleteAfter: { duration: 'P24M' }, sourceDataStore: store('ArchiveStore') },
  ],
};
const IMMEDIATE: RetentionRuleInput = {
  name: 'Yearly',
  lifecycles: [
    { deleteAfter: { duration: 'P1M' }, sourceDataStore: store('VaultStore'), targetDataStoreCopySettings: [{ dataStore: store('ArchiveStore'), copyAfter: { objectType: 'ImmediateCopyOption' } }] },
    { deleteAfter: { duration: 'P1Y' }, sourceDataStore: store('ArchiveStore') },
  ],
};
const dump = (ref: string) => ({ ref, size: 1 });
const INSTANT = '2025-01-01T22:00:00.000Z';

function point(rule: RetentionRuleInput, tag = rule.name): RecoveryPointResource {
  return buildRecoveryPoint({
    instanceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.DataProtection/backupVaults/v/backupInstances/bi',
    recoveryPointId: 'a'.repeat(32), time: new Date(INSTANT), tag, policyName: 'pol',
    timeline: retentionTimeline(rule, new Date(INSTANT), 'UTC'), stored: dump('vault'), serverMajorVersion: 17, database: 'db', metaData: {},
  });
}
const step = (rp: RecoveryPointResource, at: string, hold: 'none' | 'latestForever' | 'frozen' = 'none') => nextRetentionStep(rp, new Date(at), hold, false);

test('a fresh point needs nothing until its vault residency ends', () => {
  const rp = point(MONTHLY);
  assert.equal(step(rp, INSTANT), null);
  assert.equal(step(rp, '2025-07-01T21:59:59.999Z'), null);
});

test('at the move: copy first, then retire the vault, then purge, then nothing', () => {
  const rp = point(MONTHLY);
  const at = '2025-07-01T22:00:00.000Z';
  assert.deepEqual(step(rp, at), { kind: 'copy', from: 'VaultStore', to: 'ArchiveStore', since: at });
  rp.internal.data.ArchiveStore = dump('archive');
  rp.properties.recoveryPointDataStoresDetails.push({ ...rp.properties.recoveryPointDataStoresDetails[0]!, id: '', type: 'ArchiveStore', creationTime: at });
  assert.deepEqual(step(rp, at), { kind: 'retire', store: 'VaultStore' });
  delete rp.internal.data.VaultStore;
  rp.internal.pendingDelete = [dump('vault')];
  assert.deepEqual(step(rp, at), { kind: 'purge' });
  delete rp.internal.pendingDelete;
  rp.properties.recoveryPointDataStoresDetails = rp.properties.recoveryPointDataStoresDetails.slice(1);
  assert.deepEqual(step(rp, at), { kind: 'refresh' }, 'the archive entry gets its id and expiry');
  const shown = describeDataStores(rp, new Date(at), 'none');
  assert.deepEqual(shown.details.map((d) => [d.type, d.creationTime, d.expiryTime]), [['ArchiveStore', at, '2027-07-01T22:00:00.000Z']]);
  rp.properties.recoveryPointDataStoresDetails = shown.details;
  rp.properties.expiryTime = shown.expiryTime;
  assert.equal(step(rp, at), null);
  assert.deepEqual(step(rp, '2027-07-01T22:00:00.000Z'), { kind: 'delete' });
});

test('a late sweep that missed the whole archive residency deletes the point without copying', () => {
  assert.deepEqual(step(point(MONTHLY), '2030-01-01T00:00:00.000Z'), { kind: 'delete' });
});

test('ImmediateCopyOption: the archive copy is made at creation, the vault retired after a month', () => {
  const rp = point(IMMEDIATE);
  assert.deepEqual(step(rp, INSTANT), { kind: 'copy', from: 'VaultStore', to: 'ArchiveStore', since: INSTANT });
  rp.internal.data.ArchiveStore = dump('archive');
  assert.equal(step(rp, '2025-02-01T21:59:59.000Z')?.kind, 'refresh');
  assert.deepEqual(step(rp, '2025-02-01T22:00:00.000Z'), { kind: 'retire', store: 'VaultStore' });
});

test('holds: frozen never moves or deletes; latestForever follows the timeline but never expires', () => {
  const rp = point(MONTHLY);
  assert.equal(step(rp, '2030-01-01T00:00:00.000Z', 'frozen')?.kind, 'refresh');
  assert.deepEqual(effectiveTimeline(rp, 'frozen').map((r) => [r.dataStoreType, r.until]), [['VaultStore', null]]);
  assert.equal(describeDataStores(rp, new Date('2030-01-01T00:00:00Z'), 'frozen').expiryTime, null);
  assert.deepEqual(step(rp, '2030-01-01T00:00:00.000Z', 'latestForever'), { kind: 'copy', from: 'VaultStore', to: 'ArchiveStore', since: '2025-07-01T22:00:00.000Z' });
  assert.deepEqual(effectiveTimeline(rp, 'latestForever').map((r) => [r.dataStoreType, r.until]), [
    ['VaultStore', '2025-07-01T22:00:00.000Z'],
    ['ArchiveStore', null],
  ]);
});

test('rehydrated copies: expiry, deletion and a dead rehydration', () => {
  const rp = point(MONTHLY);
  rp.internal.rehydrated = { status: 'COMPLETED', stored: dump('r'), startedAt: INSTANT, expiresAt: '2025-01-20T00:00:00.000Z', priority: 'Standard', jobId: 'j' };
  assert.equal(step(rp, '2025-01-19T23:59:59.000Z')?.kind, 'refresh');
  assert.deepEqual(step(rp, '2025-01-20T00:00:00.000Z'), { kind: 'expireRehydrated' });
  rp.internal.rehydrated.status = 'DELETE_IN_PROGRESS';
  assert.deepEqual(step(rp, '2025-01-20T00:00:00.000Z'), { kind: 'purge' });
  rp.internal.rehydrated.status = 'CREATE_IN_PROGRESS';
  assert.deepEqual(step(rp, '2025-01-20T00:00:00.000Z'), { kind: 'failRehydration' });
  assert.notEqual(nextRetentionStep(rp, new Date('2025-01-20T00:00:00.000Z'), 'none', true)?.kind, 'failRehydration');
  // An expired point is not deleted under a rehydration in progress.
  assert.notEqual(nextRetentionStep(rp, new Date('2030-01-01T00:00:00.000Z'), 'none', true)?.kind, 'delete');
});
