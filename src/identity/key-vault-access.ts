// The built-in key vault's data plane (its secrets) is authorized as Azure authorizes a vault that
// uses access policies: by the caller's object id against the vault's policies, not by roles. The
// operator (in-process calls only) passes; a principal needs a policy granting the permission.
import { errors } from '../domain/errors.ts';
import type { KeyVault } from '../domain/key-vault.ts';
import { grantsSecretPermission, type SECRET_PERMISSIONS } from '../secrets/access-policies.ts';
import type { Caller } from '../services/caller.ts';
import type { ServiceContext } from '../services/context.ts';

export type SecretPermission = (typeof SECRET_PERMISSIONS)[number];

/**
 * Throws the key vault's 403 unless the caller may use `permission` on the secrets of the vault
 * with this id. A vault that does not exist grants nothing (the same answer, so a denied caller
 * learns nothing about which vaults exist).
 */
export async function demandSecretPermission(ctx: ServiceContext, caller: Caller, vaultId: string, permission: SecretPermission): Promise<void> {
  if (caller.kind === 'operator') return;
  const vault = (await ctx.catalog.getResource<KeyVault>(vaultId))?.body;
  if (vault && grantsSecretPermission(vault.properties.accessPolicies, caller.objectId, permission)) return;
  const name = vault?.name ?? vaultId.split('/').pop()!;
  throw errors.keyVaultAccessDenied(caller.appId, caller.objectId, caller.tenantId, permission, name);
}
