// `backup-policy retention-rule remove`: drop a retention rule (never Default).
import { defineCommand } from '../../command.ts';
import { removeRetentionRule, RETENTION_RULE_NAMES } from '../../../policy/editors.ts';
import { policyJsonArg } from './args.ts';

export const retentionRuleRemoveCommand = defineCommand({
  path: ['backup-policy', 'retention-rule', 'remove'],
  summary: 'Remove an existing retention rule from a backup policy.',
  offline: true,
  args: {
    name: { names: ['--name'], required: true, enum: RETENTION_RULE_NAMES, help: 'Specify the retention rule name to be removed in policy.' },
    ...policyJsonArg,
  },
  run: async (a) => removeRetentionRule(a.policy, a.name as string),
});
