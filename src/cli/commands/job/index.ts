// `job show|list` (and list-from-resourcegraph and wait, in their own files): the backup and restore jobs of vaults.
import { defineCommand, type Command, type CommandContext } from '../../command.ts';
import { crossRegionTarget, useSecondaryRegion } from '../cross-region.ts';
import { vaultPath } from '../../paths.ts';
import { JOB, resourceGroup, showTargets, targetsOf, vaultName } from '../backup-instance/args.ts';
import { maxItems } from '../recovery-point/index.ts';
import { jobArgs } from './args.ts';
import { jobListFromResourceGraph } from './list-from-resourcegraph.ts';
import { jobTable } from './view.ts';
import { jobWait } from './wait.ts';

export const jobShow = defineCommand({
  path: ['job', 'show'],
  summary: 'Get a job, by --job-id with -g and -v, or by its full id with --ids.',
  args: { ...jobArgs, useSecondaryRegion },
  tableView: jobTable,
  async run(a, ctx) {
    const targets = await targetsOf(a, ctx, JOB);
    if (a.useSecondaryRegion === true) {
      const found = await Promise.all(targets.map(async (id) => {
        const [vault, jobId] = id.split(/\/backupJobs\//i) as [string, string];
        const t = await crossRegionTarget(ctx, vault.split('/')[4]!, vault.split('/')[8]!);
        return (await ctx.client.send('POST', `${t.base}/fetchCrossRegionRestoreJob`, { body: { sourceRegion: t.sourceRegion, sourceBackupVaultId: t.vaultId, jobId } })).body;
      }));
      return found.length === 1 ? found[0] : found;
    }
    return showTargets(targets, ctx);
  },
});

export const jobList = defineCommand({
  path: ['job', 'list'],
  summary: 'List the jobs of a backup vault.',
  args: { resourceGroup, vaultName, useSecondaryRegion, maxItems },
  tableView: jobTable,
  async run(a, ctx) {
    const jobs = a.useSecondaryRegion === true ? await crossRegionJobs(ctx, a.resourceGroup as string, a.vaultName as string) : await ctx.client.listAll(`${vaultPath(await ctx.subscription(), a.resourceGroup as string, a.vaultName as string)}/backupJobs`);
    return a.maxItems !== undefined ? jobs.slice(0, Number(a.maxItems)) : jobs;
  },
});

/** The vault's cross-region restore jobs, from its secondary region. */
async function crossRegionJobs(ctx: CommandContext, rg: string, vault: string): Promise<unknown[]> {
  const t = await crossRegionTarget(ctx, rg, vault);
  const body = { sourceRegion: t.sourceRegion, sourceBackupVaultId: t.vaultId };
  return ((await ctx.client.send('POST', `${t.base}/fetchCrossRegionRestoreJobs`, { body })).body as { value?: unknown[] }).value ?? [];
}

export const jobCommands: Command[] = [jobShow, jobList, jobWait, jobListFromResourceGraph];
