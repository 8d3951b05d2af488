// How the role commands reach Microsoft.Authorization: paths under a scope, the api-version az
// sends, and the built-in role a `--role` names (by name or id).
import { CLIENT_AUTHORIZATION_API_VERSION } from '../../../api/api-version.ts';
import { errors } from '../../../domain/errors.ts';
import type { CommandContext } from '../../command.ts';

export const AUTHZ_QUERY = { 'api-version': CLIENT_AUTHORIZATION_API_VERSION };

export interface RoleDefinitionBody {
  id: string;
  name: string;
  properties: { roleName: string };
}

export interface AssignmentBody {
  id: string;
  name: string;
  properties: { roleDefinitionId: string; principalId: string; principalName?: string | null; scope: string };
}

/** `{scope}/providers/Microsoft.Authorization/{what}`; `/` is the root scope. */
export const authorizationPath = (scope: string, what: string): string =>
  `${scope.replace(/\/+$/, '')}/providers/Microsoft.Authorization/${what}`;

/** `--scope`, or the subscription when none is given (as az 2.45). */
export async function scopeArg(ctx: CommandContext, scope: unknown): Promise<string> {
  return typeof scope === 'string' && scope ? scope : `/subscriptions/${await ctx.subscription()}`;
}

export async function listRoleDefinitions(ctx: CommandContext, scope: string, name?: string): Promise<RoleDefinitionBody[]> {
  const query = name === undefined ? AUTHZ_QUERY : { ...AUTHZ_QUERY, $filter: `roleName eq '${name.replace(/'/g, "''")}'` };
  return (await ctx.client.listAll(authorizationPath(scope, 'roleDefinitions'), query)) as RoleDefinitionBody[];
}

/** The role a `--role` names: its name (any case) or its GUID; refused when there is none. */
export async function resolveRole(ctx: CommandContext, scope: string, role: string): Promise<RoleDefinitionBody> {
  const all = await listRoleDefinitions(ctx, scope);
  const key = role.trim().toLowerCase();
  const hit = all.find((d) => d.properties.roleName.toLowerCase() === key || d.name.toLowerCase() === key.split('/').pop());
  if (!hit) throw errors.roleDefinitionNotFound(role);
  return hit;
}

/** The GUID at the end of a role definition id. */
export const roleGuid = (roleDefinitionId: string): string => roleDefinitionId.split('/').pop()!.toLowerCase();
