// Errors of the resources that hold others: subscriptions, resource groups, backup vaults and
// registered PostgreSQL servers.
import { DpError } from './dp-error.ts';

export const resourceErrors = {
  alertNotFound: (message: string): DpError => new DpError('notFound', 'ResourceNotFound', message),
  // The vault's irreversible setting transitions (domain/vault.ts SETTING_RULES), as Azure refuses them.
  softDeleteAlwaysOn: (next: string | number, target: string): DpError =>
    new DpError('invalid', 'UserErrorInvalidSoftDeleteStateChange', `Soft delete is AlwaysOn for this vault and cannot be changed to ${next}: the AlwaysOn state is irreversible.`, { target }),
  immutabilityLocked: (next: string | number, target: string): DpError =>
    new DpError('invalid', 'UserErrorUnsupportedVaultImmutabilityStateChange', `Immutability is Locked for this vault and cannot be changed to ${next}: locking is irreversible.`, { target }),
  crossRegionRestoreEnabled: (target: string): DpError =>
    new DpError('invalid', 'UserErrorCrossRegionRestoreCannotBeDisabled', 'Cross region restore is Enabled for this vault and cannot be disabled once enabled.', { target }),
  crossSubscriptionRestoreDisabled: (target: string): DpError =>
    new DpError('invalid', 'UserErrorCrossSubscriptionRestoreStateChange', 'Cross subscription restore is PermanentlyDisabled for this vault; that state is irreversible.', { target }),

  backupVaultNotEmpty: (): DpError =>
    new DpError(
      'conflict',
      'UserErrorBackupVaultNotEmpty',
      'Cannot delete the Backup vault as there are existing backup instances or backup policies in the vault. ' +
        'Delete all backup instances and backup policies that are present in the vault and then try deleting the vault.',
    ),
  backupVaultHoldsSoftDeleted: (count: number): DpError =>
    new DpError(
      'conflict',
      'UserErrorBackupVaultNotEmpty',
      `Cannot delete the Backup vault as it holds ${count} soft-deleted backup instance(s). ` +
        'Undelete and delete them with soft delete off, or wait until they are purged, and then try deleting the vault.',
    ),
  postgresServerInUse: (message: string): DpError => new DpError('conflict', 'UserErrorServerInUse', message),
  postgresServerParameterInvalid: (message: string, target?: string): DpError => new DpError('invalid', 'InvalidRequestParameter', message, { target: target ?? null }),
  resourceGroupLocationChanged: (message: string): DpError => new DpError('invalid', 'InvalidResourceGroupLocation', message),
  resourceGroupNameInvalid: (message: string): DpError => new DpError('invalid', 'InvalidResourceGroup', message),
  resourceGroupNotEmpty: (message: string): DpError => new DpError('conflict', 'ResourceGroupNotEmpty', message),
  resourceGroupNotFound: (group: string): DpError => new DpError('notFound', 'ResourceGroupNotFound', `Resource group '${group}' could not be found.`),
  /** A resource of `type` (its full ARM type) is not in the resource group, as ARM says it. */
  resourceNotFoundInGroup: (type: string, name: string, group: string): DpError =>
    new DpError('notFound', 'ResourceNotFound', `The Resource '${type}/${name}' under resource group '${group}' was not found.`),
  resourceNotFoundOnServer: (type: string, name: string, server: string): DpError =>
    new DpError('notFound', 'ResourceNotFound', `The Resource '${type}/${name}' was not found on server '${server}'.`),
  subscriptionNotFound: (sub: string): DpError => new DpError('notFound', 'SubscriptionNotFound', `The subscription '${sub}' could not be found.`),
};
