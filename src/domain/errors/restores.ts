// Errors of restores: the recovery point, its datastore and rehydration, and the restore target.
import { DpError } from './dp-error.ts';

export const restoreErrors = {
  serverPointDatabaseMissing: (message: string): DpError => new DpError('invalid', 'UserErrorRecoveryPointNotFound', message),
  /** Restore as a server: databases of the point already exist on the target (FailIfExists). */
  serverDatabasesInUse: (message: string): DpError => new DpError('invalid', 'UserErrorDatabaseNameAlreadyInUse', message),
  recoveryPointGone: (message: string): DpError => new DpError('conflict', 'UserErrorRecoveryPointNotFound', message),
  recoveryPointLeftDatastore: (message: string): DpError => new DpError('conflict', 'UserErrorRecoveryPointNotInDatastore', message),
  recoveryPointNotFound: (id: string, instance: string): DpError =>
    new DpError('notFound', 'UserErrorRecoveryPointNotFound', `The recovery point '${id}' was not found in backup instance '${instance}'.`),
  recoveryPointNotInDatastore: (message: string, target?: string): DpError => new DpError('invalid', 'UserErrorRecoveryPointNotInDatastore', message, { target: target ?? null }),
  rehydrationInProgress: (message: string): DpError => new DpError('conflict', 'UserErrorRehydrationInProgress', message),
  rehydrationRequired: (message: string, target?: string): DpError => new DpError('invalid', 'UserErrorRecoveryPointRehydrationRequired', message, { target: target ?? null }),
  /** Tables of an item-level restore that are badly named or named twice. */
  restoreItemsInvalid: (message: string, target?: string): DpError => new DpError('invalid', 'UserErrorInvalidRequestParameter', message, { target: target ?? null }),
  /** Tables of an item-level restore that the recovery point does not hold. */
  restoreItemsNotFound: (message: string, target?: string): DpError => new DpError('invalid', 'UserErrorRestoreItemNotFound', message, { target: target ?? null }),
  /** Tables of an item-level restore whose name is taken in the target database (FailIfExists). */
  restoreItemsExist: (message: string, target?: string): DpError => new DpError('invalid', 'UserErrorRestoreItemAlreadyExists', message, { target: target ?? null }),
  restoreDirectoryNotAccessible: (message: string, target?: string): DpError => new DpError('invalid', 'UserErrorContainerNotAccessible', message, { target: target ?? null }),
  restorePointNotFound: (message: string, target?: string): DpError => new DpError('invalid', 'UserErrorRecoveryPointNotFound', message, { target: target ?? null }),
  restoreTargetNotSupported: (message: string): DpError => new DpError('invalid', 'UserErrorRestoreTargetNotSupported', message),
  restoreToLowerVersion: (message: string): DpError => new DpError('invalid', 'UserErrorRestoreToLowerVersion', message),
  restoreWriterClosed: (message: string): DpError => new DpError('internal', 'UserErrorRestoreTargetClosed', message),
};
