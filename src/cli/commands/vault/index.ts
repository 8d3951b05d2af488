// `dpvault vault verify|maintain|recover`: dpvault's own commands for a vault's backup data (not in az).
import { defineCommand } from '../../command.ts';
import { vaultPath } from '../../paths.ts';

export const vaultCommands = [
  defineCommand({
    path: ['vault', 'verify'],
    summary: 'Read back a vault\'s backup data (or a sample of it) and check every chunk; reports as a job.',
    supportsNoWait: true,
    args: {
      resourceGroup: { names: ['--resource-group', '-g'], required: true },
      vaultName: { names: ['--vault-name', '-v'], required: true },
      sample: { names: ['--sample'], type: 'float', default: '100', help: 'Percent of packs to read back (default 100).' },
    },
    async run(a, ctx) {
      const path = `${vaultPath(await ctx.subscription(), a.resourceGroup as string, a.vaultName as string)}/verify`;
      return ctx.client.longRunning('POST', path, { body: { samplePercent: Number(a.sample) }, noWait: a.noWait === true });
    },
  }),
  defineCommand({
    path: ['vault', 'maintain'],
    summary: 'Run the vault\'s maintenance now: free what no recovery point needs and repack; reports as a job.',
    supportsNoWait: true,
    args: {
      resourceGroup: { names: ['--resource-group', '-g'], required: true },
      vaultName: { names: ['--vault-name', '-v'], required: true },
    },
    async run(a, ctx) {
      const path = `${vaultPath(await ctx.subscription(), a.resourceGroup as string, a.vaultName as string)}/maintain`;
      return ctx.client.longRunning('POST', path, { noWait: a.noWait === true });
    },
  }),
  defineCommand({
    path: ['vault', 'recover'],
    summary: 'Rebuild the vault\'s backup instances and recovery points in the catalog from its storage and the master key.',
    args: {
      resourceGroup: { names: ['--resource-group', '-g'], required: true },
      vaultName: { names: ['--vault-name', '-v'], required: true },
    },
    async run(a, ctx) {
      const path = `${vaultPath(await ctx.subscription(), a.resourceGroup as string, a.vaultName as string)}/recover`;
      return ctx.client.longRunning('POST', path, {});
    },
  }),
];
