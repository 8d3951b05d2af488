// `dpvault dataprotection resource-guard create|show|list|delete|update|list-protected-operations`,
// as az's: a resource guard (Microsoft.DataProtection/resourceGuards) that a vault is mapped to for
// multi-user authorization. `update --critical-operation-exclusion-list` replaces the operations the
// guard leaves to the vault's own roles (the optional ones only).
import { CRITICAL_OPERATIONS } from '../../../domain/resource-guard.ts';
import { defineCommand, type ArgSpec, type CommandContext } from '../../command.ts';
import { locationArg, tagsArg, yesArg } from '../../common-args.ts';
import { groupPath } from '../../paths.ts';
import { parseTags } from '../../tags.ts';

const guardArgs = {
  resourceGroup: { names: ['--resource-group', '-g'], required: true, help: 'Name of resource group.' },
  resourceGuardName: { names: ['--resource-guard-name', '--name', '-n'], required: true, help: 'The name of the resource guard.' },
} satisfies Record<string, ArgSpec>;
const resourceType: ArgSpec = {
  names: ['--resource-type'], enum: ['Microsoft.DataProtection/backupVaults'], default: 'Microsoft.DataProtection/backupVaults',
  help: 'Type of the resource the guard protects.',
};

const guardPath = async (a: Record<string, unknown>, ctx: CommandContext) =>
  `${groupPath(await ctx.subscription(), a.resourceGroup as string)}/providers/Microsoft.DataProtection/resourceGuards/${a.resourceGuardName as string}`;

interface Guard { location: string; tags: Record<string, string> | null; properties: { vaultCriticalOperationExclusionList: string[]; resourceGuardOperations: unknown[] } }

export const resourceGuardCommands = [
  defineCommand({
    path: ['resource-guard', 'create'],
    summary: 'Create a resource guard (multi-user authorization for the vaults mapped to it).',
    args: { ...guardArgs, location: { ...locationArg, required: false, help: 'Location; defaults to the resource group\'s.' }, tags: tagsArg },
    async run(a, ctx) {
      const path = await guardPath(a, ctx);
      const location = (a.location as string | undefined) ?? ((await ctx.client.get(groupPath(await ctx.subscription(), a.resourceGroup as string))) as { location: string }).location;
      const body = { location, properties: {}, ...(a.tags ? { tags: parseTags(a.tags as string[]) } : {}) };
      return (await ctx.client.send('PUT', path, { body })).body;
    },
  }),
  defineCommand({
    path: ['resource-guard', 'show'],
    summary: 'Show a resource guard.',
    args: guardArgs,
    async run(a, ctx) {
      return ctx.client.get(await guardPath(a, ctx));
    },
  }),
  defineCommand({
    path: ['resource-guard', 'list'],
    summary: 'List resource guards in a resource group or in the subscription.',
    args: { resourceGroup: { ...guardArgs.resourceGroup, required: false } },
    async run(a, ctx) {
      const sub = await ctx.subscription();
      const base = a.resourceGroup ? groupPath(sub, a.resourceGroup as string) : `/subscriptions/${sub}`;
      return ctx.client.listAll(`${base}/providers/Microsoft.DataProtection/resourceGuards`);
    },
  }),
  defineCommand({
    path: ['resource-guard', 'delete'],
    summary: 'Delete a resource guard no vault is mapped to.',
    args: { ...guardArgs, yes: yesArg },
    async run(a, ctx) {
      if (!(await ctx.confirm())) return undefined;
      await ctx.client.send('DELETE', await guardPath(a, ctx));
      return undefined;
    },
  }),
  defineCommand({
    path: ['resource-guard', 'update'],
    summary: 'Update a resource guard: its tags, and the critical operations it excludes from protection.',
    args: {
      ...guardArgs,
      criticalOperationExclusionList: {
        names: ['--critical-operation-exclusion-list'], arity: 'many', enum: CRITICAL_OPERATIONS.filter((o) => !o.mandatory).map((o) => o.name),
        help: 'The optional critical operations the guard does not protect; replaces the list.',
      },
      resourceType,
      tags: tagsArg,
    },
    async run(a, ctx) {
      const path = await guardPath(a, ctx);
      const current = (await ctx.client.get(path)) as Guard;
      const exclusions = a.criticalOperationExclusionList as string[] | undefined;
      const body = {
        location: current.location,
        tags: a.tags ? parseTags(a.tags as string[]) : current.tags,
        properties: { vaultCriticalOperationExclusionList: exclusions ?? current.properties.vaultCriticalOperationExclusionList },
      };
      return (await ctx.client.send('PUT', path, { body })).body;
    },
  }),
  defineCommand({
    path: ['resource-guard', 'list-protected-operations'],
    summary: 'List the critical operations a resource guard protects.',
    args: { ...guardArgs, resourceType },
    async run(a, ctx) {
      const guard = (await ctx.client.get(await guardPath(a, ctx))) as Guard;
      const excluded = new Set(guard.properties.vaultCriticalOperationExclusionList.map((e) => e.toLowerCase()));
      return (guard.properties.resourceGuardOperations as { vaultCriticalOperation: string }[]).filter((o) => !excluded.has(o.vaultCriticalOperation.toLowerCase()));
    },
  }),
];
