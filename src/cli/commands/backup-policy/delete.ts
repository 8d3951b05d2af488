// `backup-policy delete`: DELETE a policy after confirmation; prints nothing.
import { defineCommand } from '../../command.ts';
import { policyPath } from '../../paths.ts';
import { policyIdArgs } from './args.ts';

export const deleteCommand = defineCommand({
  path: ['backup-policy', 'delete'],
  summary: 'Delete a backup policy belonging to a backup vault.',
  args: { ...policyIdArgs, yes: { names: ['--yes', '-y'], arity: 'flag', help: 'Do not prompt for confirmation.' } },
  async run(a, ctx) {
    if (!(await ctx.confirm())) return undefined;
    const path = policyPath(await ctx.subscription(), a.resourceGroup as string, a.vaultName as string, a.name as string);
    await ctx.client.send('DELETE', path);
    return undefined;
  },
});
