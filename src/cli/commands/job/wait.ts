// `job wait`: follows jobs to their end, showing their progress on stderr (a bar on a terminal,
// plain lines otherwise), prints the ended jobs as `job show` would, and fails (exit 1) with the
// job's own error when one failed.
import { errors } from '../../../domain/errors.ts';
import { defineCommand } from '../../command.ts';
import { JOB, targetsOf } from '../backup-instance/args.ts';
import { jobArgs } from './args.ts';
import { progressLine, type JobView } from './view.ts';

export const jobWait = defineCommand({
  path: ['job', 'wait'],
  summary: 'Follow a job to its end with its progress; exits 1 when the job fails.',
  args: {
    ...jobArgs,
    interval: { names: ['--interval'], type: 'float', default: '2', help: 'Seconds between polls of the job (default 2).' },
  },
  async run(a, ctx) {
    const interval = Number(a.interval);
    if (!(interval > 0 && interval <= 3600)) throw errors.argumentValueInvalid(`argument --interval: '${String(a.interval)}' must be more than 0 and at most 3600 seconds.`);
    const ended: JobView[] = [];
    for (const path of await targetsOf(a, ctx, JOB)) {
      let job = (await ctx.client.get(path)) as JobView;
      while (job.properties?.status === 'InProgress') {
        const current = job;
        ctx.progress((terminal) => progressLine(current, terminal));
        await new Promise((r) => setTimeout(r, interval * 1000));
        job = (await ctx.client.get(path)) as JobView;
      }
      ctx.progress((terminal) => progressLine(job, terminal), true);
      if (job.properties?.status === 'Failed') {
        const detail = job.properties.errorDetails?.[0];
        throw errors.jobFailed(job.name, detail);
      }
      ended.push(job);
    }
    return ended.length === 1 ? ended[0] : ended;
  },
});
