// `backup-instance update-msi-permissions`: gives the Backup vault's identity what a backup (or a
// restore) of a datasource reached with that identity needs, as az's does: the roles of the
// manifest's backupVaultPermissions (backupVaultRestorePermissions) over the resources they name,
// placed by --permissions-scope, each only when no assignment at or above it grants it already;
// and, dpvault's counterpart of Azure's trust, `get` and `list` on the key vault holding the
// administrator secret of the server (the protected one for Backup, the target for Restore). Asks first (--yes does not); prints what it assigned.
import { randomUUID } from 'node:crypto';
import { CLIENT_POSTGRES_API_VERSION } from '../../../api/api-version.ts';
import { MSI_OPERATIONS, PERMISSIONS_SCOPES, placeRequirements, type MsiOperation, type PermissionsScope } from '../../../datasources/permission-scope.ts';
import { DATASOURCE_TYPE_VALUES, requireManifest } from '../../../datasources/registry.ts';
import { badArgument, errors } from '../../../domain/errors.ts';
import type { AccessPolicy } from '../../../domain/key-vault.ts';
import { parseSecretUri } from '../../../secrets/key-vault.ts';
import { snakeToCamel } from '../../../policy/instance-request.ts';
import { defineCommand, type CommandContext } from '../../command.ts';
import { vaultPath } from '../../paths.ts';
import { KV_API, KV_QUERY, locateKeyVault } from '../keyvault/target.ts';
import { AUTHZ_QUERY, authorizationPath, resolveRole, roleGuid, type AssignmentBody } from '../role/definitions.ts';
import { resourceGroup, vaultName, yes } from './args.ts';

interface Datasource { resourceID?: string; resourceId?: string; datasourceType?: string; resourceLocation?: string }

/** The datasource id an operation concerns: the instance's for Backup, the target for Restore. */
function datasourceOf(a: Record<string, unknown>, operation: MsiOperation, manifestType: string, vaultLocation: string): string {
  if (operation === 'Restore') {
    if (a.restoreRequestObject === undefined) throw errors.requestArgumentMissing('--restore-request-object needs to be given when --operation is given as Restore');
    const target = a.targetResourceId as string | undefined;
    if (!target) throw errors.requestArgumentMissing('--target-resource-id needs to be given when --operation is given as Restore');
    return target;
  }
  if (a.backupInstance === undefined) throw errors.requestArgumentMissing('--backup-instance needs to be given when --operation is given as Backup');
  const props = snakeToCamel((a.backupInstance as { properties?: unknown }).properties) as { dataSourceInfo?: Datasource } | undefined;
  const info = props?.dataSourceInfo;
  if (!info || (info.datasourceType ?? '').toLowerCase() !== manifestType.toLowerCase()) {
    throw badArgument('--backup-instance provided is not compatible with the --datasource-type.');
  }
  if ((info.resourceLocation ?? '').toLowerCase() !== vaultLocation.toLowerCase()) {
    throw badArgument('Location of data source needs to be the same as backup vault.\nMake sure the datasource and vault are chosen properly');
  }
  return info.resourceID ?? info.resourceId ?? '';
}

/** Whether `principal` holds `roleId` at `scope` or above it. */
async function holds(ctx: CommandContext, principal: string, roleId: string, scope: string): Promise<boolean> {
  const query = { ...AUTHZ_QUERY, $filter: `principalId eq '${principal}'` };
  const found = (await ctx.client.listAll(authorizationPath(scope, 'roleAssignments'), query)) as AssignmentBody[];
  const under = (outer: string) => outer === '/' || `${scope.toLowerCase()}/`.startsWith(`${outer.toLowerCase().replace(/\/+$/, '')}/`);
  return found.some((x) => roleGuid(x.properties.roleDefinitionId) === roleGuid(roleId) && under(x.properties.scope));
}

/** The key vault access `principal` lacks on the administrator secret of the server `id`: a change to make, or null. */
async function secretAccess(ctx: CommandContext, principal: string, serverId: string): Promise<{ path: string; policy: AccessPolicy; name: string } | null> {
  const server = (await ctx.client.get(serverId, { 'api-version': CLIENT_POSTGRES_API_VERSION })) as { properties: { administratorSecretUri?: string } };
  const parts = parseSecretUri(server.properties.administratorSecretUri ?? '');
  if (!parts) return null;
  const path = await locateKeyVault(ctx, parts.vaultName);
  const kv = (await ctx.client.get(path, KV_QUERY)) as { name: string; properties: { accessPolicies: AccessPolicy[] } };
  const current = kv.properties.accessPolicies.find((p) => p.objectId.toLowerCase() === principal.toLowerCase());
  const secrets = current?.permissions.secrets ?? [];
  if (secrets.some((s) => ['get', 'all'].includes(s.toLowerCase()))) return null;
  const permissions = { keys: [], certificates: [], storage: [], ...(current?.permissions ?? {}), secrets: [...secrets, 'get', 'list'] } as AccessPolicy['permissions'];
  return { path, name: kv.name, policy: { ...(current ?? {}), objectId: principal, permissions } as AccessPolicy };
}

export const backupInstanceUpdateMsiPermissions = defineCommand({
  path: ['backup-instance', 'update-msi-permissions'],
  summary: "Assign the permissions the Backup vault's identity needs to back up or restore a datasource.",
  args: {
    datasourceType: { names: ['--datasource-type'], required: true, enum: DATASOURCE_TYPE_VALUES, help: 'The datasource type.' },
    operation: { names: ['--operation'], required: true, enum: MSI_OPERATIONS, help: 'The operation the permissions are for.' },
    permissionsScope: { names: ['--permissions-scope'], required: true, enum: PERMISSIONS_SCOPES, help: 'Where roles are assigned: the resource, its resource group or its subscription.' },
    resourceGroup,
    vaultName,
    backupInstance: { names: ['--backup-instance'], type: 'json', help: 'The backup instance request (backup-instance initialize\'s output); needed for Backup.' },
    restoreRequestObject: { names: ['--restore-request-object'], type: 'json', help: 'The restore request (restore initialize-for-data-recovery\'s output); needed for Restore.' },
    targetResourceId: { names: ['--target-resource-id'], help: 'The server a restore writes into; needed for Restore.' },
    yes,
  },
  async run(a, ctx) {
    const manifest = requireManifest(a.datasourceType);
    const operation = a.operation as MsiOperation;
    const vault = (await ctx.client.get(vaultPath(await ctx.subscription(), a.resourceGroup as string, a.vaultName as string))) as {
      location: string; identity?: { principalId?: string };
    };
    const principal = vault.identity?.principalId;
    if (!principal) throw badArgument("The Backup vault has no system-assigned identity: give it one with 'backup-vault update --type SystemAssigned'.");
    const datasource = datasourceOf(a, operation, manifest.datasourceType, vault.location);
    const roles = [];
    for (const r of placeRequirements(manifest, operation, datasource, a.permissionsScope as PermissionsScope)) {
      const role = await resolveRole(ctx, r.scope, r.roleDefinitionName);
      if (!(await holds(ctx, principal, role.id, r.scope))) roles.push({ ...r, roleId: role.id });
    }
    const secret = manifest.backupScope === 'Server' ? await secretAccess(ctx, principal, datasource) : null;
    if (!roles.length && !secret) {
      ctx.warn('The required permissions are already assigned!');
      return [];
    }
    const lines = [
      ...roles.map((r) => `Backup Vault's identity access as ${r.what}`),
      ...(secret ? [`Backup Vault's identity access to get and list the secrets of key vault ${secret.name}`] : []),
    ];
    if (!(await ctx.confirm(`Do you want to grant the following access:\n${lines.join('\n')}\n`))) return undefined;
    const assigned = [];
    for (const r of roles) {
      const body = { properties: { roleDefinitionId: r.roleId, principalId: principal, principalType: 'ServicePrincipal' } };
      const made = (await ctx.client.send('PUT', authorizationPath(r.scope, `roleAssignments/${randomUUID()}`), { body, query: AUTHZ_QUERY })).body;
      assigned.push({ ResourceType: 'Microsoft.Authorization/roleAssignments', Name: (made as { name: string }).name, Properties: (made as { properties: unknown }).properties });
    }
    if (secret) {
      await ctx.client.send('PUT', `${secret.path}/accessPolicies/replace`, { body: { properties: { accessPolicies: [secret.policy] } }, apiVersion: KV_API });
      assigned.push({ ResourceType: 'Microsoft.KeyVault/vaults/accessPolicies', Name: secret.name, Properties: secret.policy });
    }
    return assigned;
  },
});
