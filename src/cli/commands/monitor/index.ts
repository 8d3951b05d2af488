// `monitor activity-log list`, as az's: the audit log of every mutating call, newest first.
import { INSIGHTS_API_VERSIONS } from '../../../api/api-version.ts';
import { usage } from '../../../domain/errors.ts';
import { systemClock } from '../../../util/clock.ts';
import { defineCommand, type Command } from '../../command.ts';

const OFFSET = /^(?:(\d+)d)?(?:(\d+)h)?$/i;

/** az's `##d##h` offset in milliseconds. */
export function offsetMs(text: string): number {
  const m = OFFSET.exec(text.trim());
  if (!m || (!m[1] && !m[2])) throw usage(`argument --offset: '${text}' is not an offset in ##d##h format (e.g. 6h, 1d, 2d12h).`);
  return (Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 3_600_000;
}

function instant(text: string, option: string): number {
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw usage(`argument ${option}: '${text}' is not a date-time (ISO 8601, e.g. 2026-03-01T10:00:00Z).`);
  return t;
}

/** The query window az computes from --start-time, --end-time and --offset (default: the last 6 hours). */
export function activityWindow(a: { startTime?: string; endTime?: string; offset?: string }, now: number): { from: number; to: number } {
  const offset = offsetMs(a.offset ?? '6h');
  const start = a.startTime !== undefined ? instant(a.startTime, '--start-time') : undefined;
  const end = a.endTime !== undefined ? instant(a.endTime, '--end-time') : undefined;
  if (start !== undefined && end !== undefined) return { from: start, to: end };
  if (start !== undefined) return { from: start, to: start + offset };
  const to = end ?? now;
  return { from: to - offset, to };
}

export const activityLogList = defineCommand({
  path: ['monitor', 'activity-log', 'list'],
  summary: 'List the activity log: every mutating call made to the service, refused ones included, newest first.',
  args: {
    resourceGroup: { names: ['--resource-group', '-g'], help: 'Name of resource group.' },
    startTime: { names: ['--start-time'], help: 'Start time of the query (ISO 8601).' },
    endTime: { names: ['--end-time'], help: 'End time of the query (ISO 8601); defaults to now.' },
    offset: { names: ['--offset'], help: 'Time offset of the query range, in ##d##h format (default 6h).' },
    caller: { names: ['--caller'], help: 'Only the events of this caller (object id or name).' },
    maxEvents: { names: ['--max-events'], type: 'int', default: '50', help: 'Maximum number of records to return.' },
  },
  async run(a, ctx) {
    const { from, to } = activityWindow(a as { startTime?: string; endTime?: string; offset?: string }, systemClock.now().getTime());
    const conditions = [`eventTimestamp ge '${new Date(from).toISOString()}'`, `eventTimestamp le '${new Date(to).toISOString()}'`];
    if (a.resourceGroup) conditions.push(`resourceGroupName eq '${String(a.resourceGroup)}'`);
    if (a.caller) conditions.push(`caller eq '${String(a.caller)}'`);
    const events = await ctx.client.listAll(`/subscriptions/${await ctx.subscription()}/providers/microsoft.insights/eventtypes/management/values`, {
      'api-version': INSIGHTS_API_VERSIONS[0]!,
      $filter: conditions.join(' and '),
    });
    return events.slice(0, Math.max(0, Number(a.maxEvents)));
  },
});

export const monitorCommands: Command[] = [activityLogList];
