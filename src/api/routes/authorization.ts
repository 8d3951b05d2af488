// Microsoft.Authorization: role assignments (`{scope}/providers/Microsoft.Authorization/
// roleAssignments[/{name}]`) and the built-in role definitions (`.../roleDefinitions[/{id}]`), at
// every scope a role can be assigned over, with the `$filter`s az sends.
import { errors } from '../../domain/errors.ts';
import type { RoleAssignment } from '../../domain/role-assignment.ts';
import {
  createAssignment, deleteAssignment, getAssignment, listAssignments, type AssignmentFilter,
} from '../../identity/role-assignments.ts';
import { listPrincipals } from '../../identity/principals.ts';
import type { ServiceContext } from '../../services/context.ts';
import { BUILT_IN_ROLES, findRole, roleDefinitionBody } from '../../identity/roles.ts';
import { normalizeScope, subscriptionOf } from '../../identity/scopes.ts';
import { ok, type ApiRequest } from '../http.ts';
import { decodeSegment } from '../request-target.ts';
import { AUTHORIZATION_SCOPES } from '../route-actions.ts';
import type { Router } from '../router.ts';

const AUTHZ = '/providers/Microsoft.Authorization';

/** The scope a request names: its path before `/providers/Microsoft.Authorization/...`. */
function scopeOfRequest(req: ApiRequest<string>): string {
  const parts = req.path.split('/').filter(Boolean).map(decodeSegment);
  const at = parts.findLastIndex((p, i) => p.toLowerCase() === 'providers' && parts[i + 1]?.toLowerCase() === 'microsoft.authorization');
  return normalizeScope(parts.slice(0, at).join('/'));
}

/**
 * Assignments as Azure shows them (each role definition's id under the subscription the assignment
 * lies in), plus `principalName`, the principal's application id, which az looks up in Microsoft
 * Graph and dpvault's CLI shows from here.
 */
async function present(ctx: ServiceContext, list: RoleAssignment[]): Promise<RoleAssignment[]> {
  const names = new Map((await listPrincipals(ctx)).map((p) => [p.id.toLowerCase(), p.appId]));
  return list.map((a) => {
    const sub = subscriptionOf(a.properties.scope);
    const roleDefinitionId = sub ? `/subscriptions/${sub}${a.properties.roleDefinitionId}` : a.properties.roleDefinitionId;
    return { ...a, properties: { ...a.properties, roleDefinitionId, principalName: names.get(a.properties.principalId.toLowerCase()) ?? null } };
  });
}
const presentOne = async (ctx: ServiceContext, a: RoleAssignment) => (await present(ctx, [a]))[0]!;

/** A principal filter names the principal by object id or application id (az's --assignee takes either). */
async function resolvePrincipalFilter(ctx: ServiceContext, filter: AssignmentFilter): Promise<AssignmentFilter> {
  if (!filter.principalId) return filter;
  const known = (await listPrincipals(ctx)).find((p) => [p.id, p.appId].some((x) => x.toLowerCase() === filter.principalId!.toLowerCase()));
  return known ? { ...filter, principalId: known.id } : filter;
}

/** `atScope()`, `principalId eq '{id}'`, `assignedTo('{id}')`, joined by `and`. */
export function readAssignmentFilter(filter: string | null): AssignmentFilter {
  const out: AssignmentFilter = {};
  if (!filter?.trim()) return out;
  for (const term of filter.split(/\s+and\s+/i)) {
    const principal = /^\s*(?:principalId\s+eq\s+'([^']+)'|assignedTo\('([^']+)'\))\s*$/i.exec(term);
    if (/^\s*atScope\(\)\s*$/i.test(term)) out.atScope = true;
    else if (principal) out.principalId = principal[1] ?? principal[2];
    else throw errors.filterInvalid(`The filter '${filter}' is not supported: use atScope(), principalId eq '{objectId}' or assignedTo('{objectId}').`, '$filter');
  }
  return out;
}

function readRoleNameFilter(filter: string | null): string | undefined {
  if (!filter?.trim()) return undefined;
  const m = /^\s*roleName\s+eq\s+'([^']*)'\s*$/i.exec(filter);
  if (m) return m[1];
  if (/^\s*type\s+eq\s+'BuiltInRole'\s*$/i.test(filter)) return undefined;
  throw errors.filterInvalid(`The filter '${filter}' is not supported: use roleName eq '{name}'.`, '$filter');
}

export function registerAuthorizationRoutes(router: Router): void {
  for (const s of AUTHORIZATION_SCOPES) {
    router
      .add('GET', `${s}${AUTHZ}/roleAssignments`, async (req) => {
        const filter = await resolvePrincipalFilter(req.ctx, readAssignmentFilter(req.query.get('$filter')));
        return ok({ value: await present(req.ctx, await listAssignments(req.ctx, scopeOfRequest(req), filter)) });
      }, 'authorization')
      .add('GET', `${s}${AUTHZ}/roleAssignments/{assignment}`, async (req) =>
        ok(await presentOne(req.ctx, await getAssignment(req.ctx, scopeOfRequest(req), req.params.assignment))), 'authorization')
      .add('PUT', `${s}${AUTHZ}/roleAssignments/{assignment}`, async (req) => {
        const { assignment, created } = await createAssignment(req.ctx, scopeOfRequest(req), req.params.assignment, req.body);
        return ok(await presentOne(req.ctx, assignment), created ? 201 : 200);
      }, 'authorization')
      .add('DELETE', `${s}${AUTHZ}/roleAssignments/{assignment}`, async (req) => {
        const gone = await deleteAssignment(req.ctx, scopeOfRequest(req), req.params.assignment);
        return gone ? ok(await presentOne(req.ctx, gone)) : { status: 204 };
      }, 'authorization')
      .add('GET', `${s}${AUTHZ}/roleDefinitions`, async (req) => {
        const name = readRoleNameFilter(req.query.get('$filter'));
        const roles = BUILT_IN_ROLES.filter((r) => name === undefined || r.name.toLowerCase() === name.toLowerCase());
        return ok({ value: roles.map((r) => roleDefinitionBody(r, scopeOfRequest(req))) });
      }, 'authorization')
      .add('GET', `${s}${AUTHZ}/roleDefinitions/{definition}`, async (req) => {
        const role = findRole(req.params.definition);
        if (!role || role.id !== req.params.definition.toLowerCase()) throw errors.roleDefinitionNotFound(req.params.definition);
        return ok(roleDefinitionBody(role, scopeOfRequest(req)));
      }, 'authorization');
  }
}
