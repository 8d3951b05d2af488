// `backup-policy trigger create-schedule`: build repeating time intervals for `trigger set`.
import { defineCommand } from '../../command.ts';
import { createSchedule, INTERVAL_TYPES } from '../../../policy/editors.ts';

export const triggerCreateScheduleCommand = defineCommand({
  path: ['backup-policy', 'trigger', 'create-schedule'],
  summary: 'Create a schedule list for the backup policy.',
  offline: true,
  args: {
    intervalType: { names: ['--interval-type'], required: true, enum: INTERVAL_TYPES, help: 'Specify Backup Frequency.' },
    intervalCount: { names: ['--interval-count'], required: true, type: 'int', help: 'Specify duration of backup frequency.' },
    scheduleDays: {
      names: ['--schedule-days'], required: true, arity: 'many', help: 'specify the backup schedule time in UTC (yyyy-mm-ddTHH:MM:SS)',
    },
  },
  run: async (a) => createSchedule(a.intervalType as string, a.intervalCount as number, a.scheduleDays as string[]),
});
