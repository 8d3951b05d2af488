// `backup-vault create|show|list|update|delete`.
import { parseTags } from '../../tags.ts';
import { camelKeys, parseObjectList } from '../../shorthand.ts';
import { defineCommand } from '../../command.ts';
import { groupPath, vaultPath } from '../../paths.ts';
import { applySettings, settingArgs, vaultIdArgs } from './settings.ts';
import { locationArg, yesArg } from '../../common-args.ts';

export const backupVaultCommands = [
  defineCommand({
    path: ['backup-vault', 'create'],
    summary: 'Create a backup vault.',
    supportsNoWait: true,
    args: {
      ...vaultIdArgs,
      location: locationArg,
      storageSetting: { names: ['--storage-setting', '--storage-settings'], arity: 'many', required: true, help: 'datastore-type=VaultStore type=LocallyRedundant' },
      ...settingArgs,
      softDeleteState: { ...settingArgs.softDeleteState, default: 'On' },
      softDeleteRetention: { ...settingArgs.softDeleteRetention, default: '14' },
      eTag: { names: ['--e-tag'], help: 'Optional ETag.' },
    },
    async run(a, ctx) {
      const path = vaultPath(await ctx.subscription(), a.resourceGroup as string, a.vaultName as string);
      const vault: { location: unknown; properties: Record<string, unknown>; identity?: unknown; tags?: unknown; eTag?: unknown } = {
        location: a.location,
        properties: { storageSettings: parseObjectList('--storage-setting', a.storageSetting as string[]).map(camelKeys) },
      };
      applySettings(vault, { ...a, softDeleteRetention: Number(a.softDeleteRetention) });
      if (a.tags) vault.tags = parseTags(a.tags as string[]);
      if (a.eTag) vault.eTag = a.eTag;
      return ctx.client.longRunning('PUT', path, { body: vault, noWait: a.noWait === true, finalGet: path });
    },
  }),
  defineCommand({
    path: ['backup-vault', 'show'],
    summary: 'Get a backup vault.',
    args: vaultIdArgs,
    async run(a, ctx) {
      return ctx.client.get(vaultPath(await ctx.subscription(), a.resourceGroup as string, a.vaultName as string));
    },
  }),
  defineCommand({
    path: ['backup-vault', 'list'],
    summary: 'List backup vaults in a resource group or in the subscription.',
    args: { resourceGroup: { names: ['--resource-group', '-g'], help: 'Name of resource group; all the subscription\'s vaults when absent.' } },
    async run(a, ctx) {
      const sub = await ctx.subscription();
      const base = a.resourceGroup ? groupPath(sub, a.resourceGroup as string) : `/subscriptions/${sub}`;
      return ctx.client.listAll(`${base}/providers/Microsoft.DataProtection/backupVaults`);
    },
  }),
  defineCommand({
    path: ['backup-vault', 'update'],
    summary: 'Update a backup vault\'s settings.',
    supportsNoWait: true,
    args: { ...vaultIdArgs, ...settingArgs },
    async run(a, ctx) {
      const path = vaultPath(await ctx.subscription(), a.resourceGroup as string, a.vaultName as string);
      const vault = (await ctx.client.get(path)) as { properties: Record<string, unknown>; identity?: unknown; tags?: unknown };
      applySettings(vault, a);
      if (a.tags) vault.tags = parseTags(a.tags as string[]);
      return ctx.client.longRunning('PUT', path, { body: vault, noWait: a.noWait === true, finalGet: path });
    },
  }),
  defineCommand({
    path: ['backup-vault', 'delete'],
    summary: 'Delete a backup vault that holds no policies or backup instances.',
    supportsNoWait: true,
    args: { ...vaultIdArgs, yes: yesArg },
    async run(a, ctx) {
      if (!(await ctx.confirm())) return undefined;
      const path = vaultPath(await ctx.subscription(), a.resourceGroup as string, a.vaultName as string);
      await ctx.client.longRunning('DELETE', path, { noWait: a.noWait === true });
      return undefined;
    },
  }),
];
