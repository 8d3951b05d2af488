// How the job commands name a job: --job-id with -g and -v, or full ids with --ids.
import type { ArgSpec } from '../../command.ts';
import { resourceGroup, vaultName } from '../backup-instance/args.ts';

export const jobArgs = {
  jobId: { names: ['--job-id'], help: 'The job id (a GUID).' },
  resourceGroup: { ...resourceGroup, required: false },
  vaultName: { ...vaultName, required: false },
  ids: { names: ['--ids'], arity: 'many', help: 'One or more full job ids. Give either --ids or the other resource id arguments.' },
} satisfies Record<string, ArgSpec>;
