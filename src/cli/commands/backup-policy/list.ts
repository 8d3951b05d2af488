// `backup-policy list`: every policy of a vault, across pages.
import { defineCommand } from '../../command.ts';
import { vaultPath } from '../../paths.ts';
import { vaultArgs } from './args.ts';

export const listCommand = defineCommand({
  path: ['backup-policy', 'list'],
  summary: 'List the backup policies belonging to a backup vault.',
  args: vaultArgs,
  async run(a, ctx) {
    const vault = vaultPath(await ctx.subscription(), a.resourceGroup as string, a.vaultName as string);
    return ctx.client.listAll(`${vault}/backupPolicies`);
  },
});
