// `backup-policy retention-rule set`: add a retention rule or replace its lifecycles.
import { defineCommand } from '../../command.ts';
import { RETENTION_RULE_NAMES, setRetentionRule } from '../../../policy/editors.ts';
import { policyJsonArg } from './args.ts';

export const retentionRuleSetCommand = defineCommand({
  path: ['backup-policy', 'retention-rule', 'set'],
  summary: 'Add a new retention rule or update an existing one in a backup policy.',
  offline: true,
  args: {
    name: { names: ['--name'], required: true, enum: RETENTION_RULE_NAMES, help: 'Specify the retention rule name to be edited in policy.' },
    ...policyJsonArg,
    lifecycles: {
      names: ['--lifecycles'], required: true, arity: 'many', type: 'json',
      help: 'Lifecycles to be associated with the retention rule. Specify space separated json file names.',
    },
  },
  run: async (a) => setRetentionRule(a.policy, a.name as string, a.lifecycles as unknown[]),
});
