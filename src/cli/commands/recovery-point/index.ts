// `recovery-point list|show`: the recovery points of a backup instance.
import { recoveryPointTimeArgument } from '../../../policy/instance-request.ts';
import { defineCommand, type ArgSpec, type Command } from '../../command.ts';
import { instancePath } from '../../paths.ts';
import { resourceGroup, vaultName } from '../backup-instance/args.ts';
import { crossRegionDetails, crossRegionTarget, useSecondaryRegion } from '../cross-region.ts';

const backupInstanceName: ArgSpec = { names: ['--backup-instance-name'], required: true, help: 'The name of the backup instance.' };
export const maxItems: ArgSpec = { names: ['--max-items'], type: 'int', help: 'The maximum number of items to return.' };

/** The `$filter` az sends: `startDate eq '<t>' and endDate eq '<t>'`, either part optional (empty without times). */
export function recoveryPointFilter(start: string | undefined, end: string | undefined): string {
  return [start !== undefined ? `startDate eq '${start}'` : '', end !== undefined ? `endDate eq '${end}'` : ''].filter(Boolean).join(' and ');
}

export const recoveryPointList = defineCommand({
  path: ['recovery-point', 'list'],
  summary: 'List the recovery points of a backup instance, optionally within a time range (UTC).',
  args: {
    backupInstanceName,
    resourceGroup,
    vaultName,
    startTime: { names: ['--start-time'], help: 'Start date time in UTC (yyyy-mm-ddTHH:MM:SS).' },
    endTime: { names: ['--end-time'], help: 'End date time in UTC (yyyy-mm-ddTHH:MM:SS).' },
    useSecondaryRegion,
    maxItems,
  },
  async run(a, ctx) {
    if (a.useSecondaryRegion === true) {
      if (a.startTime !== undefined || a.endTime !== undefined) ctx.warn('start-time and end-time filters will not work with use-secondary-region option');
      const t = await crossRegionTarget(ctx, a.resourceGroup as string, a.vaultName as string);
      const body = crossRegionDetails(t, a.backupInstanceName as string);
      const points = ((await ctx.client.send('POST', `${t.base}/fetchSecondaryRecoveryPoints`, { body })).body as { value?: unknown[] }).value ?? [];
      return a.maxItems !== undefined ? points.slice(0, Number(a.maxItems)) : points;
    }
    const start = a.startTime ? recoveryPointTimeArgument(a.startTime as string) : undefined;
    const end = a.endTime ? recoveryPointTimeArgument(a.endTime as string) : undefined;
    if (start !== undefined && end !== undefined && start > end) ctx.warn('The argument --start-time is greater than --end-time.');
    const path = instancePath(await ctx.subscription(), a.resourceGroup as string, a.vaultName as string, a.backupInstanceName as string);
    const points = await ctx.client.listAll(`${path}/recoveryPoints`, { $filter: recoveryPointFilter(start, end) });
    return a.maxItems !== undefined ? points.slice(0, Number(a.maxItems)) : points;
  },
});

export const recoveryPointShow = defineCommand({
  path: ['recovery-point', 'show'],
  summary: 'Get a recovery point of a backup instance.',
  args: {
    backupInstanceName,
    recoveryPointId: { names: ['--recovery-point-id'], required: true, help: 'The recovery point id.' },
    resourceGroup,
    vaultName,
  },
  async run(a, ctx) {
    const path = instancePath(await ctx.subscription(), a.resourceGroup as string, a.vaultName as string, a.backupInstanceName as string);
    return ctx.client.get(`${path}/recoveryPoints/${a.recoveryPointId as string}`);
  },
});

export const recoveryPointCommands: Command[] = [recoveryPointList, recoveryPointShow];
