// THE table of the built-in roles dpvault knows, and how an action string matches a role's
// permissions. The roles, ids and action lists are Azure's, as documented on
// https://learn.microsoft.com/azure/role-based-access-control/built-in-roles (General, Privileged,
// and Storage for the Backup roles), cut down to the resource providers dpvault serves:
// Microsoft.DataProtection, Microsoft.KeyVault, Microsoft.Resources, Microsoft.Authorization and
// Microsoft.DBforPostgreSQL. Deliberate difference: Azure's "Backup Reader" lists
// backupInstances/write, backup/action and restore/action next to its reads, which contradicts its
// own description ("can view backup services, but can't make changes"); dpvault's Backup Reader
// only reads. Pure: no I/O.
import { BUILT_IN_ROLE_IDS, type BuiltInRoleName } from '../domain/role-assignment.ts';

export interface RoleDefinition {
  name: BuiltInRoleName;
  /** Azure's GUID of the role. */
  id: string;
  description: string;
  actions: readonly string[];
  notActions: readonly string[];
  dataActions: readonly string[];
  notDataActions: readonly string[];
}

const DP = 'Microsoft.DataProtection';

/** What Backup Reader (and so every backup role) may read. */
const BACKUP_READS = [
  'Microsoft.Authorization/*/read',
  'Microsoft.Resources/subscriptions/resourceGroups/read',
  `${DP}/backupVaults/read`,
  `${DP}/backupVaults/operationResults/read`,
  `${DP}/backupVaults/operationStatus/read`,
  `${DP}/backupVaults/backupInstances/read`,
  `${DP}/backupVaults/backupInstances/operationResults/read`,
  `${DP}/backupVaults/backupInstances/recoveryPoints/read`,
  `${DP}/backupVaults/backupPolicies/read`,
  `${DP}/backupVaults/backupJobs/read`,
  `${DP}/backupInstances/read`,
  `${DP}/backupJobs/read`,
  `${DP}/locations/operationStatus/read`,
  `${DP}/locations/operationResults/read`,
  `${DP}/locations/fetchSecondaryRecoveryPoints/action`,
  `${DP}/locations/fetchCrossRegionRestoreJob/action`,
  `${DP}/locations/fetchCrossRegionRestoreJobs/action`,
  `${DP}/operationStatus/read`,
  `${DP}/operations/read`,
  'Microsoft.DBforPostgreSQL/servers/read',
  'Microsoft.DBforPostgreSQL/servers/databases/read',
] as const;

/** Backup Operator's actions beyond reading: protect, back up, restore; never remove backups or edit policies. */
const BACKUP_OPERATIONS = [
  `${DP}/backupVaults/validateForBackup/action`,
  `${DP}/backupVaults/backupInstances/write`,
  `${DP}/backupVaults/backupInstances/backup/action`,
  `${DP}/backupVaults/backupInstances/validateRestore/action`,
  `${DP}/backupVaults/backupInstances/restore/action`,
  `${DP}/locations/validateCrossRegionRestore/action`,
  `${DP}/locations/crossRegionRestore/action`,
  `${DP}/backupVaults/backupInstances/suspendBackups/action`,
  `${DP}/backupVaults/backupInstances/resumeBackups/action`,
  `${DP}/backupVaults/backupInstances/resumeProtection/action`,
] as const;

/** Backup Contributor's actions beyond the operator's: vaults, policies, removal; never a vault's deletion. */
const BACKUP_MANAGEMENT = [
  `${DP}/backupVaults/write`,
  `${DP}/backupVaults/backupPolicies/write`,
  `${DP}/backupVaults/backupPolicies/delete`,
  `${DP}/backupVaults/backupInstances/delete`,
  `${DP}/backupVaults/backupInstances/stopProtection/action`,
  `${DP}/backupVaults/verify/action`,
  `${DP}/backupVaults/repair/action`,
  `${DP}/backupVaults/maintain/action`,
  `${DP}/backupVaults/recover/action`,
] as const;

const role = (name: BuiltInRoleName, description: string, actions: readonly string[], notActions: readonly string[] = []): RoleDefinition =>
  Object.freeze({ name, id: BUILT_IN_ROLE_IDS[name], description, actions, notActions, dataActions: [], notDataActions: [] });

export const BUILT_IN_ROLES: readonly RoleDefinition[] = Object.freeze([
  role('Owner', 'Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.', ['*']),
  role(
    'Contributor',
    'Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.',
    ['*'],
    ['Microsoft.Authorization/*/Delete', 'Microsoft.Authorization/*/Write', 'Microsoft.Authorization/elevateAccess/Action'],
  ),
  role('Reader', 'View all resources, but does not allow you to make any changes.', ['*/read']),
  role('Backup Contributor', "Lets you manage backup service, but can't delete vaults and give access to others", [
    ...BACKUP_READS, ...BACKUP_OPERATIONS, ...BACKUP_MANAGEMENT,
  ]),
  role('Backup Operator', 'Lets you manage backup services, except removal of backup, vault creation and giving access to others', [
    ...BACKUP_READS, ...BACKUP_OPERATIONS,
  ]),
  role('Backup Reader', "Can view backup services, but can't make changes", BACKUP_READS),
  role('User Access Administrator', 'Lets you manage user access to Azure resources.', ['*/read', 'Microsoft.Authorization/*', 'Microsoft.Support/*']),
  // Azure's Monitoring Reader: reads everything (so GET /metrics, Microsoft.Insights/metrics/read), changes nothing: the scraper's role.
  role('Monitoring Reader', 'Can read all monitoring data (metrics, logs, etc.).', ['*/read', 'Microsoft.Support/*']),
  // What a Backup vault's identity needs on a flexible server it backs up (Azure's role of this
  // name and id). It has no flexibleServers/read: hence the Reader on the server's group that
  // the datasource's manifest asks for beside it.
  role('PostgreSQL Flexible Server Long Term Retention Backup Role', 'Role to allow backup vault to access PostgreSQL Flexible Server Resource APIs for Long Term Retention Backup.', [
    'Microsoft.DBforPostgreSQL/flexibleServers/ltrBackupOperations/read',
    'Microsoft.DBforPostgreSQL/flexibleServers/ltrPreBackup/action',
    'Microsoft.DBforPostgreSQL/flexibleServers/startLtrBackup/action',
    'Microsoft.DBforPostgreSQL/locations/azureAsyncOperation/read',
    'Microsoft.DBforPostgreSQL/locations/operationResults/read',
    'Microsoft.Resources/subscriptions/read',
    'Microsoft.Resources/subscriptions/resourceGroups/read',
  ]),
]);

/** The role with this name (case-insensitive) or id (a GUID, or a roleDefinitions path ending in one). */
export function findRole(nameOrId: string): RoleDefinition | undefined {
  const key = nameOrId.trim().toLowerCase();
  const guid = key.split('/').pop()!;
  return BUILT_IN_ROLES.find((r) => r.name.toLowerCase() === key || r.id === guid);
}

/**
 * Whether `pattern` (a role's action entry) covers `action`, as Azure matches them: compared
 * case-insensitively, `*` stands for any run of characters (including `/`), so `*` is every action,
 * `*\/read` every read, `Microsoft.DataProtection/backupVaults/*` everything on vaults and below.
 */
export function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`, 'i');
  return re.test(action);
}

/** Whether the role allows `action`: some action entry covers it and no notActions entry does. */
export function roleAllows(r: RoleDefinition, action: string): boolean {
  return r.actions.some((p) => actionMatches(p, action)) && !r.notActions.some((p) => actionMatches(p, action));
}


const escapeRegExp = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** The role definition as Microsoft.Authorization/roleDefinitions shows it, read over `scope`. */
export function roleDefinitionBody(r: RoleDefinition, scope: string): Record<string, unknown> {
  return {
    id: `${scope === '/' ? '' : scope}/providers/Microsoft.Authorization/roleDefinitions/${r.id}`,
    name: r.id,
    type: 'Microsoft.Authorization/roleDefinitions',
    properties: {
      roleName: r.name,
      type: 'BuiltInRole',
      description: r.description,
      assignableScopes: ['/'],
      permissions: [{ actions: r.actions, notActions: r.notActions, dataActions: r.dataActions, notDataActions: r.notDataActions }],
      createdOn: null,
      updatedOn: null,
      createdBy: null,
      updatedBy: null,
    },
  };
}
