// `dpvault keyvault create|show|list|delete|set-policy|delete-policy`, as `az keyvault`.
import { usage } from '../../../domain/errors.ts';
import type { AccessPolicy, PermissionCategory } from '../../../domain/key-vault.ts';
import { CERTIFICATE_PERMISSIONS, KEY_PERMISSIONS, SECRET_PERMISSIONS, STORAGE_PERMISSIONS } from '../../../secrets/access-policies.ts';
import { defineCommand, type ArgSpec, type CommandContext } from '../../command.ts';
import { groupPath } from '../../paths.ts';
import { parseTags } from '../../tags.ts';
import { KV_API, KV_QUERY, keyVaultArgs, keyVaultPath, locateKeyVault } from './target.ts';
import { secretCommands } from './secret.ts';
import { tagsArg } from '../../common-args.ts';

const permissionArgs = {
  secretPermissions: { names: ['--secret-permissions'], arity: 'many', enum: SECRET_PERMISSIONS, help: 'Space-separated list of secret permissions to assign.' },
  keyPermissions: { names: ['--key-permissions'], arity: 'many', enum: KEY_PERMISSIONS, help: 'Space-separated list of key permissions to assign.' },
  certificatePermissions: { names: ['--certificate-permissions'], arity: 'many', enum: CERTIFICATE_PERMISSIONS, help: 'Space-separated list of certificate permissions to assign.' },
  storagePermissions: { names: ['--storage-permissions'], arity: 'many', enum: STORAGE_PERMISSIONS, help: 'Space-separated list of storage permissions to assign.' },
} satisfies Record<string, ArgSpec>;
const CATEGORY_OF: Record<keyof typeof permissionArgs, PermissionCategory> = {
  secretPermissions: 'secrets', keyPermissions: 'keys', certificatePermissions: 'certificates', storagePermissions: 'storage',
};
const objectId: ArgSpec = { names: ['--object-id'], required: true, help: 'The GUID of the principal, e.g. a backup vault\'s identity.principalId.' };

async function updatePolicies(ctx: CommandContext, path: string, kind: 'replace' | 'remove', entry: Partial<AccessPolicy>): Promise<unknown> {
  await ctx.client.send('PUT', `${path}/accessPolicies/${kind}`, { body: { properties: { accessPolicies: [entry] } }, apiVersion: KV_API });
  return ctx.client.get(path, KV_QUERY);
}

export const keyVaultCommands = [
  defineCommand({
    path: ['keyvault', 'create'],
    summary: 'Create a key vault (access policy authorization).',
    args: {
      name: keyVaultArgs.name,
      resourceGroup: { ...keyVaultArgs.resourceGroup, required: true },
      location: { names: ['--location', '-l'], help: 'Defaults to the resource group\'s location.' },
      sku: { names: ['--sku'], enum: ['standard', 'premium'], default: 'standard', help: 'SKU of the key vault (no difference here).' },
      retentionDays: { names: ['--retention-days'], type: 'int', default: '90', help: 'Soft delete retention, 7 to 90 days.' },
      enablePurgeProtection: { names: ['--enable-purge-protection'], enum: ['true', 'false'], help: 'Whether protection against purge is enabled for this vault.' },
      tags: tagsArg,
    },
    async run(a, ctx) {
      const sub = await ctx.subscription();
      const rg = a.resourceGroup as string;
      const location = (a.location as string | undefined) ?? ((await ctx.client.get(groupPath(sub, rg))) as { location: string }).location;
      const properties: Record<string, unknown> = { sku: { family: 'A', name: a.sku }, softDeleteRetentionInDays: Number(a.retentionDays) };
      if (a.enablePurgeProtection !== undefined) properties.enablePurgeProtection = a.enablePurgeProtection === 'true';
      const body = { location, properties, ...(a.tags ? { tags: parseTags(a.tags as string[]) } : {}) };
      return (await ctx.client.send('PUT', keyVaultPath(sub, rg, a.name as string), { body, apiVersion: KV_API })).body;
    },
  }),
  defineCommand({
    path: ['keyvault', 'show'],
    summary: 'Show the details of a key vault.',
    args: keyVaultArgs,
    async run(a, ctx) {
      return ctx.client.get(await locateKeyVault(ctx, a.name as string, a.resourceGroup as string | undefined), KV_QUERY);
    },
  }),
  defineCommand({
    path: ['keyvault', 'list'],
    summary: 'List key vaults in a resource group or in the subscription.',
    args: { resourceGroup: keyVaultArgs.resourceGroup },
    async run(a, ctx) {
      const sub = await ctx.subscription();
      const base = a.resourceGroup ? groupPath(sub, a.resourceGroup as string) : `/subscriptions/${sub}`;
      return ctx.client.listAll(`${base}/providers/Microsoft.KeyVault/vaults`, KV_QUERY);
    },
  }),
  defineCommand({
    path: ['keyvault', 'delete'],
    summary: 'Delete a key vault and every secret in it.',
    args: keyVaultArgs,
    async run(a, ctx) {
      await ctx.client.send('DELETE', await locateKeyVault(ctx, a.name as string, a.resourceGroup as string | undefined), { apiVersion: KV_API });
      return undefined;
    },
  }),
  defineCommand({
    path: ['keyvault', 'set-policy'],
    summary: 'Update the access policy of a principal: the permission lists given replace that principal\'s lists.',
    args: { ...keyVaultArgs, objectId, ...permissionArgs },
    async run(a, ctx) {
      const given = (Object.keys(permissionArgs) as (keyof typeof permissionArgs)[]).filter((k) => a[k] !== undefined);
      if (!given.length) {
        throw usage('specify at least one of: --secret-permissions, --key-permissions, --certificate-permissions, --storage-permissions');
      }
      const path = await locateKeyVault(ctx, a.name as string, a.resourceGroup as string | undefined);
      const vault = (await ctx.client.get(path, KV_QUERY)) as { properties: { accessPolicies: AccessPolicy[] } };
      const id = (a.objectId as string).toLowerCase();
      const current = vault.properties.accessPolicies.find((p) => p.objectId.toLowerCase() === id);
      // As az: the categories given are replaced, the others keep what the principal had.
      const permissions = { keys: [], secrets: [], certificates: [], storage: [], ...(current?.permissions ?? {}) } as AccessPolicy['permissions'];
      for (const k of given) permissions[CATEGORY_OF[k]] = a[k] as string[];
      return updatePolicies(ctx, path, 'replace', { objectId: a.objectId as string, permissions });
    },
  }),
  defineCommand({
    path: ['keyvault', 'delete-policy'],
    summary: 'Delete the access policy of a principal.',
    args: { ...keyVaultArgs, objectId },
    async run(a, ctx) {
      const path = await locateKeyVault(ctx, a.name as string, a.resourceGroup as string | undefined);
      return updatePolicies(ctx, path, 'remove', { objectId: a.objectId as string });
    },
  }),
  ...secretCommands,
];
