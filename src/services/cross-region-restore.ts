// Cross-region restore (Azure's location-scoped CRR APIs, `.../locations/{secondary}/...`): a
// GeoRedundant vault with crossRegionRestoreSettings Enabled can list the recovery points its
// paired (secondary) region holds, restore one from there, and follow those restores as jobs.
// What is listed and restored is read from the secondary region's storage alone, so it works
// while the vault's own storage is unreadable. Each call names the vault (or instance) by id; it
// must lie under the subscription and group of the path, which is what authorization checked.
import { field, type BackupInstanceResource } from '../domain/backup-instance.ts';
import { errors } from '../domain/errors.ts';
import type { JobResource } from '../domain/job.ts';
import type { StoredDump } from '../domain/recovery-point-store.ts';
import { vaultStoreKey } from '../domain/recovery-point-store.ts';
import { toApi, type ApiRecoveryPoint, type RecoveryPointResource } from '../domain/recovery-point.ts';
import type { RestoreRequest } from '../domain/restore-request.ts';
import type { BackupVault } from '../domain/vault.ts';
import type { OperationRecord } from '../catalog/catalog.ts';
import { getInstance } from './backup-instances.ts';
import type { ServiceContext } from './context.ts';
import { secondaryRegionOf } from './geo-copies.ts';
import { createJob, getJob, listJobs } from './jobs.ts';
import { startOperation } from './operations.ts';
import { planRestore, refuseUnconfinedFilesTarget, type RestorePlan } from './restores.ts';
import { datasourceGroup, queueTask } from './tasks.ts';
import { getVault } from './vaults.ts';

/** The path's scope: `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.DataProtection/locations/{location}`. */
export interface CrossRegionScope {
  sub: string;
  rg: string;
  location: string;
}

const VAULT_ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.DataProtection\/backupVaults\/([^/]+)$/i;

/** The vault an id names, which must be in the path's subscription and group. */
async function vaultNamed(ctx: ServiceContext, scope: CrossRegionScope, id: unknown, target: string): Promise<BackupVault> {
  const m = typeof id === 'string' ? VAULT_ID.exec(id) : null;
  if (!m) throw errors.requestParameterInvalid(`${target} must be a backup vault's resource id; got '${String(id ?? '')}'.`, target);
  if (m[1]!.toLowerCase() !== scope.sub.toLowerCase() || m[2]!.toLowerCase() !== scope.rg.toLowerCase()) {
    throw errors.requestParameterInvalid(`${target} names a vault outside the subscription and resource group of the request's path.`, target);
  }
  return getVault(ctx, scope.sub, scope.rg, m[3]!);
}

/**
 * The instance an id names (`{vault id}/backupInstances/{name}`), with its vault and secondary
 * region, once the vault allows the call (checkCrossRegion).
 */
async function instanceNamed(
  ctx: ServiceContext, scope: CrossRegionScope, details: unknown,
): Promise<{ vault: BackupVault; instance: BackupInstanceResource; region: string }> {
  const target = 'sourceBackupInstanceId';
  const id = field(details, target);
  const [vaultPart, name, ...rest] = typeof id === 'string' ? id.split(/\/backupInstances\//i) : [];
  if (!name || rest.length > 0 || name.includes('/')) throw errors.requestParameterInvalid(`${target} must be a backup instance's resource id; got '${String(id ?? '')}'.`, target);
  const vault = await vaultNamed(ctx, scope, vaultPart, target);
  const region = checkCrossRegion(ctx, vault, scope, field(details, 'sourceRegion'));
  return { vault, region, instance: await getInstance(ctx, scope.sub, scope.rg, vault.name, name) };
}

/** The vault's secondary region, once the call is allowed: CRR enabled, GeoRedundant, called at that region, from the vault's own. */
function checkCrossRegion(ctx: ServiceContext, vault: BackupVault, scope: CrossRegionScope, sourceRegion: unknown): string {
  if (vault.properties.featureSettings.crossRegionRestoreSettings.state !== 'Enabled') {
    throw errors.crossRegionRestoreNotEnabled(vault.name, 'its cross region restore setting is Disabled; enable it with backup-vault update --cross-region-restore-state Enabled.');
  }
  const secondary = secondaryRegionOf(vault);
  if (!secondary) throw errors.crossRegionRestoreNotEnabled(vault.name, 'it is not GeoRedundant, so no other region holds its recovery points.');
  if (scope.location.toLowerCase() !== secondary) {
    throw errors.crossRegionWrongRegion(`The secondary region of backup vault '${vault.name}' is ${secondary}, not ${scope.location}: call the cross-region APIs at locations/${secondary}.`, 'location');
  }
  if (sourceRegion !== undefined && sourceRegion !== null && String(sourceRegion).toLowerCase() !== vault.location.toLowerCase()) {
    throw errors.crossRegionWrongRegion(`The backup vault '${vault.name}' is in ${vault.location}, not ${String(sourceRegion)}.`, 'sourceRegion');
  }
  return secondary;
}

/** The instance's points the secondary region's storage holds: id → their bytes there. */
async function storedInSecondary(ctx: ServiceContext, vault: BackupVault, instance: BackupInstanceResource): Promise<Map<string, { stored: StoredDump; metadata: Record<string, unknown> }>> {
  const out = new Map<string, { stored: StoredDump; metadata: Record<string, unknown> }>();
  const dumps = (await ctx.store.secondary?.storedPoints?.(vaultStoreKey(vault.id))) ?? [];
  for (const d of dumps) {
    const of = (d.metadata.instance as { name?: string } | undefined)?.name;
    if (d.datastore === 'VaultStore' && d.recoveryPointId && of?.toLowerCase() === instance.name.toLowerCase()) out.set(d.recoveryPointId, { stored: d.stored, metadata: d.metadata });
  }
  return out;
}

/** `fetchSecondaryRecoveryPoints`: the instance's recovery points in the secondary region, newest first. */
export async function listSecondaryRecoveryPoints(ctx: ServiceContext, scope: CrossRegionScope, body: unknown): Promise<ApiRecoveryPoint[]> {
  const { vault, instance } = await instanceNamed(ctx, scope, body);
  const out: ApiRecoveryPoint[] = [];
  for (const [rpId, { metadata }] of await storedInSecondary(ctx, vault, instance)) {
    const known = (await ctx.catalog.getResource<RecoveryPointResource>(`${instance.id}/recoveryPoints/${rpId}`))?.body;
    const written = metadata.recoveryPoint as RecoveryPointResource | undefined;
    const rp = known ?? (written ? { ...written, id: `${instance.id}/recoveryPoints/${rpId}`, internal: { ...written.internal, data: {} } } : undefined);
    if (rp) out.push(toApi(rp));
  }
  return out.sort((a, b) => b.properties.recoveryPointTime.localeCompare(a.properties.recoveryPointTime));
}

/** Plans a restore from the secondary region: the body is Azure's CrossRegionRestoreRequestObject. */
async function planCrossRegion(ctx: ServiceContext, scope: CrossRegionScope, body: unknown): Promise<{ vault: BackupVault; instance: BackupInstanceResource; plan: RestorePlan; secondary: StoredDump }> {
  const details = field(body, 'crossRegionRestoreDetails');
  if (!details || typeof details !== 'object') {
    throw errors.requestParameterInvalid('The request needs crossRegionRestoreDetails: { sourceRegion, sourceBackupInstanceId }.', 'crossRegionRestoreDetails');
  }
  const request = field(body, 'restoreRequestObject');
  if (!request || typeof request !== 'object') throw errors.requestParameterInvalid('The request needs restoreRequestObject, the restore to run.', 'restoreRequestObject');
  const { vault, instance, region } = await instanceNamed(ctx, scope, details);
  refuseUnconfinedFilesTarget(ctx, request);
  let secondary: StoredDump | undefined;
  const plan = await planRestore(ctx, vault, instance, request, async (rp: RecoveryPointResource, r: RestoreRequest) => {
    if (r.sourceDataStoreType.toLowerCase() !== 'vaultstore') {
      throw errors.requestParameterInvalid(`A cross-region restore reads the secondary region's VaultStore; sourceDataStoreType ${r.sourceDataStoreType} is not there.`, 'sourceDataStoreType');
    }
    if (r.target.restoreLocation && r.target.restoreLocation.toLowerCase() !== region) {
      throw errors.crossRegionWrongRegion(`A cross-region restore restores in the secondary region ${region}; restoreTargetInfo.restoreLocation is ${r.target.restoreLocation}.`, 'restoreTargetInfo.restoreLocation');
    }
    secondary = (await storedInSecondary(ctx, vault, instance)).get(rp.name)?.stored;
    if (!secondary) throw errors.secondaryRecoveryPointNotFound(rp.name, instance.name, region);
  });
  return { vault, instance, plan, secondary: secondary! };
}

/** `validateCrossRegionRestore`: the checks of a cross-region restore, in an operation, restoring nothing. */
export async function validateCrossRegionRestore(ctx: ServiceContext, scope: CrossRegionScope, body: unknown): Promise<{ vault: BackupVault; op: OperationRecord }> {
  const { vault, instance } = await instanceNamed(ctx, scope, field(body, 'crossRegionRestoreDetails'));
  return {
    vault,
    op: await startOperation(ctx, instance.id, async () => {
      await planCrossRegion(ctx, scope, body);
      return { objectType: 'OperationJobExtendedInfo' };
    }),
  };
}

/** `crossRegionRestore`: queues a restore that reads the secondary region's copy only; returns its operation. */
export async function triggerCrossRegionRestore(ctx: ServiceContext, scope: CrossRegionScope, body: unknown): Promise<{ vault: BackupVault; op: OperationRecord }> {
  const { vault, instance, plan, secondary } = await planCrossRegion(ctx, scope, body);
  const rp = plan.recoveryPoint;
  const job = await createJob(ctx, {
    vault, instance, policy: null, category: 'Restore', isUserTriggered: true, taskName: 'Trigger Restore', crossRegion: true,
    sourceDataStoreType: plan.request.sourceDataStoreType,
    recoveryDestination: plan.destination,
    sourceRecoverPoint: { recoveryPointID: rp.name, recoveryPointTime: rp.properties.recoveryPointTime },
  });
  await queueTask(ctx, 'restore', { jobId: job.id, recoveryPointId: rp.name, instanceId: instance.id, request: plan.request, destination: plan.destination, secondary }, { group: datasourceGroup(instance) });
  return { vault, op: await startOperation(ctx, instance.id, async () => ({ jobId: job.id, objectType: 'OperationJobExtendedInfo' })) };
}

/** `fetchCrossRegionRestoreJobs`: the vault's cross-region restores, newest first. */
export async function listCrossRegionJobs(ctx: ServiceContext, scope: CrossRegionScope, body: unknown): Promise<JobResource[]> {
  const vault = await vaultNamed(ctx, scope, field(body, 'sourceBackupVaultId'), 'sourceBackupVaultId');
  checkCrossRegion(ctx, vault, scope, field(body, 'sourceRegion'));
  return (await listJobs(ctx, { vaultId: vault.id }))
    .filter((j) => j.properties.isCrossRegionRestore === true)
    .sort((a, b) => b.properties.startTime.localeCompare(a.properties.startTime));
}

/** `fetchCrossRegionRestoreJob`: one cross-region restore of the vault. */
export async function getCrossRegionJob(ctx: ServiceContext, scope: CrossRegionScope, body: unknown): Promise<JobResource> {
  const vault = await vaultNamed(ctx, scope, field(body, 'sourceBackupVaultId'), 'sourceBackupVaultId');
  checkCrossRegion(ctx, vault, scope, field(body, 'sourceRegion'));
  const jobId = field(body, 'jobId');
  if (typeof jobId !== 'string' || !jobId) throw errors.requestParameterInvalid('jobId is required.', 'jobId');
  const job = await getJob(ctx, scope.sub, scope.rg, vault.name, jobId.split('/').pop()!);
  if (job.properties.isCrossRegionRestore !== true) throw errors.jobNotFound(`The job '${jobId}' is not a cross-region restore of the Backup vault '${vault.name}'.`);
  return job;
}
