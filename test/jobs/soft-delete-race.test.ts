// Concurrent delete, undelete, policy update and retention sweep on one backup instance, on the
// real catalog and the real repository (no PostgreSQL needed: the points' bytes are written to
// the store as a backup would), each catalog call delayed as over a network. After every round the catalog and the repository agree: the
// instance is live or soft-deleted or purged, never two of them; every recovery point the catalog
// holds reads back in full; the repository verifies clean; a purged instance left no point behind.
// A sample of rounds runs in `npm test`; DPVAULT_FULL_SWEEPS=1 runs many more. The seed is
// printed; DPVAULT_RACE_SEED=<n> replays a run.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DELETED_INSTANCE_TYPE, deletedInstanceId } from '../../src/domain/deleted-instance.ts';
import { DpError } from '../../src/domain/errors.ts';
import { vaultStoreKey } from '../../src/domain/recovery-point-store.ts';
import { DEFAULT_SETTINGS, VAULT_TYPE, type BackupVault } from '../../src/domain/vault.ts';
import { sweepRetention } from '../../src/jobs/retention-job.ts';
import { putInstance, refreshAfterUndelete } from '../../src/services/backup-instances.ts';
import { undeleteInstance } from '../../src/services/deleted-instances.ts';
import { deleteInstance } from '../../src/services/instance-deletion.ts';
import { putResourceGroup } from '../../src/services/resource-groups.ts';
import { Rng } from '../support/hostile-requests.ts';
import { protectedFixture, seedPolicy, type Fixture } from './protected-fixture.ts';

const FULL = process.env.DPVAULT_FULL_SWEEPS === '1';
const ROUNDS = FULL ? 80 : 8;
const SEED = Number(process.env.DPVAULT_RACE_SEED ?? Math.floor(Math.random() * 2 ** 31));
const DAY = 86_400_000;

let f: Fixture;
let vault: BackupVault;
const rng = new Rng(SEED);

/** Runs `op`, swallowing the refusals a racing operation may meet (gone, deleted meanwhile, ...). */
async function tolerate(op: () => Promise<unknown>): Promise<string> {
  try {
    await op();
    return 'ok';
  } catch (e) {
    if (e instanceof DpError && e.status < 500) return e.code;
    throw e;
  }
}

async function live(): Promise<boolean> {
  return (await f.ctx.catalog.getResource(f.instanceId)) !== undefined;
}
async function softDeleted(): Promise<boolean> {
  return (await f.ctx.catalog.getResource(deletedInstanceId(f.instanceId))) !== undefined;
}

/** A new instance of the same name with a few points, after a purge (or at the start). */
async function protectAgain(): Promise<void> {
  await f.ctx.catalog.putResource({ id: f.instanceId, type: 'Microsoft.DataProtection/backupVaults/backupInstances', parentId: f.vaultId, body: { ...(await instanceBody()) } });
  const t = f.clock.now().getTime();
  for (let i = 1; i <= 3; i++) await f.addPoint(new Date(t - i * DAY).toISOString(), 'Default', `round data ${t} ${i} ${'x'.repeat(rng.int(4000))}`);
}

let template: Awaited<ReturnType<Fixture['instance']>>;
const instanceBody = async () => structuredClone(template);

before(async () => {
  f = await protectedFixture('2026-01-05T00:00:00Z');
  const sub = f.ctx.subscriptionId;
  await putResourceGroup(f.ctx, sub, 'rg', { location: 'westus' });
  const stored = (await f.ctx.catalog.getResource<BackupVault>(f.vaultId))!;
  vault = { ...stored.body, properties: { ...stored.body.properties, ...structuredClone(DEFAULT_SETTINGS) } } as BackupVault;
  await f.ctx.catalog.putResource({ id: f.vaultId, type: VAULT_TYPE, parentId: stored.parentId, body: { ...vault } });
  const short = seedPolicy();
  for (const rule of short.policyRules) for (const l of (rule as { lifecycles?: { deleteAfter: { duration: string } }[] }).lifecycles ?? []) l.deleteAfter.duration = 'P1M';
  await f.putPolicy('short', short);
  template = await f.instance();
  // Every catalog call crosses a macrotask first, as a networked catalog's would: the SQLite
  // catalog answers within one microtask drain, which would hide the interleavings raced for here.
  const real = f.ctx.catalog;
  const pause = new Rng(SEED ^ 0x5bd1e995);
  f.ctx.catalog = new Proxy(real, {
    get(target, key) {
      const v = Reflect.get(target, key) as unknown;
      if (typeof v !== 'function') return v;
      return async (...args: unknown[]) => {
        await new Promise((r) => setTimeout(r, pause.int(3)));
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  for (let i = 1; i <= 3; i++) await f.addPoint(new Date(Date.parse('2026-01-05T00:00:00Z') - i * DAY).toISOString(), 'Default', `first data ${i}`);
});
after(() => f?.close());

describe(`delete, undelete, policy update and retention sweep racing on one instance (seed ${SEED}, ${ROUNDS} rounds)`, () => {
  it('leave the catalog and the repository consistent after every round', async () => {
    const seen = new Map<string, number>();
    for (let round = 0; round < ROUNDS; round++) {
      const sub = f.ctx.subscriptionId;
      const ops: (() => Promise<string>)[] = [];
      for (let n = 3 + rng.int(6); n > 0; n--) {
        const kind = rng.pick(['delete', 'undelete', 'policy', 'sweep'] as const);
        const op = {
          delete: () => tolerate(() => deleteInstance(f.ctx, vault, f.instanceId)),
          undelete: () => tolerate(async () => refreshAfterUndelete(f.ctx, vault, await undeleteInstance(f.ctx, vault, template.name))),
          policy: () => tolerate(async () => {
            const body = await instanceBody();
            body.properties.policyInfo = { policyId: f.policyId(rng.pick(['pol', 'short'])) };
            await putInstance(f.ctx, sub, 'rg', 'vault', template.name, body);
          }),
          sweep: () => tolerate(() => sweepRetention(f.ctx, { now: f.clock.now() })),
        }[kind];
        const delayMs = rng.int(12);
        ops.push(async () => {
          // Started a few milliseconds apart, so each interleaving of their steps comes up.
          await new Promise((r) => setTimeout(r, delayMs));
          const outcome = `${kind}:${await op()}`;
          seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
          return outcome;
        });
      }
      await Promise.all(ops.map((op) => op()));
      f.clock.advance(rng.int(20) * DAY);
      await sweepRetention(f.ctx, { now: f.clock.now() });
      await f.ctx.store.collectGarbage?.();

      const where = `round ${round} (seed ${SEED})`;
      const [isLive, isDeleted] = [await live(), await softDeleted()];
      assert.ok(!(isLive && isDeleted), `${where}: the instance is both live and soft-deleted`);
      const points = await f.points();
      for (const p of points) {
        for (const stored of Object.values(p.internal.data)) {
          assert.notEqual(await f.bytes(stored), null, `${where}: recovery point ${p.name} is listed but its data does not read back`);
        }
      }
      const verify = await f.ctx.store.verify(vaultStoreKey(f.vaultId), 100);
      assert.ok(verify.ok, `${where}: ${JSON.stringify(verify.problems)}`);
      if (!isLive && !isDeleted) {
        assert.deepEqual(points, [], `${where}: a purged instance left recovery points`);
        await protectAgain();
      } else if (points.length === 0 && isLive) {
        await protectAgain();
      }
      const deletedCount = await f.ctx.catalog.countResources({ type: DELETED_INSTANCE_TYPE, parentId: f.vaultId });
      assert.ok(deletedCount <= 1, `${where}: ${deletedCount} soft-deleted copies`);
    }
    // The race met each kind of operation at least once across the rounds.
    const kinds = new Set([...seen.keys()].map((k) => k.split(':')[0]));
    assert.ok(kinds.size >= 3, JSON.stringify([...seen]));
  });
});
