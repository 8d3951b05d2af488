// `backup-policy tag remove`: drop a retention tag from the backup rule.
import { defineCommand } from '../../command.ts';
import { removeTag, TAG_NAMES } from '../../../policy/editors.ts';
import { policyJsonArg } from './args.ts';

export const tagRemoveCommand = defineCommand({
  path: ['backup-policy', 'tag', 'remove'],
  summary: 'Remove an existing tag from a backup policy.',
  offline: true,
  args: {
    name: { names: ['--name'], required: true, enum: TAG_NAMES, help: 'Specify the tag name to be removed in policy.' },
    ...policyJsonArg,
  },
  run: async (a) => removeTag(a.policy, a.name as string),
});
