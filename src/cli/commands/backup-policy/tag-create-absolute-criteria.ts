// `backup-policy tag create-absolute-criteria`: a criterion such as FirstOfMonth for `tag set`.
import { defineCommand } from '../../command.ts';
import { ABSOLUTE_CRITERIA } from '../../../domain/policy.ts';
import { createAbsoluteCriteria } from '../../../policy/editors.ts';

export const tagCreateAbsoluteCriteriaCommand = defineCommand({
  path: ['backup-policy', 'tag', 'create-absolute-criteria'],
  summary: 'Create absolute criteria.',
  offline: true,
  args: {
    absoluteCriteria: { names: ['--absolute-criteria'], required: true, enum: ABSOLUTE_CRITERIA, help: 'Specify retention criteria.' },
  },
  run: async (a) => createAbsoluteCriteria(a.absoluteCriteria as string),
});
