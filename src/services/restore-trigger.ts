// Restores of a backup instance's recovery points (`POST {instance}/restore`) and their dry run
// (`validateRestore`): the request is planned (restores.ts), a restore is recorded as a Restore
// job and queued for a worker, and each is answered with a long-running operation.
import type { OperationRecord } from '../catalog/catalog.ts';
import { field, type BackupInstanceResource } from '../domain/backup-instance.ts';
import type { BackupVault } from '../domain/vault.ts';
import type { ServiceContext } from './context.ts';
import { createJob } from './jobs.ts';
import { startOperation } from './operations.ts';
import { planRestore, refuseUnconfinedFilesTarget } from './restores.ts';
import { datasourceGroup, queueTask } from './tasks.ts';

/** Checks a restore request (body or its `restoreRequestObject`) in an operation, restoring nothing. */
export async function validateRestore(ctx: ServiceContext, vault: BackupVault, instance: BackupInstanceResource, body: unknown): Promise<OperationRecord> {
  const request = field(body, 'restoreRequestObject') ?? body;
  refuseUnconfinedFilesTarget(ctx, request);
  return startOperation(ctx, instance.id, async () => {
    await planRestore(ctx, vault, instance, request);
    return { objectType: 'OperationJobExtendedInfo' };
  });
}

/** Queues the restore the body asks for (a bad request fails here, before any job); returns its operation. */
export async function triggerRestore(ctx: ServiceContext, vault: BackupVault, instance: BackupInstanceResource, body: unknown): Promise<OperationRecord> {
  const plan = await planRestore(ctx, vault, instance, body);
  const rp = plan.recoveryPoint;
  const job = await createJob(ctx, {
    vault, instance, policy: null, category: 'Restore', isUserTriggered: true, taskName: 'Trigger Restore',
    sourceDataStoreType: plan.request.sourceDataStoreType,
    recoveryDestination: plan.destination,
    sourceRecoverPoint: { recoveryPointID: rp.name, recoveryPointTime: rp.properties.recoveryPointTime },
    rehydrationPriority: plan.request.rehydrationPriority,
  });
  await queueTask(ctx, 'restore', { jobId: job.id, recoveryPointId: rp.name, instanceId: instance.id, request: plan.request, destination: plan.destination }, { group: datasourceGroup(instance) });
  return startOperation(ctx, instance.id, async () => ({ jobId: job.id, objectType: 'OperationJobExtendedInfo' }));
}
