// `backup-instance deleted-backup-instance list|show|undelete`: soft-deleted backup instances.
import { defineCommand } from '../../command.ts';
import { vaultPath } from '../../paths.ts';
import { DELETED_INSTANCE, instanceIdArgs, resourceGroup, showTargets, targetsOf, vaultName } from './args.ts';

const GROUP = ['backup-instance', 'deleted-backup-instance'];

export const deletedInstanceList = defineCommand({
  path: [...GROUP, 'list'],
  summary: 'List the soft-deleted backup instances of a backup vault.',
  args: { resourceGroup, vaultName },
  async run(a, ctx) {
    return ctx.client.listAll(`${vaultPath(await ctx.subscription(), a.resourceGroup as string, a.vaultName as string)}/deletedBackupInstances`);
  },
});

export const deletedInstanceShow = defineCommand({
  path: [...GROUP, 'show'],
  summary: 'Get a soft-deleted backup instance.',
  args: instanceIdArgs,
  async run(a, ctx) {
    return showTargets(await targetsOf(a, ctx, DELETED_INSTANCE), ctx);
  },
});

export const deletedInstanceUndelete = defineCommand({
  path: [...GROUP, 'undelete'],
  summary: 'Undelete a soft-deleted backup instance: it comes back with its recovery points, protection stopped.',
  supportsNoWait: true,
  args: instanceIdArgs,
  async run(a, ctx) {
    for (const path of await targetsOf(a, ctx, DELETED_INSTANCE)) {
      await ctx.client.longRunning('POST', `${path}/undelete`, { noWait: a.noWait === true });
    }
    return undefined;
  },
});
