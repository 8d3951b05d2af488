// A backup instance says how its last backup went, as Azure's protection status does: a failed
// backup sets protectionStatus to ProtectionError with the job's error as a UserFacingError (also in
// protectionErrorDetails); the next completed backup clears both. currentProtectionState is left
// alone: it is the state the user chose (configured, suspended, stopped), and the scheduler keeps
// running backups while an error is shown.
import type { BackupInstanceProperties, BackupInstanceResource } from '../domain/backup-instance.ts';
import { INSTANCE_TYPE } from '../domain/backup-instance.ts';
import type { JobResource } from '../domain/job.ts';
import type { ServiceContext } from './context.ts';

/** Azure's UserFacingError, as protectionStatus.errorDetails and protectionErrorDetails carry it. */
export interface UserFacingError {
  code: string;
  message: string;
  recommendedAction: string[];
  details: null;
  innerError: null;
  isRetryable: boolean;
  isUserError: boolean;
  target: string;
  properties: Record<string, string>;
}

/** The instance's protection fields after backup `job` ended; null when nothing changes. Pure. */
export function protectionAfterBackup(props: BackupInstanceProperties, job: JobResource): Pick<BackupInstanceProperties, 'protectionStatus' | 'protectionErrorDetails'> | null {
  const p = job.properties;
  const configured = props.currentProtectionState === 'ProtectionConfigured';
  const error = p.status === 'Failed' ? p.errorDetails?.[0] : undefined;
  if (error) {
    const details: UserFacingError = {
      code: error.code,
      message: error.message,
      recommendedAction: error.recommendedAction ?? [`See the failed job: dpvault job show --ids ${job.id}`],
      details: null,
      innerError: null,
      isRetryable: true,
      isUserError: error.code.startsWith('UserError'),
      target: '',
      properties: { ActivityId: p.activityID, JobId: job.id, JobStatus: p.status, JobStartTime: p.startTime, JobEndTime: p.endTime ?? '' },
    };
    return { protectionStatus: { status: configured ? 'ProtectionError' : props.protectionStatus.status, errorDetails: details }, protectionErrorDetails: details };
  }
  if (p.status !== 'Completed' || (props.protectionErrorDetails === null && props.protectionStatus.errorDetails === null)) return null;
  return { protectionStatus: { status: configured ? 'ProtectionConfigured' : props.protectionStatus.status, errorDetails: null }, protectionErrorDetails: null };
}

/** Records how backup `job` ended on its backup instance (when the instance still exists). */
export async function recordBackupOutcome(ctx: ServiceContext, job: JobResource): Promise<void> {
  if (job.properties.operationCategory !== 'Backup' || !job.properties.backupInstanceId) return;
  const found = await ctx.catalog.getResource<BackupInstanceResource>(job.properties.backupInstanceId);
  if (!found) return;
  const instance = found.body;
  const change = protectionAfterBackup(instance.properties, job);
  if (!change) return;
  const next: BackupInstanceResource = { ...instance, properties: { ...instance.properties, ...change } };
  await ctx.catalog.putResource({ id: instance.id, type: INSTANCE_TYPE, parentId: instance.id.split('/backupInstances/')[0]!, body: { ...next } });
}
