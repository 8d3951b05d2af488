// `job show|list` (and list-from-resourcegraph, in its own file): the backup and restore jobs of vaults.
import { defineCommand, type Command } from '../../command.ts';
import { vaultPath } from '../../paths.ts';
import { JOB, resourceGroup, showTargets, targetsOf, vaultName } from '../backup-instance/args.ts';
import { maxItems } from '../recovery-point/index.ts';
import { jobListFromResourceGraph } from './list-from-resourcegraph.ts';

export const jobShow = defineCommand({
  path: ['job', 'show'],
  summary: 'Get a job, by --job-id with -g and -v, or by its full id with --ids.',
  args: {
    jobId: { names: ['--job-id'], help: 'The job id (a GUID).' },
    resourceGroup: { ...resourceGroup, required: false },
    vaultName: { ...vaultName, required: false },
    ids: { names: ['--ids'], arity: 'many', help: 'One or more full job ids. Give either --ids or the other resource id arguments.' },
  },
  async run(a, ctx) {
    return showTargets(await targetsOf(a, ctx, JOB), ctx);
  },
});

export const jobList = defineCommand({
  path: ['job', 'list'],
  summary: 'List the jobs of a backup vault.',
  args: { resourceGroup, vaultName, maxItems },
  async run(a, ctx) {
    const jobs = await ctx.client.listAll(`${vaultPath(await ctx.subscription(), a.resourceGroup as string, a.vaultName as string)}/backupJobs`);
    return a.maxItems !== undefined ? jobs.slice(0, Number(a.maxItems)) : jobs;
  },
});

export const jobCommands: Command[] = [jobShow, jobList, jobListFromResourceGraph];
