// `dpvault vault verify|repair|maintain|recover`: dpvault's own commands for a vault's backup data
// (not in az). Each posts to the vault and, but for recover, answers with the job that does the work.
import { defineCommand, type ArgSpec } from '../../command.ts';
import { vaultPath } from '../../paths.ts';

const vaultArgs = {
  resourceGroup: { names: ['--resource-group', '-g'], required: true, help: 'Name of the resource group.' },
  vaultName: { names: ['--vault-name', '-v'], required: true, help: 'Name of the backup vault.' },
} satisfies Record<string, ArgSpec>;

/** A command that posts to `{vault}/<action>` and reports the job it started. */
function vaultJobCommand(action: 'repair' | 'maintain', summary: string) {
  return defineCommand({
    path: ['vault', action],
    summary,
    supportsNoWait: true,
    args: { ...vaultArgs },
    async run(a, ctx) {
      const path = `${vaultPath(await ctx.subscription(), a.resourceGroup as string, a.vaultName as string)}/${action}`;
      return ctx.client.longRunning('POST', path, { body: {}, noWait: a.noWait === true });
    },
  });
}

export const vaultCommands = [
  defineCommand({
    path: ['vault', 'verify'],
    summary: 'Read back a vault\'s backup data (or a sample of it) and check every chunk; what is damaged is quarantined; reports as a job.',
    supportsNoWait: true,
    args: {
      ...vaultArgs,
      sample: { names: ['--sample'], type: 'float', default: '100', help: 'Percent of packs to read back (default 100).' },
    },
    async run(a, ctx) {
      const path = `${vaultPath(await ctx.subscription(), a.resourceGroup as string, a.vaultName as string)}/verify`;
      return ctx.client.longRunning('POST', path, { body: { samplePercent: Number(a.sample) }, noWait: a.noWait === true });
    },
  }),
  vaultJobCommand('repair', 'Verify a vault\'s backup data, rebuild its index from the packs and save what is readable of damaged packs; reports as a job.'),
  vaultJobCommand('maintain', 'Run the vault\'s maintenance now: free what no recovery point needs and repack; reports as a job.'),
  defineCommand({
    path: ['vault', 'recover'],
    summary: 'Rebuild the vault\'s backup instances and recovery points in the catalog from its storage and the master key.',
    args: { ...vaultArgs },
    async run(a, ctx) {
      const path = `${vaultPath(await ctx.subscription(), a.resourceGroup as string, a.vaultName as string)}/recover`;
      return ctx.client.longRunning('POST', path, {});
    },
  }),
];
