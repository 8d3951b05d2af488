// Retention bookkeeping shared by the API actions and the workers: changing a stored recovery point
// atomically, the hold an instance's protection state puts on its points, and re-applying a
// policy to existing points (update-policy, resume).
import { RECOVERY_POINT_TYPE, type BackupInstanceResource } from '../domain/backup-instance.ts';
import { reapplyTimeline } from '../policy/reapply.ts';
import type { ServiceContext } from './context.ts';
import { policyTimeZone, retentionRuleForTag, type PolicyLike } from '../policy/policy-rules.ts';
import type { RecoveryPointResource } from '../domain/recovery-point.ts';
import { currentStores, refreshDataStores, type Hold } from '../policy/retention-plan.ts';

/**
 * Reads, changes and writes one recovery point in a catalog transaction, so the retention worker,
 * a rehydrating restore and a policy change never overwrite each other. `change` may return a
 * value; returns undefined when the point no longer exists.
 */
export async function updateRecoveryPoint<T>(
  ctx: ServiceContext, id: string, change: (rp: RecoveryPointResource) => T,
): Promise<{ rp: RecoveryPointResource; result: T } | undefined> {
  return ctx.catalog.transaction(async () => {
    const found = await ctx.catalog.getResource<RecoveryPointResource>(id);
    if (!found) return undefined;
    const rp = found.body;
    const result = change(rp);
    await ctx.catalog.putResource({ id: found.id, type: RECOVERY_POINT_TYPE, parentId: found.parentId, body: { ...rp } });
    return { rp, result };
  });
}

export async function listPointsOf(ctx: ServiceContext, instanceId: string): Promise<RecoveryPointResource[]> {
  return (await ctx.catalog.listResources<RecoveryPointResource>({ type: RECOVERY_POINT_TYPE, parentId: instanceId })).items.map((r) => r.body);
}

/**
 * The hold on each of an instance's points: stop-protection keeps all forever where they are;
 * suspended backups keep the latest forever (the others by policy); otherwise none.
 */
export function holdsFor(instance: BackupInstanceResource, points: RecoveryPointResource[]): Map<string, Hold> {
  const state = instance.properties.currentProtectionState;
  const out = new Map<string, Hold>();
  const latest = points.reduce<RecoveryPointResource | undefined>(
    (a, p) => (!a || p.properties.recoveryPointTime > a.properties.recoveryPointTime ? p : a),
    undefined,
  );
  for (const p of points) {
    out.set(p.id, state === 'ProtectionStopped' ? 'frozen' : state === 'BackupsSuspended' && p === latest ? 'latestForever' : 'none');
  }
  return out;
}

/**
 * Applies `policy` to the instance's existing recovery points: each point's timeline is recomputed
 * from its creation time and retention tag under the policy's rule of that tag (the default rule
 * when the tag is gone), from where the point lives now. The retention worker then moves and
 * deletes by the new timelines; the shown expiry times change at once.
 */
/** The point with its timeline recomputed under `policy` (a copy; the stored one is unchanged). */
export function withPolicy(point: RecoveryPointResource, policy: PolicyLike): RecoveryPointResource {
  const rp = structuredClone(point);
  const rule = retentionRuleForTag(policy, rp.properties.retentionTagName);
  const created = new Date(rp.properties.recoveryPointTime);
  const current = currentStores(rp).map((c) => ({ store: c.store, since: new Date(c.since) }));
  rp.internal.timeline = reapplyTimeline(rule, created, policyTimeZone(policy), current).map((r) => ({
    dataStoreType: r.dataStoreType, from: r.from.toISOString(), until: r.until?.toISOString() ?? null, reason: r.reason,
  }));
  rp.properties.policyName = policy.name;
  return rp;
}

export async function applyPolicyToRecoveryPoints(ctx: ServiceContext, instance: BackupInstanceResource, policy: PolicyLike): Promise<number> {
  const now = ctx.clock.now();
  const points = await listPointsOf(ctx, instance.id);
  const holds = holdsFor(instance, points);
  for (const p of points) {
    await updateRecoveryPoint(ctx, p.id, (rp) => {
      const next = withPolicy(rp, policy);
      rp.internal.timeline = next.internal.timeline;
      rp.properties.policyName = next.properties.policyName;
      refreshDataStores(rp, now, holds.get(p.id) ?? 'none');
    });
  }
  return points.length;
}

/** The hold on one recovery point now (for work outside a sweep that refreshes what the API shows). */
export async function holdOf(ctx: ServiceContext, rpId: string): Promise<Hold> {
  const instanceId = rpId.split('/recoveryPoints/')[0]!;
  const instance = (await ctx.catalog.getResource<BackupInstanceResource>(instanceId))?.body;
  if (!instance) return 'none';
  const points = await listPointsOf(ctx, instanceId);
  return holdsFor(instance, points).get(points.find((p) => p.id.toLowerCase() === rpId.toLowerCase())?.id ?? '') ?? 'none';
}
