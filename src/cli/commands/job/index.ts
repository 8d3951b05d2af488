// `job show|list` (and list-from-resourcegraph and wait, in their own files): the backup and restore jobs of vaults.
import { defineCommand, type Command } from '../../command.ts';
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
  args: jobArgs,
  tableView: jobTable,
  async run(a, ctx) {
    return showTargets(await targetsOf(a, ctx, JOB), ctx);
  },
});

export const jobList = defineCommand({
  path: ['job', 'list'],
  summary: 'List the jobs of a backup vault.',
  args: { resourceGroup, vaultName, maxItems },
  tableView: jobTable,
  async run(a, ctx) {
    const jobs = await ctx.client.listAll(`${vaultPath(await ctx.subscription(), a.resourceGroup as string, a.vaultName as string)}/backupJobs`);
    return a.maxItems !== undefined ? jobs.slice(0, Number(a.maxItems)) : jobs;
  },
});

export const jobCommands: Command[] = [jobShow, jobList, jobWait, jobListFromResourceGraph];
