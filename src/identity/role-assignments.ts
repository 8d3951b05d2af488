// Role assignments: who (a principal's object id) holds which built-in role over which scope, kept
// in the catalog as resources of type Microsoft.Authorization/roleAssignments
// (src/domain/role-assignment.ts). Create, read, list and delete as the REST API does them, and the
// question the authorization step asks: which assignments does this principal hold?
import { errors } from '../domain/errors.ts';
import {
  ROLE_ASSIGNMENT_TYPE, roleAssignmentId, roleAssignmentRecord, type BuiltInRoleName, type RoleAssignment,
} from '../domain/role-assignment.ts';
import type { ServiceContext } from '../services/context.ts';
import { listPrincipals, type ServicePrincipal } from './principals.ts';
import { findRole, type RoleDefinition } from './roles.ts';

/** Principals are catalog resources of this type (principals.ts: `ad sp`, the Owner, vaults' identities). */
export { SERVICE_PRINCIPAL_TYPE } from './principals.ts';
import { normalizeScope, scopeCovers, subscriptionOf } from './scopes.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OWNER = findRole('Owner')!;

/** Every assignment in the installation (they are few: one per principal and scope). */
export async function allAssignments(ctx: ServiceContext): Promise<RoleAssignment[]> {
  return (await ctx.catalog.listResources<RoleAssignment>({ type: ROLE_ASSIGNMENT_TYPE })).items.map((r) => r.body);
}

/** The assignments `objectId` holds, at any scope. */
export async function assignmentsOf(ctx: ServiceContext, objectId: string): Promise<RoleAssignment[]> {
  return (await allAssignments(ctx)).filter((a) => a.properties.principalId.toLowerCase() === objectId.toLowerCase());
}

/** The role an assignment grants (undefined for a role dpvault does not know). */
export const roleOf = (a: RoleAssignment): RoleDefinition | undefined => findRole(a.properties.roleDefinitionId);

/** The principal with this object id or application id; refused when there is none. */
export async function findPrincipal(ctx: ServiceContext, idOrAppId: string): Promise<ServicePrincipal> {
  const key = idOrAppId.toLowerCase();
  const found = (await listPrincipals(ctx)).find((p) => p.id.toLowerCase() === key || p.appId.toLowerCase() === key);
  if (!found) throw errors.principalNotFound(idOrAppId);
  return found;
}

export type AssignmentFilter = { atScope?: boolean; principalId?: string };

/**
 * The assignments a list over `scope` shows, as Azure's: those at, above and below the scope;
 * `atScope` keeps those at or above it only; `principalId` one principal's.
 */
export async function listAssignments(ctx: ServiceContext, scope: string, filter: AssignmentFilter = {}): Promise<RoleAssignment[]> {
  return (await allAssignments(ctx)).filter((a) => {
    const s = a.properties.scope;
    const related = scopeCovers(s, scope) || (!filter.atScope && scopeCovers(scope, s));
    return related && (!filter.principalId || a.properties.principalId.toLowerCase() === filter.principalId.toLowerCase());
  });
}

export async function getAssignment(ctx: ServiceContext, scope: string, name: string): Promise<RoleAssignment> {
  const found = await ctx.catalog.getResource<RoleAssignment>(roleAssignmentId(normalizeScope(scope), name));
  if (!found) throw errors.roleAssignmentNotFound(`The role assignment '${name}' is not found at scope '${normalizeScope(scope)}'.`);
  return found.body;
}

/** `PUT {scope}/providers/Microsoft.Authorization/roleAssignments/{name}` with `{properties: {roleDefinitionId, principalId}}`. */
export async function createAssignment(ctx: ServiceContext, rawScope: string, name: string, body: unknown): Promise<{ assignment: RoleAssignment; created: boolean }> {
  const scope = normalizeScope(rawScope);
  if (!GUID.test(name)) throw errors.roleAssignmentIdInvalid(name);
  const sub = subscriptionOf(scope);
  if (scope !== '/' && sub?.toLowerCase() !== ctx.subscriptionId.toLowerCase()) throw errors.roleAssignmentScopeInvalid(scope);
  const props = (body as { properties?: Record<string, unknown> } | undefined)?.properties;
  if (!props || typeof props.roleDefinitionId !== 'string' || typeof props.principalId !== 'string') {
    throw errors.roleAssignmentRequestInvalid('The request needs properties.roleDefinitionId and properties.principalId.');
  }
  const role = findRole(props.roleDefinitionId);
  if (!role) throw errors.roleDefinitionNotFound(props.roleDefinitionId);
  const principal = await findPrincipal(ctx, props.principalId);
  return ctx.catalog.transaction(async () => {
    const existing = await ctx.catalog.getResource<RoleAssignment>(roleAssignmentId(scope, name));
    const same = (await listAssignments(ctx, scope, { atScope: true, principalId: principal.id })).find(
      (a) => normalizeScope(a.properties.scope).toLowerCase() === scope.toLowerCase() && roleOf(a)?.id === role.id,
    );
    if (same && same.name !== existing?.body.name) throw errors.roleAssignmentExists();
    if (existing) {
      if (roleOf(existing.body)?.id !== role.id || existing.body.properties.principalId.toLowerCase() !== principal.id.toLowerCase()) {
        throw errors.roleAssignmentRequestInvalid('A role assignment cannot be updated: delete it and create another.');
      }
      return { assignment: existing.body, created: false };
    }
    return { assignment: await assignRole(ctx, { scope, principalId: principal.id, role: role.name, name }), created: true };
  });
}

/** Stores an assignment as given (no checks: for the first Owner, and for tests that set the stage). */
export async function assignRole(ctx: ServiceContext, a: { scope: string; principalId: string; role: BuiltInRoleName; name: string }): Promise<RoleAssignment> {
  const record = roleAssignmentRecord({ ...a, createdOn: ctx.clock.now().toISOString() });
  await ctx.catalog.putResource({ ...record, body: { ...record.body } });
  return record.body;
}

/** Deletes an assignment; the last Owner at `/` stays, so the installation cannot lock itself out. */
export async function deleteAssignment(ctx: ServiceContext, rawScope: string, name: string): Promise<RoleAssignment | undefined> {
  const scope = normalizeScope(rawScope);
  return ctx.catalog.transaction(async () => {
    const found = await ctx.catalog.getResource<RoleAssignment>(roleAssignmentId(scope, name));
    if (!found) return undefined;
    const isRootOwner = (a: RoleAssignment) => a.properties.scope === '/' && roleOf(a)?.id === OWNER.id;
    if (isRootOwner(found.body) && (await allAssignments(ctx)).filter(isRootOwner).length <= 1) throw errors.lastOwnerAssignment();
    await ctx.catalog.deleteResource(found.id);
    return found.body;
  });
}
