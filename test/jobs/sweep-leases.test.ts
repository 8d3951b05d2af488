// Periodic sweeps on several processes sharing one PostgreSQL catalog (issue 22): a retention
// sweep and a maintenance look each hold a lease in the catalog, so one process at a time does
// them; a process that died holding the lease (it never gave it back) stops renewing it, and once
// it has expired another process takes over. Two service contexts on one catalog stand for two
// processes; the one that "died" took the lease and was closed without releasing it.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openContext } from '../../src/app.ts';
import type { ServiceContext } from '../../src/services/context.ts';
import { CatalogLeases } from '../../src/services/catalog-lease.ts';
import { RETENTION_LEASE, RetentionWorker } from '../../src/jobs/retention-job.ts';
import { MAINTENANCE_LEASE, MaintenanceScheduler } from '../../src/jobs/maintenance-job.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { catalogProcesses } from '../support/catalog-processes.ts';

const { freshDatabase, dataDirWithKey } = catalogProcesses('leases');
const contexts: ServiceContext[] = [];
const key = randomBytes(32).toString('hex');
after(async () => {
  for (const c of contexts) await c.catalog.close().catch(() => undefined);
});

/** Two service contexts (two processes) on one new catalog, on one manual clock. */
async function twoProcesses(clock: ManualClock): Promise<[ServiceContext, ServiceContext]> {
  const { url: database } = await freshDatabase();
  const open = async () => {
    const ctx = await openContext({ dataDir: dataDirWithKey(key), database, clock });
    contexts.push(ctx);
    return ctx;
  };
  return [await open(), await open()];
}

describe('sweeps on processes sharing a catalog', () => {
  it('a retention sweep runs on one process at a time; a dead holder\'s lease expires and another process sweeps', async () => {
    const clock = new ManualClock('2030-01-01T00:00:00Z');
    const [a, b] = await twoProcesses(clock);
    // Process A takes the lease (its sweep is under way) and dies: its catalog closes, nothing is given back.
    const dead = new CatalogLeases(a.catalog, clock, { holder: 'process-a', ttlMs: 60_000 });
    assert.equal(await a.catalog.acquireLease(RETENTION_LEASE, dead.holder, clock.now().toISOString(), new Date(clock.now().getTime() + 60_000).toISOString()), true);
    await a.catalog.close();
    const retention = new RetentionWorker(b, { leases: new CatalogLeases(b.catalog, clock, { holder: 'process-b' }) });
    const skipped = await retention.sweep();
    assert.equal(skipped.sweptBy, 'process-a', 'B leaves the sweep to the lease\'s holder');
    assert.equal(skipped.complete, false);
    clock.advance(60_001);
    const swept = await retention.sweep();
    assert.equal(swept.sweptBy, undefined, 'the lease expired: B sweeps');
    assert.equal(swept.complete, true);
    assert.equal(await b.catalog.getLease(RETENTION_LEASE), undefined, 'given back after the sweep');
  });

  it('the maintenance look queues on one process per round, and is taken over after its holder died', async () => {
    const clock = new ManualClock('2030-01-01T00:00:00Z');
    const [a, b] = await twoProcesses(clock);
    const now = () => clock.now().toISOString();
    assert.equal(await a.catalog.acquireLease(MAINTENANCE_LEASE, 'process-a', now(), new Date(clock.now().getTime() + 60_000).toISOString()), true);
    await a.catalog.close();
    const maintenance = new MaintenanceScheduler(b, { leases: new CatalogLeases(b.catalog, clock, { holder: 'process-b' }) });
    assert.deepEqual(await maintenance.tick(86_400_000), []);
    assert.equal(await b.catalog.getSetting('maintenanceQueuedAt'), undefined, 'B did not look: A holds the lease');
    clock.advance(60_001);
    await maintenance.tick(86_400_000);
    assert.equal(await b.catalog.getSetting('maintenanceQueuedAt'), now(), 'the lease expired: B looked and recorded it');
  });

  it('a holder renews its lease while it works, so a slow sweep is not taken over; the lease is free once it ends', async () => {
    const clock = new ManualClock('2030-01-01T00:00:00Z');
    const [a, b] = await twoProcesses(clock);
    const la = new CatalogLeases(a.catalog, clock, { holder: 'process-a', ttlMs: 60_000, renewMs: 20 });
    const lb = new CatalogLeases(b.catalog, clock, { holder: 'process-b', ttlMs: 60_000 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const running = la.run('slow', () => gate);
    clock.advance(50_000);
    // Wait for a renewal (by the clock, it ends 60 s after now, past the first end).
    while (((await b.catalog.getLease('slow'))?.leaseUntil ?? '') <= '2030-01-01T00:01:00.000Z') await new Promise((r) => setTimeout(r, 10));
    clock.advance(50_000); // 100 s after A took it: without renewals it would have expired
    let ranOnB = false;
    assert.deepEqual(await lb.run('slow', async () => (ranOnB = true)), { held: false, holder: 'process-a' });
    assert.equal(ranOnB, false);
    release();
    assert.deepEqual(await running, { held: true, value: undefined });
    assert.deepEqual(await lb.run('slow', async () => 'b'), { held: true, value: 'b' });
  });
});
