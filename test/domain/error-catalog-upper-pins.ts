// The pins of the catalog's constructors for the service's upper layers (api, services, jobs,
// policy, domain), spread into error-catalog.test.ts's PINNED: each constructor's code, HTTP status
// and message as users saw them before the throw sites moved into the catalog. Where the throw site
// composes the message, `'m'` stands for it.
import { errors, type DpError } from '../../src/domain/errors.ts';
import type { apiErrors } from '../../src/domain/errors/api.ts';
import type { hostErrors } from '../../src/domain/errors/host.ts';
import type { instanceErrors } from '../../src/domain/errors/instances.ts';
import type { jobErrors } from '../../src/domain/errors/jobs.ts';
import type { keyVaultErrors } from '../../src/domain/errors/key-vaults.ts';
import type { policyErrors } from '../../src/domain/errors/policies.ts';
import type { requestErrors } from '../../src/domain/errors/requests.ts';
import type { resourceErrors } from '../../src/domain/errors/resources.ts';
import type { restoreErrors } from '../../src/domain/errors/restores.ts';

type Upper = typeof apiErrors & typeof requestErrors & typeof resourceErrors & typeof keyVaultErrors & typeof instanceErrors &
  typeof restoreErrors & typeof policyErrors & typeof jobErrors & typeof hostErrors;

export const UPPER_PINS: Record<keyof Upper, [DpError, string, number, string]> = {
  // errors/api.ts
  requestHeadersTooLarge: [errors.requestHeadersTooLarge(), 'RequestHeadersTooLarge', 400, 'The request headers are too large.'],
  requestTimedOut: [errors.requestTimedOut(), 'RequestTimeout', 400, 'The request was not received in time.'],
  requestUnparsable: [errors.requestUnparsable('parserCode1'), 'BadRequest', 400, 'The request could not be parsed as HTTP (parserCode1).'],
  apiVersionInvalid: [errors.apiVersionInvalid('m'), 'InvalidApiVersionParameter', 400, 'm'],
  apiVersionMissing: [errors.apiVersionMissing(), 'MissingApiVersionParameter', 400, 'The api-version query parameter (?api-version=) is required for all requests.'],
  apiVersionNotSupported: [errors.apiVersionNotSupported('m'), 'NoRegisteredProviderFound', 400, 'm'],
  mediaTypeUnsupported: [errors.mediaTypeUnsupported('m'), 'UnsupportedMediaType', 400, 'm'],
  methodNotAllowed: [errors.methodNotAllowed('m'), 'MethodNotAllowed', 400, 'm'],
  operationNotFound: [errors.operationNotFound('id1'), 'OperationNotFound', 404, "The operation 'id1' was not found."],
  requestBodyTooLarge: [errors.requestBodyTooLarge('m'), 'RequestEntityTooLarge', 400, 'm'],
  requestContentInvalid: [errors.requestContentInvalid('m', 't'), 'InvalidRequestContent', 400, 'm'],
  requestUriMalformed: [errors.requestUriMalformed('m'), 'InvalidRequestUri', 400, 'm'],
  resourceTypeNotServed: [errors.resourceTypeNotServed('m'), 'InvalidResourceType', 404, 'm'],
  responseNotWritten: [errors.responseNotWritten(), 'InternalError', 500, 'The response could not be written.'],
  portalFileNotFound: [errors.portalFileNotFound('a.js'), 'PortalFileNotFound', 404, "The portal has no file 'a.js'."],
  portalNotBuilt: [errors.portalNotBuilt('/d'), 'PortalNotBuilt', 404, "The portal is not built: '/d' is missing; run 'npm run build' (or 'npm install') in dpvault's directory."],
  // errors/requests.ts
  argumentsMutuallyExclusive: [errors.argumentsMutuallyExclusive('m'), 'MutuallyExclusiveArgumentError', 400, 'm'],
  filterInvalid: [errors.filterInvalid('m', 't'), 'InvalidFilter', 400, 'm'],
  instanceLookupMissing: [errors.instanceLookupMissing(), 'InternalError', 500, 'No way to look up the backup instance given by --backup-instance-id.'],
  locationRequired: [errors.locationRequired('t'), 'LocationRequired', 400, 'The location property is required for this definition.'],
  parameterInvalid: [errors.parameterInvalid('m', 't'), 'InvalidParameter', 400, 'm'],
  requestArgumentMissing: [errors.requestArgumentMissing('m'), 'RequiredArgumentMissingError', 400, 'm'],
  requestParameterInvalid: [errors.requestParameterInvalid('m', 't'), 'UserErrorInvalidRequestParameter', 400, 'm'],
  resourceNameInvalid: [errors.resourceNameInvalid('m'), 'InvalidResourceName', 400, 'm'],
  // errors/resources.ts
  softDeleteAlwaysOn: [errors.softDeleteAlwaysOn('Disabled', 't'), 'UserErrorInvalidSoftDeleteStateChange', 400, 'Soft delete is AlwaysOn for this vault and cannot be changed to Disabled: the AlwaysOn state is irreversible.'],
  immutabilityLocked: [errors.immutabilityLocked('Disabled', 't'), 'UserErrorUnsupportedVaultImmutabilityStateChange', 400, 'Immutability is Locked for this vault and cannot be changed to Disabled: locking is irreversible.'],
  crossRegionRestoreEnabled: [errors.crossRegionRestoreEnabled('t'), 'UserErrorCrossRegionRestoreCannotBeDisabled', 400, 'Cross region restore is Enabled for this vault and cannot be disabled once enabled.'],
  crossSubscriptionRestoreDisabled: [errors.crossSubscriptionRestoreDisabled('t'), 'UserErrorCrossSubscriptionRestoreStateChange', 400, 'Cross subscription restore is PermanentlyDisabled for this vault; that state is irreversible.'],
  backupVaultHoldsSoftDeleted: [
    errors.backupVaultHoldsSoftDeleted(2), 'UserErrorBackupVaultNotEmpty', 409,
    'Cannot delete the Backup vault as it holds 2 soft-deleted backup instance(s). Undelete and delete them with soft delete off, or wait until they are purged, and then try deleting the vault.',
  ],
  backupVaultNotEmpty: [errors.backupVaultNotEmpty(), 'UserErrorBackupVaultNotEmpty', 409, 'Cannot delete the Backup vault as there are existing backup instances or backup policies in the vault. Delete all backup instances and backup policies that are present in the vault and then try deleting the vault.'],
  postgresServerInUse: [errors.postgresServerInUse('m'), 'UserErrorServerInUse', 409, 'm'],
  postgresServerParameterInvalid: [errors.postgresServerParameterInvalid('m', 't'), 'InvalidRequestParameter', 400, 'm'],
  resourceGroupLocationChanged: [errors.resourceGroupLocationChanged('m'), 'InvalidResourceGroupLocation', 400, 'm'],
  resourceGroupNameInvalid: [errors.resourceGroupNameInvalid('m'), 'InvalidResourceGroup', 400, 'm'],
  resourceGroupNotEmpty: [errors.resourceGroupNotEmpty('m'), 'ResourceGroupNotEmpty', 409, 'm'],
  resourceGroupNotFound: [errors.resourceGroupNotFound('group1'), 'ResourceGroupNotFound', 404, "Resource group 'group1' could not be found."],
  resourceNotFoundInGroup: [errors.resourceNotFoundInGroup('type1', 'name1', 'group1'), 'ResourceNotFound', 404, "The Resource 'type1/name1' under resource group 'group1' was not found."],
  resourceNotFoundOnServer: [errors.resourceNotFoundOnServer('type1', 'name1', 'server1'), 'ResourceNotFound', 404, "The Resource 'type1/name1' was not found on server 'server1'."],
  subscriptionNotFound: [errors.subscriptionNotFound('sub1'), 'SubscriptionNotFound', 404, "The subscription 'sub1' could not be found."],
  // errors/key-vaults.ts
  keyVaultNameTaken: [errors.keyVaultNameTaken('m'), 'VaultAlreadyExists', 409, 'm'],
  keyVaultRequestInvalid: [errors.keyVaultRequestInvalid('m', 't'), 'BadRequest', 400, 'm'],
  secretInvalid: [errors.secretInvalid('m'), 'UserErrorInvalidSecret', 400, 'm'],
  secretNotFound: [errors.secretNotFound('m'), 'SecretNotFound', 404, 'm'],
  secretParameterInvalid: [errors.secretParameterInvalid('m', 't'), 'BadParameter', 400, 'm'],
  secretStoreInvalid: [errors.secretStoreInvalid('m'), 'UserErrorInvalidSecretStore', 400, 'm'],
  secretStorePermissionMissing: [errors.secretStorePermissionMissing('m'), 'UserErrorMissingPermissionsOnSecretStore', 400, 'm'],
  // errors/instances.ts
  datasourceAlreadyProtected: [errors.datasourceAlreadyProtected('vaultId1', 'instance1'), 'UserErrorDppDatasourceAlreadyProtected', 400, 'Datasource is already protected under the Backup vault vaultId1.'],
  backupAlreadyRunning: [errors.backupAlreadyRunning('m'), 'UserErrorAnotherBackupInProgress', 409, 'm'],
  backupInstanceNotFound: [errors.backupInstanceNotFound('name1', 'vault1'), 'UserErrorBackupInstanceNotFound', 404, "The backup instance 'name1' was not found in the Backup vault 'vault1'."],
  backupRuleNameInvalid: [errors.backupRuleNameInvalid('m', 't'), 'UserErrorInvalidBackupRuleName', 400, 'm'],
  connectionStringConflict: [errors.connectionStringConflict('m'), 'UserErrorConnectionStringConflict', 400, 'm'],
  datasourceIdInvalid: [errors.datasourceIdInvalid('m'), 'UserErrorInvalidDataSourceId', 400, 'm'],
  datasourcePolicyTypeMismatch: [errors.datasourcePolicyTypeMismatch('m', 't'), 'UserErrorDatasourceAndPolicyTypeMismatch', 400, 'm'],
  datasourceTypeUnsupported: [errors.datasourceTypeUnsupported('m'), 'UserErrorUnsupportedDatasourceType', 400, 'm'],
  deletedInstanceNotFound: [errors.deletedInstanceNotFound('bi', 'v'), 'UserErrorBackupInstanceNotFound', 404, "The deleted backup instance 'bi' was not found in the Backup vault 'v'."],
  instanceNameSoftDeleted: [
    errors.instanceNameSoftDeleted('bi', 'v'), 'UserErrorSoftDeletedBackupInstanceExists', 409,
    "A backup instance named 'bi' is soft-deleted in the Backup vault 'v': undelete it (backup-instance deleted-backup-instance undelete) or use another name.",
  ],
  immutableVaultDeniesDelete: [errors.immutableVaultDeniesDelete('m'), 'UserErrorOperationDeniedOnImmutableItem', 409, 'm'],
  instanceHasRunningJob: [errors.instanceHasRunningJob('m'), 'UserErrorAnotherOperationInProgress', 409, 'm'],
  instancePolicyNotFound: [errors.instancePolicyNotFound('m', 't'), 'UserErrorPolicyNotFound', 400, 'm'],
  postgresServerNotRegistered: [errors.postgresServerNotRegistered('m'), 'UserErrorDBNotFound', 400, 'm'],
  protectionStateForbids: [errors.protectionStateForbids('m'), 'UserErrorInvalidOperationForProtectionState', 400, 'm'],
  retentionTagInvalid: [errors.retentionTagInvalid('m', 't'), 'UserErrorInvalidRetentionTag', 400, 'm'],
  secretStoreCredentialsMissing: [errors.secretStoreCredentialsMissing('m'), 'UserErrorMissingSecretStoreCredentials', 400, 'm'],
  subscriptionMismatch: [errors.subscriptionMismatch('m'), 'UserErrorSubscriptionMismatch', 400, 'm'],
  // errors/restores.ts
  recoveryPointGone: [errors.recoveryPointGone('m'), 'UserErrorRecoveryPointNotFound', 409, 'm'],
  recoveryPointLeftDatastore: [errors.recoveryPointLeftDatastore('m'), 'UserErrorRecoveryPointNotInDatastore', 409, 'm'],
  recoveryPointNotFound: [errors.recoveryPointNotFound('id1', 'instance1'), 'UserErrorRecoveryPointNotFound', 404, "The recovery point 'id1' was not found in backup instance 'instance1'."],
  recoveryPointNotInDatastore: [errors.recoveryPointNotInDatastore('m', 't'), 'UserErrorRecoveryPointNotInDatastore', 400, 'm'],
  rehydrationInProgress: [errors.rehydrationInProgress('m'), 'UserErrorRehydrationInProgress', 409, 'm'],
  rehydrationRequired: [errors.rehydrationRequired('m', 't'), 'UserErrorRecoveryPointRehydrationRequired', 400, 'm'],
  restoreItemsInvalid: [errors.restoreItemsInvalid('m', 't'), 'UserErrorInvalidRequestParameter', 400, 'm'],
  restoreItemsNotFound: [errors.restoreItemsNotFound('m', 't'), 'UserErrorRestoreItemNotFound', 400, 'm'],
  restoreItemsExist: [errors.restoreItemsExist('m', 't'), 'UserErrorRestoreItemAlreadyExists', 400, 'm'],
  restoreDirectoryNotAccessible: [errors.restoreDirectoryNotAccessible('m', 't'), 'UserErrorContainerNotAccessible', 400, 'm'],
  restorePointNotFound: [errors.restorePointNotFound('m', 't'), 'UserErrorRecoveryPointNotFound', 400, 'm'],
  restoreTargetNotSupported: [errors.restoreTargetNotSupported('m'), 'UserErrorRestoreTargetNotSupported', 400, 'm'],
  restoreToLowerVersion: [errors.restoreToLowerVersion('m'), 'UserErrorRestoreToLowerVersion', 400, 'm'],
  restoreWriterClosed: [errors.restoreWriterClosed('m'), 'UserErrorRestoreTargetClosed', 500, 'm'],
  // errors/policies.ts
  policyRejected: [errors.policyRejected('UserErrorDuplicateRuleName', 'm', 't'), 'UserErrorDuplicateRuleName', 400, 'm'],
  policyPartRejected: [errors.policyPartRejected(errors.durationInvalid('bad', 'p'), 't'), 'InvalidDuration', 400, 'bad'],
  defaultPolicyTemplateMissing: [errors.defaultPolicyTemplateMissing(), 'CLIInternalError', 500, 'Unable to get default policy template.'],
  defaultRetentionRuleRemoval: [errors.defaultRetentionRuleRemoval(), 'ForbiddenError', 403, 'Removing Default Retention Rule is not allowed. Please try again with different rule name.'],
  durationInvalid: [errors.durationInvalid('m', 't'), 'InvalidDuration', 400, 'm'],
  policyInUse: [errors.policyInUse('m'), 'UserErrorBackupPolicyInUse', 409, 'm'],
  policyInvalid: [errors.policyInvalid('m', 't'), 'UserErrorInvalidPolicy', 400, 'm'],
  policyNotFound: [errors.policyNotFound('name1', 'vault1'), 'UserErrorPolicyNotFound', 404, "The backup policy 'name1' was not found in the Backup vault 'vault1'."],
  repeatingIntervalInvalid: [errors.repeatingIntervalInvalid('m', 't'), 'InvalidRepeatingInterval', 400, 'm'],
  retentionRuleInvalid: [errors.retentionRuleInvalid('m', 't'), 'UserErrorInvalidRetentionRule', 400, 'm'],
  retentionTagOverrideInvalid: [errors.retentionTagOverrideInvalid('m', 't'), 'UserErrorInvalidRetentionTagOverride', 400, 'm'],
  timeZoneInvalid: [errors.timeZoneInvalid('m', 't'), 'InvalidTimeZone', 400, 'm'],
  // errors/jobs.ts
  operationInterrupted: [errors.operationInterrupted(), 'OperationInterrupted', 500, 'The dpvault server stopped while this operation was running. Check the resource and run the operation again.'],
  jobInterrupted: [errors.jobInterrupted('kept1'), 'JobInterrupted', 500, 'The dpvault server stopped while this job was running. kept1 Run it again.'],
  jobWorkerLost: [
    errors.jobWorkerLost('kept1'), 'JobInterrupted', 500,
    'The dpvault worker running this job was lost (its lease expired without a heartbeat) and the job was not run again. kept1 Run it again.',
  ],
  jobNotFound: [errors.jobNotFound('m'), 'UserErrorJobNotFound', 404, 'm'],
  alertNotFound: [errors.alertNotFound('m'), 'ResourceNotFound', 404, 'm'],
  recoveryPointRefInvalid: [errors.recoveryPointRefInvalid('m'), 'InvalidRecoveryPointRef', 500, 'm'],
  vaultPermissionsMissing: [errors.vaultPermissionsMissing('m'), 'UserErrorMissingRequiredPermissions', 400, 'm'],
  flexibleServerNotRegistered: [errors.flexibleServerNotRegistered('m'), 'UserErrorDBNotFound', 400, 'm'],
  serverPointDatabaseMissing: [errors.serverPointDatabaseMissing('m'), 'UserErrorRecoveryPointNotFound', 400, 'm'],
  serverDatabasesInUse: [errors.serverDatabasesInUse('m'), 'UserErrorDatabaseNameAlreadyInUse', 400, 'm'],
  serverArchiveDamaged: [errors.serverArchiveDamaged('m'), 'UserErrorRecoveryPointDataCorrupt', 500, 'm'],
  recoveryPointDataCorrupt: [errors.recoveryPointDataCorrupt('recoveryPointId1', 'cause1'), 'UserErrorRecoveryPointDataCorrupt', 500, 'Recovery point recoveryPointId1: cause1'],
  recoveryPointDataMissing: [errors.recoveryPointDataMissing('recoveryPointId1', 'cause1'), 'UserErrorRecoveryPointDataMissing', 500, 'Recovery point recoveryPointId1: cause1'],
  // errors/host.ts
  dataDirNotPrivate: [
    errors.dataDirNotPrivate('/d/catalog.sqlite', 'it is owned by user 7'), 'DataDirectoryNotPrivate', 403,
    "'/d/catalog.sqlite' in the data directory must be readable only by the service's user, but it is owned by user 7. Make the service's user its owner (chown), or start the service as its owner.",
  ],
  dataDirInUse: [errors.dataDirInUse('dataDir1', 42), 'DataDirectoryInUse', 409, "The data directory 'dataDir1' is in use by the dpvault server with pid 42; stop it first."],
  dataDirNotFound: [errors.dataDirNotFound('dataDir1'), 'DataDirectoryNotFound', 404, "'dataDir1' is not a dpvault data directory (it has no catalog): nothing to rotate."],
  listenAccessDenied: [errors.listenAccessDenied('address1'), 'AddressAccessDenied', 503, 'Cannot listen on address1: permission denied (EACCES). Choose a port above 1023.'],
  listenAddressInUse: [errors.listenAddressInUse('address1'), 'AddressInUse', 503, 'Cannot listen on address1: the address is already in use (EADDRINUSE). Stop what is listening there, or give another --port or --host.'],
  listenAddressNotAvailable: [errors.listenAddressNotAvailable('address1', 'EADDRNOTAVAIL'), 'AddressNotAvailable', 503, 'Cannot listen on address1: no network interface has this address (EADDRNOTAVAIL). Check --host.'],
  listenFailed: [errors.listenFailed('address1', 'EIO', 'm'), 'ListenFailed', 503, 'Cannot listen on address1: EIO m'],
  masterKeyNotFound: [errors.masterKeyNotFound('keyFile1'), 'MasterKeyNotFound', 404, "There is no master key in 'keyFile1': nothing to rotate."],
  masterKeyRotationInterrupted: [errors.masterKeyRotationInterrupted('dataDir1'), 'MasterKeyRotationInterrupted', 409, "A master key rotation of 'dataDir1' did not finish; run 'dpvault server rotate-master-key' again to complete it before starting the server."],
  newMasterKeyRequired: [errors.newMasterKeyRequired(), 'NewMasterKeyRequired', 400, 'The master key comes from DPVAULT_MASTER_KEY: give the new one in DPVAULT_NEW_MASTER_KEY (64 hex characters or base64 of 32 bytes).'],
  noMasterKeyOpensRepository: [errors.noMasterKeyOpensRepository('location1'), 'RepositoryKeyMismatch', 403, "Neither the current nor the new master key opens the repository in 'location1'."],
  sameMasterKey: [errors.sameMasterKey(), 'SameMasterKey', 400, 'The new master key is the current one.'],
};
