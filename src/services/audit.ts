// The audit log: every mutating API call (refused ones included) and every sign-in, appended to
// the catalog with who, what, on which resource, the result, the request id and the time; read
// back as Azure's activity log; entries past the retention removed by the maintenance worker.
import { type AuditEntry, type AuditQuery, toActivityLogEvent } from '../domain/audit.ts';
import { errors } from '../domain/errors.ts';
import type { Caller } from './caller.ts';
import type { ServiceContext } from './context.ts';

/** What a recorder knows of an event; the time and the caller come from the context. */
export interface AuditEvent {
  operationName: string;
  resourceId: string;
  status: AuditEntry['status'];
  httpStatus?: number;
  subStatus?: string | null;
  requestId: string;
  correlationId?: string;
  method?: string | null;
}

export const DEFAULT_AUDIT_RETENTION_DAYS = 90;

function callerOf(caller: Caller | undefined): Pick<AuditEntry, 'caller' | 'callerName'> {
  if (!caller) return { caller: 'unknown', callerName: 'unknown' };
  return caller.kind === 'principal' ? { caller: caller.objectId, callerName: caller.name } : { caller: caller.name, callerName: caller.name };
}

/**
 * Appends an event to the audit log, as `ctx.caller` (the API's pipeline records every mutating
 * call; the token service records sign-ins with the principal that signed in, or failed to).
 * Never throws: a failure to record is logged.
 */
export async function recordAudit(ctx: ServiceContext & { readonly caller?: Caller }, event: AuditEvent): Promise<void> {
  const entry: AuditEntry = {
    eventTimestamp: ctx.clock.now().toISOString(),
    ...callerOf(ctx.caller),
    operationName: event.operationName,
    resourceId: event.resourceId,
    status: event.status,
    httpStatus: event.httpStatus ?? 0,
    subStatus: event.subStatus ?? null,
    requestId: event.requestId,
    correlationId: event.correlationId ?? event.requestId,
    method: event.method ?? null,
  };
  try {
    await ctx.catalog.appendAudit(entry);
  } catch (e) {
    ctx.log?.(`audit: could not record ${entry.operationName} on ${entry.resourceId}: ${(e as Error).message}`);
  }
}

const CONDITION = /^(\w+)\s+(eq|ge|le)\s+'([^']*)'$/i;

/** Reads the activity log's `$filter` (az's: eventTimestamp ge/le, resourceGroupName, resourceId, caller eq). */
export function readActivityFilter(filter: string | null, subscriptionId: string): AuditQuery {
  const q: AuditQuery = { scopePrefix: `/subscriptions/${subscriptionId}` };
  if (!filter || !filter.trim()) return q;
  for (const part of filter.trim().split(/\s+and\s+/i)) {
    const m = CONDITION.exec(part.trim());
    const [, field = '', op = '', value = ''] = m ?? [];
    const key = `${field.toLowerCase()} ${op.toLowerCase()}`;
    if (key === 'eventtimestamp ge' || key === 'eventtimestamp le') {
      const t = Date.parse(value);
      if (Number.isNaN(t)) throw errors.filterInvalid(`'${value}' in $filter is not a date-time.`, '$filter');
      if (op.toLowerCase() === 'ge') q.from = new Date(t).toISOString();
      else q.to = new Date(t).toISOString();
    } else if (key === 'resourcegroupname eq') {
      q.scopePrefix = `/subscriptions/${subscriptionId}/resourceGroups/${value}`;
    } else if (key === 'resourceid eq' || key === 'resourceuri eq') {
      q.scopePrefix = value;
    } else if (key === 'caller eq') {
      q.caller = value;
    } else {
      throw errors.filterInvalid(
        `The $filter condition '${part.trim()}' is not supported: use eventTimestamp ge|le, resourceGroupName eq, resourceId eq or caller eq, joined by 'and'.`,
        '$filter',
      );
    }
  }
  return q;
}

/** At most this many events in one answer, newest first. */
const MAX_EVENTS = 5000;

export async function listActivityLog(ctx: ServiceContext, filter: string | null) {
  const q = readActivityFilter(filter, ctx.subscriptionId);
  const rows = await ctx.catalog.queryAudit({ ...q, limit: MAX_EVENTS });
  return rows.map((r) => toActivityLogEvent(r.entry, r.seq, ctx.subscriptionId, ctx.tenantId));
}

/** Removes entries older than `days` days (the maintenance worker's daily run); returns how many. */
export async function pruneAuditLog(ctx: ServiceContext, days: number): Promise<number> {
  return ctx.catalog.pruneAudit(new Date(ctx.clock.now().getTime() - days * 86_400_000).toISOString());
}
