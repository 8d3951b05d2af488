// The scheduler's check for missed backups (issue 20: "a missed schedule alerts too"): at each tick,
// for a protected instance, the latest occurrence of its schedule whose grace has ended since the
// last check (overdue.ts) raises one Missed Backup alert when no backup of the instance has
// completed since that occurrence. The check's mark moves past the occurrence either way, so an
// occurrence raises at most one alert; the alert is resolved when a backup completes
// (services/alerts.ts). Suspended and stopped instances are not checked (the scheduler skips them),
// and resuming protection moves the mark to that moment (schedule-state.ts).
import type { BackupInstanceResource } from '../domain/backup-instance.ts';
import { missedBackupAlert } from '../domain/alert.ts';
import { JOB_TYPE, type JobResource } from '../domain/job.ts';
import type { BackupSchedule } from '../policy/policy-rules.ts';
import { raiseAlert } from '../services/alerts.ts';
import type { ServiceContext } from '../services/context.ts';
import { getMissedCheckedThrough, setMissedCheckedThrough } from '../services/schedule-state.ts';
import { DEFAULT_MIN_GRACE_MS, latestOverdue } from './overdue.ts';

/** The end of the instance's newest completed backup job, or null. */
async function lastSuccess(ctx: ServiceContext, vaultId: string, instanceId: string): Promise<string | null> {
  let newest: string | null = null;
  for (const { body: { properties: p } } of (await ctx.catalog.listResources<JobResource>({ type: JOB_TYPE, parentId: vaultId })).items) {
    if (p.operationCategory !== 'Backup' || p.status !== 'Completed' || !p.endTime || p.backupInstanceId.toLowerCase() !== instanceId.toLowerCase()) continue;
    if (newest === null || p.endTime > newest) newest = p.endTime;
  }
  return newest;
}

/**
 * Checks one protected instance at `now`; returns the id of the alert it raised, if any. `checked`
 * is its mark as the tick read it with every other instance's (schedule-state.ts loadScheduleMarks);
 * when an occurrence is overdue the mark is read again in the transaction that raises, so two
 * processes ticking at once raise one alert.
 */
export async function checkMissedBackup(ctx: ServiceContext, instance: BackupInstanceResource, schedule: BackupSchedule, now: Date, checked: Date | null): Promise<string | null> {
  if (!checked) {
    // Protected before the service checked for missed backups: the check starts now.
    await setMissedCheckedThrough(ctx, instance.id, now);
    return null;
  }
  const overdue = latestOverdue(schedule, checked, now, ctx.missedBackupGraceMs ?? DEFAULT_MIN_GRACE_MS);
  if (!overdue) return null;
  const vaultId = instance.id.split('/backupInstances/')[0]!;
  // Read in the transaction that raises: a backup completing meanwhile is either seen here or
  // resolves the alert after it (services/alerts.ts resolveMissedBackupAlerts).
  return ctx.catalog.transaction(async () => {
    const current = await getMissedCheckedThrough(ctx, instance.id);
    if (current && current.getTime() >= overdue.due.getTime()) return null; // another tick checked it meanwhile
    const last = await lastSuccess(ctx, vaultId, instance.id);
    await setMissedCheckedThrough(ctx, instance.id, overdue.due);
    if (last !== null && Date.parse(last) >= overdue.due.getTime()) return null;
    const raised = await raiseAlert(ctx, (webhooks) => missedBackupAlert({
      instanceId: instance.id, vaultId, policyId: instance.properties.policyInfo.policyId, subscriptionId: ctx.subscriptionId, now: now.toISOString(),
      webhooks, due: overdue.due, overdueSince: overdue.overdueSince, lastSuccess: last,
    }));
    return raised?.id ?? null;
  });
}
