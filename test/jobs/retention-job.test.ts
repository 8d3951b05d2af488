// The retention worker against a real catalog and store: moves to the archive, expiries and
// deletions at the right instants, idempotently; every intermediate state after any step is
// safe; stop/suspend/resume/update-policy semantics; rehydrated copies expire.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { locationOf, sweepRetention } from '../../src/jobs/retention-job.ts';
import { applyPolicyToRecoveryPoints } from '../../src/services/recovery-point-retention.ts';
import { setProtectionState } from '../../src/services/backup-instances.ts';
import { saveRecoveryPoint } from '../../src/services/recovery-points.ts';
import type { RecoveryPointResource } from '../../src/domain/recovery-point.ts';
import type { BackupVault } from '../../src/domain/vault.ts';
import { protectedFixture, seedPolicy, type Fixture } from './protected-fixture.ts';

let fx: Fixture;
beforeEach(async () => {
  fx = await protectedFixture('2025-01-01T00:00:00Z');
});
afterEach(() => fx.close());

const sweepAt = (iso: string, stepBudget?: number) => {
  fx.clock.set(iso);
  return sweepRetention(fx.ctx, { stepBudget });
};
const shown = (rp: RecoveryPointResource | undefined) =>
  rp?.properties.recoveryPointDataStoresDetails.map((d) => ({ type: d.type, creationTime: d.creationTime, expiryTime: d.expiryTime, rehydrationStatus: d.rehydrationStatus }));
const vault = async () => (await fx.ctx.catalog.getResource<BackupVault>(fx.vaultId))!.body;

describe('timelines carried out', () => {
  it('a monthly point moves to ArchiveStore after 6 months and is deleted 24 months later', async () => {
    const rp = await fx.addPoint('2025-01-01T22:00:00Z', 'Monthly', 'january');
    assert.deepEqual((await sweepAt('2025-07-01T21:59:59Z')).steps, {});
    assert.deepEqual((await sweepAt('2025-07-01T22:00:00Z')).steps, { copy: 1, retire: 1, purge: 1 });
    const moved = await fx.point(rp.name);
    assert.deepEqual(Object.keys(moved!.internal.data), ['ArchiveStore']);
    assert.equal(await fx.bytes(moved!.internal.data.ArchiveStore!), 'january');
    assert.equal(await fx.bytes(rp.internal.data.VaultStore!), null, 'the vault copy is deleted');
    assert.deepEqual(shown(moved), [{ type: 'ArchiveStore', creationTime: '2025-07-01T22:00:00.000Z', expiryTime: '2027-07-01T22:00:00.000Z', rehydrationStatus: null }]);
    assert.equal(moved!.properties.expiryTime, '2027-07-01T22:00:00.000Z');
    assert.equal(moved!.internal.pendingDelete, undefined);
    // Idempotent: the same sweep again, or a later one before expiry, does nothing.
    assert.deepEqual((await sweepAt('2025-07-01T22:00:00Z')).steps, {});
    assert.deepEqual((await sweepAt('2027-07-01T21:59:59Z')).steps, {});
    const gone = await sweepAt('2027-07-01T22:00:00Z');
    assert.deepEqual(gone.deleted, [rp.name]);
    assert.equal(await fx.point(rp.name), undefined);
    assert.equal(await fx.bytes(moved!.internal.data.ArchiveStore!), null, 'the archive copy is deleted');
  });

  it('a default point is deleted after 3 months, a later one is kept', async () => {
    const a = await fx.addPoint('2025-01-03T22:00:00Z', 'Default');
    const b = await fx.addPoint('2025-01-05T22:00:00Z', 'Default');
    assert.equal(a.properties.recoveryPointDataStoresDetails[0]!.expiryTime, '2025-04-03T22:00:00.000Z');
    await sweepAt('2025-04-04T22:00:00Z');
    assert.equal(await fx.point(a.name), undefined);
    assert.ok(await fx.point(b.name));
    assert.equal(await fx.bytes(a.internal.data.VaultStore!), null);
    assert.equal(await fx.bytes(b.internal.data.VaultStore!), 'dump of 2025-01-05T22:00:00Z');
  });

  it('stopped after any step, the point always has its bytes where it says, and the next sweep finishes', async () => {
    const rp = await fx.addPoint('2025-01-01T22:00:00Z', 'Monthly', 'january');
    const kinds: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await sweepAt('2025-07-02T00:00:00Z', 1);
      kinds.push(...Object.keys(r.steps));
      const now = (await fx.point(rp.name))!;
      for (const stored of Object.values(now.internal.data)) assert.equal(await fx.bytes(stored), 'january', `after ${kinds.join(',')}`);
      assert.ok(Object.keys(now.internal.data).length > 0);
      assert.deepEqual(now.properties.recoveryPointDataStoresDetails.map((d) => d.type).sort(), Object.keys(now.internal.data).sort());
      if (r.complete) break;
    }
    assert.deepEqual(kinds, ['copy', 'retire', 'purge']);
    assert.deepEqual(Object.keys((await fx.point(rp.name))!.internal.data), ['ArchiveStore']);
  });

  it('a copy made but not recorded (a crash in between) is simply made again', async () => {
    const rp = await fx.addPoint('2025-01-01T22:00:00Z', 'Monthly', 'january');
    await fx.ctx.store.copy(rp.internal.data.VaultStore!, locationOf(rp, 'ArchiveStore'));
    assert.deepEqual((await sweepAt('2025-07-02T00:00:00Z')).steps, { copy: 1, retire: 1, purge: 1 });
    const moved = (await fx.point(rp.name))!;
    assert.deepEqual(Object.keys(moved.internal.data), ['ArchiveStore']);
    assert.equal(await fx.bytes(moved.internal.data.ArchiveStore!), 'january');
  });
});

describe('protection states', () => {
  it('stop-protection keeps every point forever, where it is', async () => {
    const d = await fx.addPoint('2025-01-03T22:00:00Z', 'Default');
    const m = await fx.addPoint('2025-01-01T22:00:00Z', 'Monthly');
    fx.clock.set('2025-01-04T00:00:00Z');
    await setProtectionState(fx.ctx, await vault(), await fx.instance(), 'ProtectionStopped');
    assert.equal((await fx.point(d.name))!.properties.expiryTime, null, 'shown as kept forever at once');
    const r = await sweepAt('2030-01-01T00:00:00Z');
    assert.deepEqual(r.deleted, []);
    assert.deepEqual(Object.keys((await fx.point(m.name))!.internal.data), ['VaultStore'], 'not even moved');
    assert.deepEqual(shown(await fx.point(d.name)), [{ type: 'VaultStore', creationTime: '2025-01-03T22:00:00.000Z', expiryTime: null, rehydrationStatus: null }]);
    // Resumed: the policy applies again and what has expired is cleaned up.
    await setProtectionState(fx.ctx, await vault(), await fx.instance(), 'ProtectionConfigured');
    const after = await sweepAt('2030-01-01T00:00:01Z');
    assert.deepEqual(after.deleted.sort(), [d.name, m.name].sort());
  });

  it('suspend-backup keeps points by policy, and the latest forever', async () => {
    const old = await fx.addPoint('2025-01-01T22:00:00Z', 'Monthly');
    const latest = await fx.addPoint('2025-01-03T22:00:00Z', 'Default');
    fx.clock.set('2025-01-04T00:00:00Z');
    await setProtectionState(fx.ctx, await vault(), await fx.instance(), 'BackupsSuspended');
    assert.equal((await fx.point(latest.name))!.properties.expiryTime, null);
    await sweepAt('2025-07-02T00:00:00Z');
    assert.deepEqual(Object.keys((await fx.point(old.name))!.internal.data), ['ArchiveStore'], 'the older point still follows its timeline');
    await sweepAt('2030-01-01T00:00:00Z');
    assert.equal(await fx.point(old.name), undefined);
    assert.deepEqual(Object.keys((await fx.point(latest.name))!.internal.data), ['VaultStore']);
  });

  it('a latest monthly point under suspension moves to the archive and stays there', async () => {
    const m = await fx.addPoint('2025-01-01T22:00:00Z', 'Monthly');
    fx.clock.set('2025-01-02T00:00:00Z');
    await setProtectionState(fx.ctx, await vault(), await fx.instance(), 'BackupsSuspended');
    await sweepAt('2040-01-01T00:00:00Z');
    const kept = (await fx.point(m.name))!;
    assert.deepEqual(shown(kept), [{ type: 'ArchiveStore', creationTime: '2025-07-01T22:00:00.000Z', expiryTime: null, rehydrationStatus: null }]);
  });

  it('update-policy applies the new policy to existing points, from where they are', async () => {
    const archived = await fx.addPoint('2025-01-01T22:00:00Z', 'Monthly');
    const recent = await fx.addPoint('2025-08-03T22:00:00Z', 'Default');
    await sweepAt('2025-08-04T00:00:00Z');
    assert.deepEqual(Object.keys((await fx.point(archived.name))!.internal.data), ['ArchiveStore']);
    // New policy: Default kept 1 month; Monthly 12 months in the vault then 36 in the archive.
    const longer = seedPolicy();
    const rules = longer.policyRules as { name: string; lifecycles?: { deleteAfter: { duration: string } }[] }[];
    rules.find((r) => r.name === 'Default')!.lifecycles![0]!.deleteAfter.duration = 'P1M';
    rules.find((r) => r.name === 'Monthly')!.lifecycles![0]!.deleteAfter.duration = 'P12M';
    rules.find((r) => r.name === 'Monthly')!.lifecycles![1]!.deleteAfter.duration = 'P36M';
    await fx.putPolicy('longer', longer);
    await fx.setInstance((i) => (i.properties.policyInfo.policyId = fx.policyId('longer')));
    await applyPolicyToRecoveryPoints(fx.ctx, await fx.instance(), { name: 'longer', properties: longer });
    const a = (await fx.point(archived.name))!;
    assert.equal(a.properties.policyName, 'longer');
    // Not moved back to the vault: 36 months in the archive counted from its arrival there.
    assert.deepEqual(shown(a), [{ type: 'ArchiveStore', creationTime: '2025-07-01T22:00:00.000Z', expiryTime: '2028-07-01T22:00:00.000Z', rehydrationStatus: null }]);
    assert.equal((await fx.point(recent.name))!.properties.recoveryPointDataStoresDetails[0]!.expiryTime, '2025-09-03T22:00:00.000Z');
    await sweepAt('2025-09-03T22:00:00Z');
    assert.equal(await fx.point(recent.name), undefined);
    assert.deepEqual((await sweepAt('2028-07-01T21:59:00Z')).deleted, []);
    assert.deepEqual((await sweepAt('2028-07-01T22:00:00Z')).deleted, [archived.name]);
  });

  it('a tag the new policy no longer has falls back to its default rule', async () => {
    const m = await fx.addPoint('2025-01-01T22:00:00Z', 'Monthly');
    const plain = seedPolicy();
    plain.policyRules = plain.policyRules.filter((r) => r.name !== 'Monthly');
    await applyPolicyToRecoveryPoints(fx.ctx, await fx.instance(), { name: 'plain', properties: plain });
    assert.deepEqual(shown(await fx.point(m.name)), [{ type: 'VaultStore', creationTime: '2025-01-01T22:00:00.000Z', expiryTime: '2025-04-01T22:00:00.000Z', rehydrationStatus: null }]);
  });
});

describe('rehydrated copies', () => {
  async function rehydrated(status: 'COMPLETED' | 'CREATE_IN_PROGRESS', expiresAt: string | null) {
    const rp = await fx.addPoint('2025-01-01T22:00:00Z', 'Monthly', 'january');
    await sweepAt('2025-07-02T00:00:00Z');
    const moved = (await fx.point(rp.name))!;
    const copy = await fx.ctx.store.copy(moved.internal.data.ArchiveStore!, locationOf(moved, 'VaultStore', `${moved.name}-rehydrated-job1`));
    moved.internal.rehydrated = {
      status, stored: status === 'COMPLETED' ? copy : null, startedAt: '2025-08-01T00:00:00.000Z', expiresAt, priority: 'Standard',
      jobId: `${fx.vaultId}/backupJobs/00000000-0000-0000-0000-000000000001`,
    };
    await saveRecoveryPoint(fx.ctx, moved);
    return { rp: moved, copy };
  }

  it('a completed rehydrated copy is shown until it expires, then DELETE_IN_PROGRESS, DELETED and gone', async () => {
    const { rp, copy } = await rehydrated('COMPLETED', '2025-08-16T00:00:00.000Z');
    await sweepAt('2025-08-10T00:00:00Z');
    const live = await fx.point(rp.name);
    assert.deepEqual(shown(live)!.map((d) => [d.type, d.rehydrationStatus]), [['ArchiveStore', null], ['VaultStore', 'COMPLETED']]);
    assert.equal(live!.properties.recoveryPointDataStoresDetails[1]!.rehydrationExpiryTime, '2025-08-16T00:00:00.000Z');
    const step = await sweepAt('2025-08-16T00:00:00Z', 1);
    assert.deepEqual(step.steps, { expireRehydrated: 1 });
    assert.equal(shown(await fx.point(rp.name))![1]!.rehydrationStatus, 'DELETE_IN_PROGRESS');
    assert.equal(await fx.bytes(copy), 'january', 'bytes still there until the purge');
    assert.deepEqual((await sweepAt('2025-08-16T00:00:00Z')).steps, { purge: 1 });
    const after = (await fx.point(rp.name))!;
    assert.equal(shown(after)![1]!.rehydrationStatus, 'DELETED');
    assert.equal(after.internal.rehydrated!.stored, null);
    assert.equal(await fx.bytes(copy), null);
    assert.equal(await fx.bytes(after.internal.data.ArchiveStore!), 'january');
    assert.deepEqual((await sweepAt('2025-08-17T00:00:00Z')).steps, {});
  });

  it('a rehydration left in progress by a job that is no longer running is marked FAILED', async () => {
    const { rp } = await rehydrated('CREATE_IN_PROGRESS', null);
    assert.deepEqual((await sweepAt('2025-08-02T00:00:00Z')).steps, { failRehydration: 1 });
    assert.equal(shown(await fx.point(rp.name))![1]!.rehydrationStatus, 'FAILED');
  });
});
