// Jobs: created when work is accepted, updated as it runs, finished exactly once.
import { errors } from '../domain/errors.ts';
import { type JobProperties, type JobResource, JOB_TYPE, isoSpan, jobEtag } from '../domain/job.ts';
import type { BackupInstanceResource } from '../domain/backup-instance.ts';
import type { BackupVault } from '../domain/vault.ts';
import { newGuid } from '../util/ids.ts';
import type { ServiceContext } from './context.ts';
import { jobEndLine, jobStartLine } from './job-log.ts';
import { raiseJobFailureAlert, resolveMissedBackupAlerts } from './alerts.ts';
import { recordBackupOutcome } from './protection-health.ts';
import { getVault } from './vaults.ts';

export interface NewJob {
  vault: BackupVault;
  /** The instance the job works on; vault-wide jobs (verify) have none. */
  instance: BackupInstanceResource | null;
  policy: { id: string; name: string } | null;
  category: 'Backup' | 'Restore' | 'Management';
  /** The operation within the category; defaults to the category. */
  operation?: string;
  isUserTriggered: boolean;
  taskName: string;
  additionalDetails?: Record<string, string>;
  sourceDataStoreType?: string | null;
  recoveryDestination?: string | null;
  sourceRecoverPoint?: { recoveryPointID: string; recoveryPointTime: string } | null;
  rehydrationPriority?: string | null;
  /** A restore that reads the paired region's copy (crossRegionRestore). */
  crossRegion?: boolean;
}

export async function createJob(ctx: ServiceContext, j: NewJob): Promise<JobResource> {
  const id = newGuid();
  const now = ctx.clock.now().toISOString();
  const ds = j.instance?.properties.dataSourceInfo ?? { resourceID: j.vault.id, resourceName: j.vault.name, datasourceType: '', resourceLocation: j.vault.location };
  const props: JobProperties = {
    activityID: newGuid(),
    subscriptionId: ctx.subscriptionId,
    backupInstanceId: j.instance?.id ?? '',
    backupInstanceFriendlyName: j.instance?.properties.friendlyName ?? '',
    policyId: j.policy?.id ?? null,
    policyName: j.policy?.name ?? null,
    dataSourceId: ds.resourceID,
    dataSourceName: ds.resourceName,
    dataSourceSetName: j.instance?.properties.dataSourceSetInfo?.resourceName ?? null,
    dataSourceType: ds.datasourceType,
    dataSourceLocation: ds.resourceLocation || j.vault.location,
    vaultName: j.vault.name,
    sourceResourceGroup: ds.resourceID.split('/')[4] ?? j.vault.resourceGroup,
    sourceSubscriptionID: ds.resourceID.split('/')[2] ?? ctx.subscriptionId,
    sourceDataStoreName: null,
    sourceDataStoreType: j.sourceDataStoreType ?? null,
    destinationDataStoreName: null,
    progressEnabled: true,
    etag: jobEtag(now),
    startTime: now,
    endTime: null,
    duration: 'PT0S',
    operationCategory: j.category,
    operation: j.operation ?? j.category,
    status: 'InProgress',
    restoreType: j.category === 'Restore' ? 'AlternateLocation' : null,
    isUserTriggered: j.isUserTriggered,
    rehydrationPriority: j.rehydrationPriority ?? null,
    supportedActions: j.isUserTriggered ? [''] : [],
    progressUrl: null,
    isCrossRegionRestore: j.category === 'Restore' ? j.crossRegion === true : null,
    errorDetails: null,
    extendedInfo: {
      backupInstanceState: j.instance?.properties.currentProtectionState ?? null,
      dataTransferredInBytes: null,
      targetRecoverPoint: null,
      sourceRecoverPoint: j.sourceRecoverPoint ?? null,
      recoveryDestination: j.recoveryDestination ?? null,
      subTasks: [{ taskId: 1, taskName: j.taskName, taskStatus: 'InProgress', taskProgress: null, additionalDetails: null }],
      additionalDetails: j.additionalDetails ?? null,
    },
  };
  const job: JobResource = { id: `${j.vault.id}/backupJobs/${id}`, name: id, type: JOB_TYPE, properties: props };
  await saveJob(ctx, job);
  ctx.log?.(jobStartLine(job));
  return job;
}

export async function saveJob(ctx: ServiceContext, job: JobResource): Promise<void> {
  await ctx.catalog.putResource({ id: job.id, type: JOB_TYPE, parentId: job.id.split('/backupJobs/')[0]!, body: { ...job } });
}

export async function loadJob(ctx: ServiceContext, id: string): Promise<JobResource | undefined> {
  return (await ctx.catalog.getResource<JobResource>(id))?.body;
}

/** Applies `change` to the stored job (progress, results). */
export async function updateJob(ctx: ServiceContext, id: string, change: (p: JobProperties) => void): Promise<JobResource> {
  const job = await loadJob(ctx, id);
  if (!job) throw errors.jobNotFound(`Job '${id}' was not found.`);
  change(job.properties);
  job.properties.etag = jobEtag(ctx.clock.now().toISOString());
  await saveJob(ctx, job);
  return job;
}

/**
 * Ends a job as Completed or Failed; a job ends once. The end is logged and counted (metrics), a
 * backup's outcome is shown on its backup instance (protection-health.ts), a failure raises an
 * alert when the vault asks for one and a completed backup resolves its instance's Missed Backup
 * alerts (alerts.ts).
 */
export async function finishJob(
  ctx: ServiceContext, id: string, outcome: { error?: { code: string; message: string; recommendedAction?: string[] } }, change?: (p: JobProperties) => void,
): Promise<JobResource> {
  let ended = false;
  const job = await updateJob(ctx, id, (p) => {
    if (p.status !== 'InProgress') return;
    ended = true;
    const end = ctx.clock.now().toISOString();
    p.status = outcome.error ? 'Failed' : 'Completed';
    p.endTime = end;
    p.duration = isoSpan(p.startTime, end);
    p.errorDetails = outcome.error ? [outcome.error] : null;
    for (const t of p.extendedInfo.subTasks) t.taskStatus = p.status;
    change?.(p);
  });
  if (ended) {
    ctx.log?.(jobEndLine(job));
    ctx.metrics?.jobEnded(job);
    await recordBackupOutcome(ctx, job);
    await raiseJobFailureAlert(ctx, job);
    await resolveMissedBackupAlerts(ctx, job);
  }
  return job;
}

export async function getJob(ctx: ServiceContext, sub: string, rg: string, vault: string, jobId: string): Promise<JobResource> {
  const v = await getVault(ctx, sub, rg, vault);
  const job = await loadJob(ctx, `${v.id}/backupJobs/${jobId}`);
  if (!job) throw errors.jobNotFound(`The job '${jobId}' was not found in the Backup vault '${v.name}'.`);
  return job;
}

export async function listJobs(ctx: ServiceContext, scope: { vaultId?: string }): Promise<JobResource[]> {
  const page = await ctx.catalog.listResources<JobResource>(
    scope.vaultId ? { type: JOB_TYPE, parentId: scope.vaultId } : { type: JOB_TYPE, idPrefix: `/subscriptions/${ctx.subscriptionId}/` },
  );
  return page.items.map((r) => r.body);
}
