// `dpvault group create|show|list|delete`, as `az group`.
import { defineCommand } from '../../command.ts';
import { groupPath } from '../../paths.ts';
import { parseTags } from '../../tags.ts';
import { locationArg, tagsArg, yesArg } from '../../common-args.ts';

const name = { names: ['--name', '--resource-group', '-n', '-g'], required: true, help: 'Name of the resource group.' };

export const groupCommands = [
  defineCommand({
    path: ['group', 'create'],
    summary: 'Create a new resource group.',
    args: {
      name,
      location: locationArg,
      tags: tagsArg,
      managedBy: { names: ['--managed-by'], help: 'The id of the resource that manages this resource group.' },
    },
    async run(a, ctx) {
      const body: Record<string, unknown> = { location: a.location, tags: parseTags(a.tags as string[] | undefined) };
      if (a.managedBy) body.managedBy = a.managedBy;
      return (await ctx.client.send('PUT', groupPath(await ctx.subscription(), a.name as string), { body })).body;
    },
  }),
  defineCommand({
    path: ['group', 'show'],
    summary: 'Get a resource group.',
    args: { name },
    async run(a, ctx) {
      return ctx.client.get(groupPath(await ctx.subscription(), a.name as string));
    },
  }),
  defineCommand({
    path: ['group', 'list'],
    summary: 'List resource groups.',
    args: {},
    async run(_a, ctx) {
      return ctx.client.listAll(`/subscriptions/${await ctx.subscription()}/resourcegroups`);
    },
  }),
  defineCommand({
    path: ['group', 'delete'],
    summary: 'Delete an empty resource group.',
    supportsNoWait: true,
    args: { name, yes: yesArg },
    async run(a, ctx) {
      if (!(await ctx.confirm())) return undefined;
      await ctx.client.send('DELETE', groupPath(await ctx.subscription(), a.name as string));
      return undefined;
    },
  }),
];
