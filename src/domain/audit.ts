// The audit log's entries and the pure rules around them: the operation name of a request as
// Azure's activity log names it, the resource it acts on, and an entry as `az monitor activity-log
// list` prints it. Entries are only appended (services/audit.ts) and read; no API changes them.

/** One recorded call: who, what, on which resource, with which result, when, under which request id. */
export interface AuditEntry {
  /** ISO instant. */
  eventTimestamp: string;
  /** Who: the principal's object id (or the operator's name) and display name. */
  caller: string;
  callerName: string;
  /** E.g. `Microsoft.DataProtection/backupVaults/backupInstances/delete`. */
  operationName: string;
  /** The resource acted on (its ARM id). */
  resourceId: string;
  /** 'Succeeded' or 'Failed'. */
  status: 'Succeeded' | 'Failed';
  /** The HTTP status answered (0 when not an HTTP call, e.g. a sign-in recorded by the token service). */
  httpStatus: number;
  /** The error code of a refused or failed call. */
  subStatus: string | null;
  /** x-ms-request-id and x-ms-correlation-request-id of the call. */
  requestId: string;
  correlationId: string;
  /** The HTTP method, or null for an event that is not a request. */
  method: string | null;
}

export interface AuditQuery {
  /** Only entries whose resource id starts with this (case-insensitively): a subscription or a group. */
  scopePrefix?: string;
  /** Inclusive bounds on eventTimestamp (ISO instants). */
  from?: string;
  to?: string;
  /** Only this caller (object id or display name, case-insensitively). */
  caller?: string;
  /** At most this many, newest first (default all). */
  limit?: number;
}

const VERB: Record<string, string> = { PUT: 'write', PATCH: 'write', DELETE: 'delete', POST: 'action' };

export function isMutating(method: string): boolean {
  return Object.hasOwn(VERB, method.toUpperCase());
}

/**
 * A path's resource types and names: `/subscriptions/s/resourceGroups/g/providers/NS/t1/n1/t2/n2[/action]`.
 * Returns the namespace-qualified type, the resource id, and the trailing action if any.
 */
export function resourceOfPath(path: string): { type: string; resourceId: string; action: string | null } {
  const parts = path.split('?')[0]!.split('/').filter(Boolean);
  const p = parts.findIndex((s) => s.toLowerCase() === 'providers');
  if (p < 0) {
    // Microsoft.Resources: subscriptions/{s}[/resourceGroups/{g}[/action]].
    const named = parts.length >= 4 ? 4 : Math.min(parts.length, 2);
    const type = parts.length >= 4 ? 'Microsoft.Resources/subscriptions/resourceGroups' : 'Microsoft.Resources/subscriptions';
    return { type, resourceId: `/${parts.slice(0, named).join('/')}`, action: parts[named] ?? null };
  }
  const rest = parts.slice(p + 2);
  const types = rest.filter((_, i) => i % 2 === 0);
  const action = rest.length % 2 === 1 ? types.pop()! : null;
  const resourceId = `/${parts.slice(0, p + 2 + types.length * 2).join('/')}`;
  return { type: [parts[p + 1], ...types].join('/'), resourceId, action };
}

/** The activity log's operation name of a mutating call, e.g. `Microsoft.DataProtection/backupVaults/write`. */
export function operationNameOf(method: string, path: string): string {
  const { type, action } = resourceOfPath(path);
  return action ? `${type}/${action}/action` : `${type}/${VERB[method.toUpperCase()] ?? 'read'}`;
}

export function resourceGroupOf(resourceId: string): string | null {
  const m = /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)/i.exec(resourceId);
  return m ? m[1]! : null;
}

const localized = (value: string) => ({ value, localizedValue: value });

/** An entry as `az monitor activity-log list` prints an event (Microsoft.Insights EventData). */
export function toActivityLogEvent(e: AuditEntry, seq: number, subscriptionId: string, tenantId: string) {
  const type = resourceOfPath(e.resourceId).type;
  return {
    authorization: { action: e.operationName, scope: e.resourceId },
    caller: e.caller,
    category: localized('Administrative'),
    claims: { name: e.callerName },
    correlationId: e.correlationId,
    description: '',
    eventDataId: e.requestId,
    eventName: localized('EndRequest'),
    eventTimestamp: e.eventTimestamp,
    httpRequest: e.method ? { clientRequestId: e.requestId, method: e.method } : null,
    id: `${e.resourceId}/events/${e.requestId}/ticks/${seq}`,
    level: e.status === 'Failed' ? 'Error' : 'Informational',
    operationId: e.requestId,
    operationName: localized(e.operationName),
    resourceGroup: resourceGroupOf(e.resourceId),
    resourceId: e.resourceId,
    resourceProviderName: localized(type.split('/')[0]!),
    resourceType: localized(type),
    status: localized(e.status),
    subStatus: localized(e.subStatus ?? (e.httpStatus ? String(e.httpStatus) : '')),
    submissionTimestamp: e.eventTimestamp,
    subscriptionId,
    tenantId,
  };
}
