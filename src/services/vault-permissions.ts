// What a Backup vault's identity may do, asked as Azure's service asks before a backup or restore
// of a datasource it reaches with that identity: does it hold each role the manifest requires
// (the role's every action, through any assignment over the scope or above it), and may it read
// the key vault secret it will log in with?
import type { PlacedRequirement } from '../datasources/permission-scope.ts';
import { DpError, errors } from '../domain/errors.ts';
import { assignmentsOf, roleOf } from '../identity/role-assignments.ts';
import { findRole, roleAllows } from '../identity/roles.ts';
import { scopeCovers } from '../identity/scopes.ts';
import type { ServiceContext } from './context.ts';
import { resolveSecret } from './key-vaults.ts';

/** The requirements `principalId` does not meet, in words ("Reader over the datasource resource group (scope ...)"). */
export async function unmetRequirements(ctx: ServiceContext, principalId: string, requirements: PlacedRequirement[]): Promise<string[]> {
  const held = (await assignmentsOf(ctx, principalId)).map((a) => ({ role: roleOf(a), scope: a.properties.scope }));
  return requirements
    .filter((r) => {
      const actions = findRole(r.roleDefinitionName)?.actions ?? [r.roleDefinitionName];
      return !actions.every((action) => held.some((h) => h.role && roleAllows(h.role, action) && scopeCovers(h.scope, r.scope)));
    })
    .map((r) => `${r.what} (${r.scope})`);
}

/**
 * The secret's value as `principalId` reads it, or, when its key vault does not let it, null with
 * the missing access in words added to `missing`.
 */
export async function readSecretAs(ctx: ServiceContext, secretUri: string, principalId: string, missing: string[]): Promise<string | null> {
  try {
    return await resolveSecret(ctx, secretUri, principalId);
  } catch (e) {
    if (!(e instanceof DpError) || e.code !== errors.secretStorePermissionMissing('').code) throw e;
    missing.push(`'get' on the secrets of the key vault holding ${secretUri}`);
    return null;
  }
}
