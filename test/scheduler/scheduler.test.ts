// The scheduler against a real catalog: one scheduled job per due occurrence, shaped like Azure's
// scheduled backups, never two (repeated ticks, concurrent schedulers, restarts, a lost mark);
// suspended and stopped instances skipped; downtime gives one catch-up backup.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Scheduler } from '../../src/scheduler/scheduler.ts';
import { listJobs } from '../../src/services/jobs.ts';
import { setHandledThrough, startScheduleNow } from '../../src/services/schedule-state.ts';
import type { BackupInstanceResource } from '../../src/domain/backup-instance.ts';
import type { ServiceContext } from '../../src/services/context.ts';
import { setProtectionState } from '../../src/services/backup-instances.ts';
import type { BackupVault } from '../../src/domain/vault.ts';
import { protectedFixture, type Fixture } from '../jobs/protected-fixture.ts';

let fx: Fixture;
beforeEach(async () => {
  fx = await protectedFixture('2025-01-01T00:00:00Z');
});
afterEach(() => fx.close());

const jobs = async () => (await listJobs(fx.ctx, { vaultId: fx.vaultId })).sort((a, b) => a.properties.startTime.localeCompare(b.properties.startTime));
const queued = async () => (await fx.ctx.queue.list('queued')).filter((t) => t.kind === 'backup');
const tickAt = (iso: string, s = new Scheduler(fx.ctx)) => {
  fx.clock.set(iso);
  return s.tick();
};

describe('scheduled backups', () => {
  it('queues one job at the due occurrence, shaped like an Azure scheduled backup', async () => {
    assert.deepEqual((await tickAt('2025-01-01T21:59:00Z')).queued, []);
    const r = await tickAt('2025-01-01T22:00:00Z');
    assert.equal(r.queued.length, 1);
    assert.equal(r.queued[0]!.occurrence, '2025-01-01T22:00:00.000Z');
    const [job, ...more] = await jobs();
    assert.equal(more.length, 0);
    const p = job!.properties;
    assert.equal(p.isUserTriggered, false);
    assert.deepEqual(p.supportedActions, []);
    assert.equal(p.operation, 'Backup');
    assert.equal(p.operationCategory, 'Backup');
    assert.equal(p.status, 'InProgress');
    assert.equal(p.startTime, '2025-01-01T22:00:00.000Z');
    assert.equal(p.policyId, fx.policyId());
    assert.deepEqual(p.extendedInfo.additionalDetails, { PolicyRuleName: 'BackupWeekly', RetentionTag: 'Monthly' });
    assert.equal(p.extendedInfo.subTasks[0]!.taskName, 'Trigger Backup');
    const [task] = await queued();
    assert.equal(task!.jobKey, `scheduled:${fx.instanceId.toLowerCase()}:2025-01-01T22:00:00.000Z`);
    assert.deepEqual(task!.payload, { jobId: job!.id, scheduled: true, occurrence: '2025-01-01T22:00:00.000Z' });
    assert.equal(task!.runAt, '2025-01-01T22:00:00.000Z');
    assert.equal(task!.group, `datasource:${(await fx.instance()).properties.dataSourceInfo.resourceID.toLowerCase()}`);
  });

  it('never makes two: repeated ticks, concurrent schedulers, a restart, a lost mark', async () => {
    await tickAt('2025-01-01T22:00:00Z');
    assert.deepEqual((await tickAt('2025-01-01T22:00:10Z')).queued, []);
    // Two schedulers (two processes' worth) ticking together at the next occurrence.
    fx.clock.set('2025-01-03T22:00:00Z');
    const [a, b] = await Promise.all([new Scheduler(fx.ctx).tick(), new Scheduler(fx.ctx).tick()]);
    assert.equal(a.queued.length + b.queued.length, 1);
    // A restart right after the due time.
    await fx.reopen();
    assert.deepEqual((await tickAt('2025-01-03T22:00:30Z')).queued, []);
    // Even if the mark were lost, the job key keeps the queue at one task and no second job appears.
    await setHandledThrough(fx.ctx, fx.instanceId, new Date('2025-01-03T21:00:00Z'));
    assert.deepEqual((await tickAt('2025-01-03T22:01:00Z')).queued, []);
    const all = await jobs();
    assert.deepEqual(all.map((j) => j.properties.startTime), ['2025-01-01T22:00:00.000Z', '2025-01-03T22:00:00.000Z']);
    assert.equal((await queued()).length, 2);
  });

  it('after downtime runs only the most recent missed occurrence, once', async () => {
    await tickAt('2025-01-01T22:00:00Z');
    await fx.reopen();
    const r = await tickAt('2025-01-13T09:00:00Z');
    assert.deepEqual(r.queued.map((q) => q.occurrence), ['2025-01-12T22:00:00.000Z']);
    assert.deepEqual(r.missed.map((m) => m.occurrence), ['2025-01-03T22:00:00.000Z', '2025-01-05T22:00:00.000Z', '2025-01-08T22:00:00.000Z', '2025-01-10T22:00:00.000Z']);
    assert.deepEqual((await tickAt('2025-01-13T09:01:00Z')).queued, []);
    assert.equal((await jobs()).length, 2);
    assert.equal((await tickAt('2025-01-15T22:00:00Z')).queued.length, 1);
  });

  it('reads the schedule marks of all instances, and a policy or vault they share, once a tick, not once an instance', async () => {
    const stored = (await fx.ctx.catalog.getResource<BackupInstanceResource>(fx.instanceId))!;
    for (let i = 0; i < 40; i++) {
      const id = `${fx.instanceId}-${i}`;
      await fx.ctx.catalog.putResource({ ...stored, id, body: { ...stored.body, id, name: `${stored.body.name}-${i}` } });
      await startScheduleNow(fx.ctx, id);
    }
    // The real catalog, its calls counted.
    const calls = new Map<string, number>();
    const catalog = new Proxy(fx.ctx.catalog, {
      get(target, name) {
        const value = Reflect.get(target, name) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.set(String(name), (calls.get(String(name)) ?? 0) + 1);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const ctx = new Proxy(fx.ctx, { get: (target, name) => (name === 'catalog' ? catalog : Reflect.get(target, name)) }) as ServiceContext;
    fx.clock.set('2025-01-01T21:00:00Z');
    const r = await new Scheduler(ctx).tick();
    assert.deepEqual([r.queued, r.errors], [[], []]);
    assert.equal(calls.get('getSetting') ?? 0, 0, 'no mark read one by one');
    assert.equal(calls.get('listSettings'), 2);
    assert.ok((calls.get('getResource') ?? 0) <= 2, `41 instances of one policy read ${calls.get('getResource')} resources`);
    assert.equal(calls.get('setSetting') ?? 0, 0, 'a steady tick writes no mark');
    // Instances without marks (protected before the scheduler kept them): the first tick writes both, the next none.
    for (let i = 0; i < 5; i++) {
      const id = `${fx.instanceId}-new-${i}`;
      await fx.ctx.catalog.putResource({ ...stored, id, body: { ...stored.body, id, name: `${stored.body.name}-new-${i}` } });
    }
    calls.clear();
    await new Scheduler(ctx).tick();
    assert.equal(calls.get('setSetting'), 10);
    calls.clear();
    await new Scheduler(ctx).tick();
    assert.equal(calls.get('setSetting') ?? 0, 0);
    // And at the due time every instance is still queued once.
    fx.clock.set('2025-01-01T22:00:00Z');
    assert.equal((await new Scheduler(ctx).tick()).queued.length, 46);
    assert.equal((await queued()).length, 46);
  });

  it('skips suspended and stopped instances; resuming starts the schedule afresh', async () => {
    const vault = (await fx.ctx.catalog.getResource<BackupVault>(fx.vaultId))!.body;
    fx.clock.set('2025-01-02T00:00:00Z');
    await setProtectionState(fx.ctx, vault, await fx.instance(), 'BackupsSuspended');
    const r = await tickAt('2025-01-03T22:00:00Z');
    assert.deepEqual(r.queued, []);
    assert.deepEqual(r.skipped, [fx.instanceId]);
    fx.clock.set('2025-01-04T00:00:00Z');
    await setProtectionState(fx.ctx, vault, await fx.instance(), 'ProtectionStopped');
    assert.deepEqual((await tickAt('2025-01-05T22:00:00Z')).queued, []);
    // Resumed on Monday: Sunday's occurrence fell in the stop and is not a "missed" one.
    fx.clock.set('2025-01-06T08:00:00Z');
    await setProtectionState(fx.ctx, vault, await fx.instance(), 'ProtectionConfigured');
    assert.deepEqual((await tickAt('2025-01-06T08:00:01Z')).queued, []);
    assert.deepEqual((await tickAt('2025-01-08T22:00:00Z')).queued.map((q) => q.occurrence), ['2025-01-08T22:00:00.000Z']);
    assert.equal((await jobs()).length, 1);
  });

  it('reports an instance whose policy is gone and goes on with the others', async () => {
    await fx.setInstance((i) => (i.properties.policyInfo.policyId = fx.policyId('gone')));
    const r = await tickAt('2025-01-01T22:00:00Z');
    assert.deepEqual(r.queued, []);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0]!.message, /no longer exists/);
  });
});
