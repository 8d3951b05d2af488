// Errors of role-based access (Microsoft.Authorization's codes) and of a key vault's access
// policies refusing a principal (the key vault data plane's wording).
import { DpError } from './dp-error.ts';

export const authorizationErrors = {
  /** Azure's 403 when no role assignment allows the action over the scope. */
  authorizationFailed: (appId: string, objectId: string, action: string, scope: string): DpError =>
    new DpError(
      'forbidden',
      'AuthorizationFailed',
      `The client '${appId}' with object id '${objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. ` +
        'If access was recently granted, please refresh your credentials.',
    ),
  /** The key vault's 403 when no access policy grants the principal the secret permission. */
  keyVaultAccessDenied: (appId: string, objectId: string, tenantId: string, permission: string, vault: string): DpError =>
    new DpError(
      'forbidden',
      'Forbidden',
      `The user, group or application 'appid=${appId};oid=${objectId};iss=https://sts.windows.net/${tenantId}/' does not have secrets ${permission} permission on key vault '${vault}'. ` +
        `Grant it with 'dpvault keyvault set-policy -n ${vault} --object-id ${objectId} --secret-permissions ${permission}'.`,
    ),
  /** Multi-user authorization: the vault's resource guard has not approved a critical operation for this caller. */
  resourceGuardPermissionMissing: (objectId: string, operation: string, description: string, guardId: string, action: string): DpError =>
    new DpError(
      'forbidden',
      'UserErrorMissingRequiredPermissionsOnResourceGuard',
      `The backup vault is protected by the resource guard '${guardId}' (multi-user authorization): the critical operation '${operation}' (${description}) ` +
        `needs the caller '${objectId}' to also hold a role allowing '${action}' over the resource guard, such as Contributor there. ` +
        'Ask the resource guard\'s owner (the security administrator) for access, then try again.',
    ),
  resourceGuardInUse: (guardId: string, vaults: string[]): DpError =>
    new DpError('conflict', 'UserErrorResourceGuardInUse', `The resource guard '${guardId}' protects ${vaults.length} backup vault(s) (${vaults.join(', ')}); remove their resource guard mappings first.`),
  resourceGuardProxyNameInvalid: (name: string): DpError =>
    new DpError('invalid', 'UserErrorInvalidResourceGuardProxyName', `'${name}' is not a resource guard mapping name: a backup vault has one mapping, named 'DppResourceGuardProxy'.`),
  resourceGuardMappingExists: (guardId: string): DpError =>
    new DpError('conflict', 'UserErrorResourceGuardMappingExists', `The backup vault is already mapped to the resource guard '${guardId}'; remove that mapping (a critical operation) before mapping another guard.`),
  roleAssignmentIdInvalid: (name: string): DpError =>
    new DpError('invalid', 'InvalidRoleAssignmentId', `The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`),
  roleAssignmentRequestInvalid: (message: string): DpError => new DpError('invalid', 'InvalidRoleAssignmentRequest', message),
  roleDefinitionNotFound: (role: string): DpError =>
    new DpError('notFound', 'RoleDefinitionDoesNotExist', `The specified role definition '${role}' does not exist. Run 'dpvault role definition list' for the roles.`),
  principalNotFound: (principal: string): DpError =>
    new DpError('invalid', 'PrincipalNotFound', `Principal ${principal} does not exist in the directory. Create one with 'dpvault ad sp create-for-rbac -n NAME'.`),
  roleAssignmentExists: (): DpError => new DpError('conflict', 'RoleAssignmentExists', 'The role assignment already exists.'),
  roleAssignmentNotFound: (message: string): DpError => new DpError('notFound', 'RoleAssignmentNotFound', message),
  roleAssignmentScopeInvalid: (scope: string): DpError =>
    new DpError('invalid', 'InvalidScope', `The scope '${scope}' is not valid: use '/', '/subscriptions/{subscriptionId}', a resource group's id or a resource's id in this installation.`),
  lastOwnerAssignment: (): DpError =>
    new DpError(
      'conflict',
      'LastOwnerAssignmentCannotBeDeleted',
      "This is the last assignment of the Owner role at scope '/': deleting it would leave nobody able to grant access. Assign Owner at '/' to another principal first.",
    ),
};
