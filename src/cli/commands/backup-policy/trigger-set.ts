// `backup-policy trigger set`: put a schedule into the policy's backup rule.
import { defineCommand } from '../../command.ts';
import { setTrigger } from '../../../policy/editors.ts';
import { policyJsonArg } from './args.ts';

export const triggerSetCommand = defineCommand({
  path: ['backup-policy', 'trigger', 'set'],
  summary: 'Associate a backup schedule with a backup policy.',
  offline: true,
  args: {
    ...policyJsonArg,
    schedule: { names: ['--schedule'], required: true, arity: 'many', help: 'Specify schedule time intervals for backup rule.' },
  },
  run: async (a) => setTrigger(a.policy, a.schedule as string[]),
});
