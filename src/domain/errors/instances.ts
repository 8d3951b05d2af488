// Errors of backup instances: their datasource, policy and credentials, their protection state and
// on-demand backups.
import { DpError } from './dp-error.ts';

const ALREADY_PROTECTED = 'UserErrorDppDatasourceAlreadyProtected';

export const instanceErrors = {
  /** The datasource is protected by backup instance `instance` in the vault `vaultId`; Azure adds a UserFacingError. */
  datasourceAlreadyProtected: (vaultId: string, instance: string): DpError => {
    const message = `Datasource is already protected under the Backup vault ${vaultId}.`;
    return new DpError('invalid', ALREADY_PROTECTED, message, {
      additionalInfo: [
        {
          type: 'UserFacingError',
          info: {
            code: ALREADY_PROTECTED,
            message,
            recommendedAction: [`Delete the backup instance ${instance} from the Backup vault ${vaultId} to re-protect the datasource in any other vault.`],
            isRetryable: false,
            isUserError: true,
          },
        },
      ],
    });
  },
  /** The vault's identity lacks roles or secret access a whole-server backup or restore as a server needs (Azure's code). */
  vaultPermissionsMissing: (message: string): DpError => new DpError('invalid', 'UserErrorMissingRequiredPermissions', message),
  flexibleServerNotRegistered: (message: string): DpError => new DpError('invalid', 'UserErrorDBNotFound', message),
  backupAlreadyRunning: (message: string): DpError => new DpError('conflict', 'UserErrorAnotherBackupInProgress', message),
  backupInstanceNotFound: (name: string, vault: string): DpError =>
    new DpError('notFound', 'UserErrorBackupInstanceNotFound', `The backup instance '${name}' was not found in the Backup vault '${vault}'.`),
  backupRuleNameInvalid: (message: string, target?: string): DpError => new DpError('invalid', 'UserErrorInvalidBackupRuleName', message, { target: target ?? null }),
  connectionStringConflict: (message: string): DpError => new DpError('invalid', 'UserErrorConnectionStringConflict', message),
  datasourceIdInvalid: (message: string): DpError => new DpError('invalid', 'UserErrorInvalidDataSourceId', message),
  datasourcePolicyTypeMismatch: (message: string, target?: string): DpError => new DpError('invalid', 'UserErrorDatasourceAndPolicyTypeMismatch', message, { target: target ?? null }),
  datasourceTypeUnsupported: (message: string): DpError => new DpError('invalid', 'UserErrorUnsupportedDatasourceType', message),
  deletedInstanceNotFound: (name: string, vault: string): DpError =>
    new DpError('notFound', 'UserErrorBackupInstanceNotFound', `The deleted backup instance '${name}' was not found in the Backup vault '${vault}'.`),
  instanceNameSoftDeleted: (name: string, vault: string): DpError =>
    new DpError(
      'conflict',
      'UserErrorSoftDeletedBackupInstanceExists',
      `A backup instance named '${name}' is soft-deleted in the Backup vault '${vault}': undelete it (backup-instance deleted-backup-instance undelete) or use another name.`,
    ),
  immutableVaultDeniesDelete: (message: string): DpError => new DpError('conflict', 'UserErrorOperationDeniedOnImmutableItem', message),
  instanceHasRunningJob: (message: string): DpError => new DpError('conflict', 'UserErrorAnotherOperationInProgress', message),
  instancePolicyNotFound: (message: string, target?: string): DpError => new DpError('invalid', 'UserErrorPolicyNotFound', message, { target: target ?? null }),
  postgresServerNotRegistered: (message: string): DpError => new DpError('invalid', 'UserErrorDBNotFound', message),
  protectionStateForbids: (message: string): DpError => new DpError('invalid', 'UserErrorInvalidOperationForProtectionState', message),
  retentionTagInvalid: (message: string, target?: string): DpError => new DpError('invalid', 'UserErrorInvalidRetentionTag', message, { target: target ?? null }),
  secretStoreCredentialsMissing: (message: string): DpError => new DpError('invalid', 'UserErrorMissingSecretStoreCredentials', message),
  subscriptionMismatch: (message: string): DpError => new DpError('invalid', 'UserErrorSubscriptionMismatch', message),
};
