// `job list-from-resourcegraph`: jobs across every vault, filtered as az's Resource Graph query
// filters them (reference §7.3), including its quirk that --end-time keeps jobs that ended after it.
import { DATASOURCE_TYPE_VALUES, requireManifest } from '../../../datasources/registry.ts';
import { badArgument } from '../../../domain/errors.ts';
import { defineCommand } from '../../command.ts';
import { graphRow, graphScopeArgs, inAny, listAcrossVaults, resourceGroupOf } from '../backup-instance/resource-graph.ts';

const TOP = 1000;

/** The query's `operation` column: OnDemandBackup / ScheduledBackup from a Backup category, else the category. */
export function jobOperation(properties: Record<string, unknown>): string {
  const category = typeof properties.operationCategory === 'string' ? properties.operationCategory : '';
  const userTriggered = properties.isUserTriggered === null || properties.isUserTriggered === undefined ? undefined : String(properties.isUserTriggered);
  if (category.toLowerCase().startsWith('backup') && userTriggered === 'true') return `OnDemand${category}`;
  if (category.toLowerCase().startsWith('backup') && userTriggered === 'false') return `Scheduled${category}`;
  return category;
}

/** `datetime(<value>Z)` of the query, in ms. */
function queryTime(option: string, value: string): number {
  const ms = Date.parse(`${value}Z`);
  if (Number.isNaN(ms)) throw badArgument(`argument ${option}: Input '${value}' not valid. Valid example: 2017-12-31T05:30:00`);
  return ms;
}

/** `properties.<field> > datetime(...)`: a missing or null time never passes. */
const after = (value: unknown, bound: number | undefined) => bound === undefined || (typeof value === 'string' && Date.parse(value) > bound);

export const jobListFromResourceGraph = defineCommand({
  path: ['job', 'list-from-resourcegraph'],
  summary: 'List backup and restore jobs across subscriptions, resource groups and vaults.',
  args: {
    datasourceType: { names: ['--datasource-type'], enum: DATASOURCE_TYPE_VALUES, help: 'The datasource type.' },
    ...graphScopeArgs,
    startTime: { names: ['--start-time'], help: 'Jobs that started after this time, in UTC (yyyy-mm-ddTHH:MM:SS).' },
    endTime: { names: ['--end-time'], help: 'Jobs that ended after this time, in UTC (yyyy-mm-ddTHH:MM:SS), as az filters.' },
    status: { names: ['--status'], arity: 'many', enum: ['InProgress', 'Completed', 'Failed'], help: 'Job status values.' },
    operation: { names: ['--operation'], arity: 'many', enum: ['OnDemandBackup', 'ScheduledBackup', 'Restore'], help: 'Job operation values.' },
    datasourceId: { names: ['--datasource-id'], arity: 'many', help: 'Datasource ids to filter by.' },
  },
  async run(a, ctx) {
    const types = a.datasourceType !== undefined ? [requireManifest(a.datasourceType).datasourceType] : undefined;
    const start = a.startTime !== undefined ? queryTime('--start-time', a.startTime as string) : undefined;
    const end = a.endTime !== undefined ? queryTime('--end-time', a.endTime as string) : undefined;
    const rows: Record<string, unknown>[] = [];
    for (const listed of await listAcrossVaults(ctx, a.subscriptions as string[] | undefined, 'backupJobs')) {
      for (const job of listed.items) {
        const p = job.properties ?? {};
        const operation = jobOperation(p);
        const keep =
          inAny(p.dataSourceType, types) &&
          inAny(resourceGroupOf(job.id), a.resourceGroups as string[] | undefined) &&
          inAny(p.vaultName, a.vaults as string[] | undefined) &&
          inAny(operation, a.operation as string[] | undefined) &&
          inAny(p.status, a.status as string[] | undefined) &&
          inAny(p.dataSourceId, a.datasourceId as string[] | undefined) &&
          after(p.startTime, start) &&
          after(p.endTime, end);
        if (keep) rows.push(graphRow(job, listed, { vaultName: p.vaultName ?? null, status: p.status ?? null, operation, datasourceId: p.dataSourceId ?? null }));
      }
    }
    return rows.slice(0, TOP);
  },
});
