// `backup-policy tag set`: add a retention tag to the backup rule or replace its criteria.
import { defineCommand } from '../../command.ts';
import { setTag, TAG_NAMES } from '../../../policy/editors.ts';
import { policyJsonArg } from './args.ts';

export const tagSetCommand = defineCommand({
  path: ['backup-policy', 'tag', 'set'],
  summary: 'Add a new tag or update an existing tag of a backup policy.',
  offline: true,
  args: {
    name: { names: ['--name'], required: true, enum: TAG_NAMES, help: 'Specify the tag name to be edited in policy.' },
    ...policyJsonArg,
    criteria: {
      names: ['--criteria'], required: true, arity: 'many', type: 'json',
      help: 'Criterias to be associated with the tag. Specify space separated json file names.',
    },
  },
  run: async (a) => setTag(a.policy, a.name as string, a.criteria as unknown[]),
});
