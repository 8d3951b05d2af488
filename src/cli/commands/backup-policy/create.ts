// `backup-policy create`: PUT the policy JSON, verbatim, into a vault; prints the stored policy.
import { defineCommand } from '../../command.ts';
import { policyPath } from '../../paths.ts';
import { policyIdArgs, policyJsonArg } from './args.ts';

export const createCommand = defineCommand({
  path: ['backup-policy', 'create'],
  summary: 'Create a backup policy belonging to a backup vault.',
  args: { ...policyIdArgs, ...policyJsonArg },
  async run(a, ctx) {
    const path = policyPath(await ctx.subscription(), a.resourceGroup as string, a.vaultName as string, a.name as string);
    return (await ctx.client.send('PUT', path, { body: { properties: a.policy } })).body;
  },
});
