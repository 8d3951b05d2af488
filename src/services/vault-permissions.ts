// What a Backup vault's identity may do, asked as Azure's service asks before a backup or restore
// of a datasource it reaches with that identity: does it hold each role the manifest requires
// (that role, or Owner or Contributor, which include it, through an assignment over the scope or
// above it), and may it read the key vault secret it will log in with?
import type { PlacedRequirement } from '../datasources/permission-scope.ts';
import { DpError, errors } from '../domain/errors.ts';
import { BUILT_IN_ROLE_IDS, ROLE_ASSIGNMENT_TYPE, type BuiltInRoleName, type RoleAssignment } from '../domain/role-assignment.ts';
import { scopeCovers } from '../domain/scopes.ts';
import type { ServiceContext } from './context.ts';
import { resolveSecret } from './key-vaults.ts';

/** The requirements `principalId` does not meet, in words ("Reader over the datasource resource group (scope ...)"). */
export async function unmetRequirements(ctx: ServiceContext, principalId: string, requirements: PlacedRequirement[]): Promise<string[]> {
  const held = (await ctx.catalog.listResources<RoleAssignment>({ type: ROLE_ASSIGNMENT_TYPE })).items
    .map((r) => r.body.properties)
    .filter((a) => a.principalId.toLowerCase() === principalId.toLowerCase())
    .map((a) => ({ role: a.roleDefinitionId.split('/').pop()!.toLowerCase(), scope: a.scope }));
  const idOf = (name: string) => BUILT_IN_ROLE_IDS[name as BuiltInRoleName] as string | undefined;
  return requirements
    .filter((r) => {
      const enough = [idOf(r.roleDefinitionName), BUILT_IN_ROLE_IDS.Owner, BUILT_IN_ROLE_IDS.Contributor];
      return !held.some((h) => enough.includes(h.role) && scopeCovers(h.scope, r.scope));
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
