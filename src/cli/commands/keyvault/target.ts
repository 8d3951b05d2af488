// How the keyvault commands address a key vault: by name alone (names are global, so the vault is
// found in the subscription's list) or by group and name, and the api-version they speak.
import { CLIENT_KEYVAULT_API_VERSION } from '../../../api/api-version.ts';
import { errors } from '../../../domain/errors.ts';
import type { ArgSpec, CommandContext } from '../../command.ts';
import { groupPath } from '../../paths.ts';

export const KV_API = CLIENT_KEYVAULT_API_VERSION;
export const KV_QUERY = { 'api-version': KV_API };

export const keyVaultPath = (sub: string, rg: string, name: string): string => `${groupPath(sub, rg)}/providers/Microsoft.KeyVault/vaults/${name}`;

export const keyVaultArgs = {
  name: { names: ['--name', '-n'], required: true, help: 'Name of the key vault.' },
  resourceGroup: { names: ['--resource-group', '-g'], help: 'Resource group of the key vault (found by name when omitted).' },
} satisfies Record<string, ArgSpec>;

/** The ARM path of a key vault; without a group, looks the name up across the subscription. */
export async function locateKeyVault(ctx: CommandContext, name: string, rg?: string): Promise<string> {
  const sub = await ctx.subscription();
  if (rg) return keyVaultPath(sub, rg, name);
  const all = (await ctx.client.listAll(`/subscriptions/${sub}/providers/Microsoft.KeyVault/vaults`, KV_QUERY)) as { id: string; name: string }[];
  const hit = all.find((v) => v.name.toLowerCase() === name.toLowerCase());
  if (!hit) throw errors.resourceNotFound('Microsoft.KeyVault/vaults', name, sub);
  return hit.id;
}
