// Every route's action: what a principal must be allowed, by a role assignment over the request's
// scope or an ancestor of it, to call the route (Azure's operation names, as `az provider
// operation show` lists them), and how the scope is read from the path: the request's path without
// its trailing fixed segments, i.e. the resource the request is about (for a create, the resource's
// own id; for a list, its parent; for an action such as `.../backup`, the resource it acts on).
// A route missing here is refused by the authorization step and fails the matrix test. Pure.
import type { SecretPermission } from '../identity/key-vault-access.ts';
import { decodeSegment } from './request-target.ts';

export interface RouteAction {
  action: string;
  /**
   * Secret routes (the key vault's data plane): checked against the vault's access policies for
   * this secret permission, by the caller's object id, as Azure checks a vault that authorizes
   * with access policies; roles do not grant them.
   */
  secretPermission?: SecretPermission;
  /**
   * Operation routes outside the resource's own path (at the resource group or a location, as
   * Azure's): the scope is the resource the operation is about, so whoever may act on a vault may
   * follow the operations it starts there. An operation that does not exist keeps the path's scope.
   */
  scopeFromOperation?: true;
  /**
   * Lists that span scopes a principal may hold roles on one by one (a subscription's vaults, a
   * group's key vaults...): as Azure's, a principal with the action over some scope under the
   * list's, but not over the list's own, gets the list with only the items it may read.
   */
  filtersList?: true;
}

/**
 * Routes that answer without an authorization check. `GET /subscriptions` filters what it lists by
 * the caller's assignments instead (az signs in through it). The routes that answer without a token
 * at all (metadata, token service, key set) are the authentication step's list (public-routes.ts),
 * answered before this router is reached.
 */
export const NO_CHECK_ROUTES: readonly string[] = ['GET /subscriptions'];

const DP = 'Microsoft.DataProtection';
const VAULTS = '/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.DataProtection/backupVaults';
const VAULT = `${VAULTS}/{vault}`;
const BI = `${VAULT}/backupInstances/{instance}`;
const LOCATION = '/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.DataProtection/locations/{loc}';
const GUARD = '/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.DataProtection/resourceGuards/{guard}';
const KV = '/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.KeyVault/vaults/{kv}';
const SECRET = `${KV}/secrets/{secret}`;
const PG = '/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.DBforPostgreSQL/servers';
const FLEX = '/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.DBforPostgreSQL/flexibleServers';
const AUTHZ = '/providers/Microsoft.Authorization';
const SP = '/v1.0/servicePrincipals';
/** The scopes role assignments and definitions are served under: `/`, a subscription, a group, a resource. */
export const AUTHORIZATION_SCOPES = [
  '',
  '/subscriptions/{sub}',
  '/subscriptions/{sub}/resourceGroups/{rg}',
  '/subscriptions/{sub}/resourceGroups/{rg}/providers/{namespace}/{type}/{name}',
  '/subscriptions/{sub}/resourceGroups/{rg}/providers/{namespace}/{type}/{name}/{childType}/{childName}',
] as const;

const list = (action: string): RouteAction => ({ action, filtersList: true });
const secret = (action: string, secretPermission: SecretPermission): RouteAction => ({ action: `Microsoft.KeyVault/vaults/secrets/${action}`, secretPermission });

const TABLE: [string, string | RouteAction][] = [
  ['GET /subscriptions/{sub}', 'Microsoft.Resources/subscriptions/read'],
  ['GET /subscriptions/{sub}/resourcegroups', list('Microsoft.Resources/subscriptions/resourceGroups/read')],
  ['GET /subscriptions/{sub}/resourcegroups/{rg}', 'Microsoft.Resources/subscriptions/resourceGroups/read'],
  ['PUT /subscriptions/{sub}/resourcegroups/{rg}', 'Microsoft.Resources/subscriptions/resourceGroups/write'],
  ['DELETE /subscriptions/{sub}/resourcegroups/{rg}', 'Microsoft.Resources/subscriptions/resourceGroups/delete'],

  [`GET /subscriptions/{sub}/providers/${DP}/backupVaults`, list(`${DP}/backupVaults/read`)],
  [`GET ${VAULTS}`, list(`${DP}/backupVaults/read`)],
  [`GET ${VAULT}`, `${DP}/backupVaults/read`],
  [`PUT ${VAULT}`, `${DP}/backupVaults/write`],
  [`PATCH ${VAULT}`, `${DP}/backupVaults/write`],
  [`DELETE ${VAULT}`, `${DP}/backupVaults/delete`],
  [`POST ${VAULT}/validateForBackup`, `${DP}/backupVaults/validateForBackup/action`],
  [`POST ${VAULT}/recover`, `${DP}/backupVaults/recover/action`],
  [`POST ${VAULT}/verify`, `${DP}/backupVaults/verify/action`],
  [`POST ${VAULT}/maintain`, `${DP}/backupVaults/maintain/action`],
  [`POST ${VAULT}/repair`, `${DP}/backupVaults/repair/action`],

  [`GET /subscriptions/{sub}/providers/${DP}/resourceGuards`, list(`${DP}/resourceGuards/read`)],
  [`GET /subscriptions/{sub}/resourceGroups/{rg}/providers/${DP}/resourceGuards`, list(`${DP}/resourceGuards/read`)],
  [`GET ${GUARD}`, `${DP}/resourceGuards/read`],
  [`PUT ${GUARD}`, `${DP}/resourceGuards/write`],
  [`PATCH ${GUARD}`, `${DP}/resourceGuards/write`],
  [`DELETE ${GUARD}`, `${DP}/resourceGuards/delete`],
  // The mapping: writing it also needs read over the guard, and removing it the guard's approval
  // (services/resource-guards.ts), both checked against the guard beside this check on the vault.
  [`GET ${VAULT}/backupResourceGuardProxies`, `${DP}/backupVaults/backupResourceGuardProxies/read`],
  [`GET ${VAULT}/backupResourceGuardProxies/{proxy}`, `${DP}/backupVaults/backupResourceGuardProxies/read`],
  [`PUT ${VAULT}/backupResourceGuardProxies/{proxy}`, `${DP}/backupVaults/backupResourceGuardProxies/write`],
  [`DELETE ${VAULT}/backupResourceGuardProxies/{proxy}`, `${DP}/backupVaults/backupResourceGuardProxies/delete`],

  [`GET ${VAULT}/backupPolicies`, `${DP}/backupVaults/backupPolicies/read`],
  [`GET ${VAULT}/backupPolicies/{policy}`, `${DP}/backupVaults/backupPolicies/read`],
  [`PUT ${VAULT}/backupPolicies/{policy}`, `${DP}/backupVaults/backupPolicies/write`],
  [`DELETE ${VAULT}/backupPolicies/{policy}`, `${DP}/backupVaults/backupPolicies/delete`],
  // dpvault's own reports (the Backup center's): reading the policy or the vault is enough.
  [`GET ${VAULT}/backupPolicies/{policy}/simulate`, `${DP}/backupVaults/backupPolicies/read`],
  [`GET ${VAULT}/storageUsage`, `${DP}/backupVaults/read`],

  [`GET ${VAULT}/backupInstances`, `${DP}/backupVaults/backupInstances/read`],
  [`GET /subscriptions/{sub}/providers/${DP}/backupInstances`, list(`${DP}/backupInstances/read`)],
  [`GET ${BI}`, `${DP}/backupVaults/backupInstances/read`],
  [`PUT ${BI}`, `${DP}/backupVaults/backupInstances/write`],
  [`DELETE ${BI}`, `${DP}/backupVaults/backupInstances/delete`],
  ...['backup', 'validateRestore', 'restore', 'stopProtection', 'suspendBackups', 'resumeProtection', 'resumeBackups'].map(
    (a): [string, string] => [`POST ${BI}/${a}`, `${DP}/backupVaults/backupInstances/${a}/action`],
  ),
  [`GET ${VAULT}/deletedBackupInstances`, `${DP}/backupVaults/deletedBackupInstances/read`],
  [`GET ${VAULT}/deletedBackupInstances/{instance}`, `${DP}/backupVaults/deletedBackupInstances/read`],
  [`POST ${VAULT}/deletedBackupInstances/{instance}/undelete`, `${DP}/backupVaults/deletedBackupInstances/undelete/action`],
  [`GET ${BI}/recoveryPoints`, `${DP}/backupVaults/backupInstances/recoveryPoints/read`],
  [`GET ${BI}/recoveryPoints/{rp}`, `${DP}/backupVaults/backupInstances/recoveryPoints/read`],
  [`GET ${VAULT}/backupJobs`, `${DP}/backupVaults/backupJobs/read`],
  [`GET ${VAULT}/backupJobs/{job}`, `${DP}/backupVaults/backupJobs/read`],
  [`GET /subscriptions/{sub}/providers/${DP}/backupJobs`, list(`${DP}/backupJobs/read`)],

  // Cross-region restore, at the vault's secondary region (services/cross-region-restore.ts
  // checks that the vault or instance named in the body is under the path's group).
  ...['fetchSecondaryRecoveryPoints', 'crossRegionRestore', 'validateCrossRegionRestore', 'fetchCrossRegionRestoreJob', 'fetchCrossRegionRestoreJobs'].map(
    (a): [string, string] => [`POST ${LOCATION}/${a}`, `${DP}/locations/${a}/action`],
  ),

  [`GET ${VAULT}/operationStatus/{op}`, `${DP}/backupVaults/operationStatus/read`],
  [`GET ${VAULT}/backupInstances/{bi}/operationStatus/{op}`, `${DP}/backupVaults/operationStatus/read`],
  [`GET /subscriptions/{sub}/resourceGroups/{rg}/providers/${DP}/operationStatus/{op}`, { action: `${DP}/operationStatus/read`, scopeFromOperation: true }],
  [`GET /subscriptions/{sub}/providers/${DP}/locations/{loc}/operationStatus/{op}`, { action: `${DP}/locations/operationStatus/read`, scopeFromOperation: true }],
  [`GET ${VAULT}/operationResults/{op}`, `${DP}/backupVaults/operationResults/read`],
  [`GET ${VAULT}/backupInstances/{bi}/operationResults/{op}`, `${DP}/backupVaults/backupInstances/operationResults/read`],
  [`GET /subscriptions/{sub}/providers/${DP}/locations/{loc}/operationResults/{op}`, { action: `${DP}/locations/operationResults/read`, scopeFromOperation: true }],

  ['GET /subscriptions/{sub}/providers/Microsoft.KeyVault/vaults', list('Microsoft.KeyVault/vaults/read')],
  ['GET /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.KeyVault/vaults', list('Microsoft.KeyVault/vaults/read')],
  [`GET ${KV}`, 'Microsoft.KeyVault/vaults/read'],
  [`PUT ${KV}`, 'Microsoft.KeyVault/vaults/write'],
  [`DELETE ${KV}`, 'Microsoft.KeyVault/vaults/delete'],
  [`PUT ${KV}/accessPolicies/{kind}`, 'Microsoft.KeyVault/vaults/accessPolicies/write'],
  [`GET ${KV}/secrets`, secret('readMetadata/action', 'list')],
  [`PUT ${SECRET}`, secret('setSecret/action', 'set')],
  [`GET ${SECRET}`, secret('readMetadata/action', 'get')],
  [`DELETE ${SECRET}`, secret('delete', 'delete')],
  [`GET ${SECRET}/versions`, secret('readMetadata/action', 'list')],
  [`GET ${SECRET}/versions/{version}`, secret('readMetadata/action', 'get')],
  [`POST ${SECRET}/listValue`, secret('getSecret/action', 'get')],
  [`POST ${SECRET}/versions/{version}/listValue`, secret('getSecret/action', 'get')],

  ['GET /subscriptions/{sub}/providers/Microsoft.DBforPostgreSQL/servers', list('Microsoft.DBforPostgreSQL/servers/read')],
  [`GET ${PG}`, list('Microsoft.DBforPostgreSQL/servers/read')],
  [`GET ${PG}/{server}`, 'Microsoft.DBforPostgreSQL/servers/read'],
  [`PUT ${PG}/{server}`, 'Microsoft.DBforPostgreSQL/servers/write'],
  [`DELETE ${PG}/{server}`, 'Microsoft.DBforPostgreSQL/servers/delete'],
  [`GET ${PG}/{server}/databases`, 'Microsoft.DBforPostgreSQL/servers/databases/read'],
  [`GET ${PG}/{server}/databases/{db}`, 'Microsoft.DBforPostgreSQL/servers/databases/read'],
  ['GET /subscriptions/{sub}/providers/Microsoft.DBforPostgreSQL/flexibleServers', list('Microsoft.DBforPostgreSQL/flexibleServers/read')],
  [`GET ${FLEX}`, list('Microsoft.DBforPostgreSQL/flexibleServers/read')],
  [`GET ${FLEX}/{server}`, 'Microsoft.DBforPostgreSQL/flexibleServers/read'],
  [`PUT ${FLEX}/{server}`, 'Microsoft.DBforPostgreSQL/flexibleServers/write'],
  [`DELETE ${FLEX}/{server}`, 'Microsoft.DBforPostgreSQL/flexibleServers/delete'],

  ['GET /subscriptions/{sub}/providers/microsoft.insights/eventtypes/management/values', 'Microsoft.Insights/eventtypes/values/read'],
  // Prometheus' scrape: Azure Monitor's metrics read, which Monitoring Reader (and Reader, Owner) hold at `/`.
  ['GET /metrics', 'Microsoft.Insights/metrics/read'],
  ['GET /subscriptions/{sub}/providers/Microsoft.AlertsManagement/alerts', 'Microsoft.AlertsManagement/alerts/read'],
  ['GET /subscriptions/{sub}/providers/Microsoft.AlertsManagement/alerts/{alert}', 'Microsoft.AlertsManagement/alerts/read'],
  // Azure Monitor's change of an alert's state (Acknowledged, Closed, New again): Owner and Contributor hold it.
  ['POST /subscriptions/{sub}/providers/Microsoft.AlertsManagement/alerts/{alert}/changestate', 'Microsoft.AlertsManagement/alerts/changestate/action'],

  // Service principals (Graph-style, outside every subscription: only a role at `/` reaches them).
  // Writing one is identity administration: its actions are in Microsoft.Authorization's namespace,
  // so Contributor (whose notActions exclude Microsoft.Authorization writes and deletes) cannot
  // re-key the Owner and sign in as it; Owner and User Access Administrator can.
  [`GET ${SP}`, 'Microsoft.Authorization/servicePrincipals/read'],
  [`POST ${SP}`, 'Microsoft.Authorization/servicePrincipals/write'],
  [`GET ${SP}/{id}`, 'Microsoft.Authorization/servicePrincipals/read'],
  [`DELETE ${SP}/{id}`, 'Microsoft.Authorization/servicePrincipals/delete'],
  [`POST ${SP}/{id}/resetPassword`, 'Microsoft.Authorization/servicePrincipals/write'],

  ...AUTHORIZATION_SCOPES.flatMap((s): [string, string][] => [
    [`GET ${s}${AUTHZ}/roleAssignments`, 'Microsoft.Authorization/roleAssignments/read'],
    [`GET ${s}${AUTHZ}/roleAssignments/{assignment}`, 'Microsoft.Authorization/roleAssignments/read'],
    [`PUT ${s}${AUTHZ}/roleAssignments/{assignment}`, 'Microsoft.Authorization/roleAssignments/write'],
    [`DELETE ${s}${AUTHZ}/roleAssignments/{assignment}`, 'Microsoft.Authorization/roleAssignments/delete'],
    [`GET ${s}${AUTHZ}/roleDefinitions`, 'Microsoft.Authorization/roleDefinitions/read'],
    [`GET ${s}${AUTHZ}/roleDefinitions/{definition}`, 'Microsoft.Authorization/roleDefinitions/read'],
  ]),
];

const key = (methodAndPattern: string) => methodAndPattern.toLowerCase();
const BY_ROUTE = new Map(TABLE.map(([route, a]) => [key(route), typeof a === 'string' ? { action: a } : a]));
const NO_CHECK = new Set(NO_CHECK_ROUTES.map(key));

/** The route's action; `'none'` for a route that answers without a check; undefined when the table misses it. */
export function routeAction(method: string, pattern: string): RouteAction | 'none' | undefined {
  const k = key(`${method} ${pattern}`);
  return NO_CHECK.has(k) ? 'none' : BY_ROUTE.get(k);
}

/** Every route the table names (for the test that each is registered). */
export const ROUTES_WITH_ACTIONS: readonly string[] = TABLE.map(([route]) => route);

/** The request's scope: its path (decoded) without the pattern's trailing fixed segments; `/` when nothing is left. */
export function scopeOf(pattern: string, path: string): string {
  const fixed = pattern.split('/').filter(Boolean);
  const parts = path.split('/').filter(Boolean).map(decodeSegment);
  let end = fixed.length;
  while (end > 0 && !fixed[end - 1]!.startsWith('{')) end--;
  return end ? `/${parts.slice(0, end).join('/')}` : '/';
}
