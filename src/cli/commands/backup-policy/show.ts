// `backup-policy show`: GET one policy of a vault.
import { defineCommand } from '../../command.ts';
import { policyPath } from '../../paths.ts';
import { policyIdArgs } from './args.ts';

export const showCommand = defineCommand({
  path: ['backup-policy', 'show'],
  summary: 'Get a backup policy belonging to a backup vault.',
  args: policyIdArgs,
  async run(a, ctx) {
    const path = policyPath(await ctx.subscription(), a.resourceGroup as string, a.vaultName as string, a.name as string);
    return (await ctx.client.send('GET', path)).body;
  },
});
