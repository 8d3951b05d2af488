// Errors of backup jobs and of the recovery points their work reads, and the codes a job's
// details carry when it ends with a problem it reports rather than throws.
import { DpError } from './dp-error.ts';

export const RECOVERY_POINT_DATA_CORRUPT = 'UserErrorRecoveryPointDataCorrupt';
export const RECOVERY_POINT_DATA_MISSING = 'UserErrorRecoveryPointDataMissing';
/** A verify or maintenance job found stored data damaged (a job's error detail, not thrown). */
export const BACKUP_DATA_DAMAGED = 'UserErrorBackupDataDamaged';
/** A repair job could not save everything (a job's error detail, not thrown). */
export const BACKUP_DATA_NOT_REPAIRABLE = 'UserErrorBackupDataNotRepairable';
/** A failed job that carries no error detail (an alert's code then). */
export const JOB_FAILED = 'UserErrorJobFailed';

export const jobErrors = {
  /** Start-up found an operation still in progress: the server stopped under it (an operation's error, not thrown). */
  operationInterrupted: (): DpError =>
    new DpError('internal', 'OperationInterrupted', 'The dpvault server stopped while this operation was running. Check the resource and run the operation again.'),
  /** Start-up found a job's task with its lease expired; `kept` says what of its work was removed. */
  jobInterrupted: (kept: string): DpError =>
    new DpError('internal', 'JobInterrupted', `The dpvault server stopped while this job was running. ${kept} Run it again.`),
  /** The shared mode found a job's task with its lease expired (its worker lost) and ran it no more; `kept` says what of its work was removed. */
  jobWorkerLost: (kept: string): DpError =>
    new DpError('internal', 'JobInterrupted', `The dpvault worker running this job was lost (its lease expired without a heartbeat) and the job was not run again. ${kept} Run it again.`),
  jobNotFound: (message: string): DpError => new DpError('notFound', 'UserErrorJobNotFound', message),
  recoveryPointRefInvalid: (message: string): DpError => new DpError('internal', 'InvalidRecoveryPointRef', message),
  /** Reading a recovery point found its data damaged; `cause` is the repository's message. */
  serverArchiveDamaged: (message: string): DpError => new DpError('internal', RECOVERY_POINT_DATA_CORRUPT, message),
  recoveryPointDataCorrupt: (recoveryPointId: string, cause: string): DpError =>
    new DpError('internal', RECOVERY_POINT_DATA_CORRUPT, `Recovery point ${recoveryPointId}: ${cause}`),
  /** Reading a recovery point found its manifest gone; `cause` is the repository's message. */
  recoveryPointDataMissing: (recoveryPointId: string, cause: string): DpError =>
    new DpError('internal', RECOVERY_POINT_DATA_MISSING, `Recovery point ${recoveryPointId}: ${cause}`),
};
