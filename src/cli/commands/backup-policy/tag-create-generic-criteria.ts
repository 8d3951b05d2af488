// `backup-policy tag create-generic-criteria`: a criterion of weekdays, weeks, months or days of month.
import { defineCommand } from '../../command.ts';
import { DAYS_OF_WEEK, MONTHS_OF_YEAR, WEEKS_OF_MONTH } from '../../../domain/policy.ts';
import { createGenericCriteria } from '../../../policy/editors.ts';

export const tagCreateGenericCriteriaCommand = defineCommand({
  path: ['backup-policy', 'tag', 'create-generic-criteria'],
  summary: 'Create generic criteria.',
  offline: true,
  args: {
    daysOfWeek: { names: ['--days-of-week'], arity: 'many', enum: DAYS_OF_WEEK, help: 'Specify days of week.' },
    weeksOfMonth: { names: ['--weeks-of-month'], arity: 'many', enum: WEEKS_OF_MONTH, help: 'Specify weeks of month' },
    monthsOfYear: { names: ['--months-of-year'], arity: 'many', enum: MONTHS_OF_YEAR, help: 'Specify months of year.' },
    daysOfMonth: { names: ['--days-of-month'], arity: 'many', help: 'Specify days of month. Allowed values are 1 to 28 and Last' },
  },
  run: async (a) =>
    createGenericCriteria({
      daysOfWeek: a.daysOfWeek as string[] | undefined,
      weeksOfMonth: a.weeksOfMonth as string[] | undefined,
      monthsOfYear: a.monthsOfYear as string[] | undefined,
      daysOfMonth: a.daysOfMonth as string[] | undefined,
    }),
});
