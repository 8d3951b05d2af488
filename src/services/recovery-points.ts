// Recovery points: what a successful backup leaves, with its retention tag and the datastores it
// lives in until when; built, saved, read and listed (by time) here. The resource, with the
// bookkeeping the API does not show under `internal`, and what a response shows of it are in
// src/domain/recovery-point.ts.
import { errors } from '../domain/errors.ts';
import { RECOVERY_POINT_TYPE } from '../domain/backup-instance.ts';
import type { StoredDump } from '../domain/recovery-point-store.ts';
import type { Residency } from '../policy/retention.ts';
import { newGuid } from '../util/ids.ts';
import type { RecoveryPointResource } from '../domain/recovery-point.ts';
import type { ServiceContext } from './context.ts';
import { getInstance } from './backup-instances.ts';

export interface NewRecoveryPoint {
  instanceId: string;
  recoveryPointId: string;
  time: Date;
  tag: string;
  policyName: string | null;
  timeline: Residency[];
  stored: StoredDump;
  serverMajorVersion: number;
  database: string;
  /** A whole-server point's databases, in the order its archive holds them. */
  databases?: string[];
  metaData: Record<string, unknown>;
}

export function buildRecoveryPoint(n: NewRecoveryPoint): RecoveryPointResource {
  const created = n.time.toISOString();
  const first = n.timeline[0];
  const ends = n.timeline.map((r) => r.until);
  return {
    id: `${n.instanceId}/recoveryPoints/${n.recoveryPointId}`,
    name: n.recoveryPointId,
    type: RECOVERY_POINT_TYPE,
    properties: {
      objectType: 'AzureBackupDiscreteRecoveryPoint',
      recoveryPointId: n.recoveryPointId,
      recoveryPointTime: created,
      recoveryPointType: 'Full',
      friendlyName: n.recoveryPointId,
      recoveryPointDataStoresDetails: [
        {
          id: newGuid(),
          type: first?.dataStoreType ?? 'VaultStore',
          creationTime: created,
          expiryTime: first?.until?.toISOString() ?? null,
          metaData: JSON.stringify(n.metaData),
          visible: true,
          state: 'COMMITTED',
          rehydrationExpiryTime: null,
          rehydrationStatus: null,
        },
      ],
      retentionTagName: n.tag,
      retentionTagVersion: String(n.time.getTime()),
      policyName: n.policyName,
      policyVersion: null,
      expiryTime: ends.some((e) => e === null) ? null : new Date(Math.max(...ends.map((e) => e!.getTime()))).toISOString(),
      recoveryPointState: 'Completed',
    },
    internal: {
      data: { [first?.dataStoreType ?? 'VaultStore']: n.stored },
      size: n.stored.size,
      serverMajorVersion: n.serverMajorVersion,
      database: n.database,
      ...(n.databases ? { databases: n.databases } : {}),
      timeline: n.timeline.map((r) => ({ dataStoreType: r.dataStoreType, from: r.from.toISOString(), until: r.until?.toISOString() ?? null, reason: r.reason })),
    },
  };
}

export async function saveRecoveryPoint(ctx: ServiceContext, rp: RecoveryPointResource): Promise<void> {
  await ctx.catalog.putResource({ id: rp.id, type: RECOVERY_POINT_TYPE, parentId: rp.id.split('/recoveryPoints/')[0]!, body: { ...rp } });
}

export async function getRecoveryPoint(ctx: ServiceContext, sub: string, rg: string, vault: string, instance: string, rpId: string): Promise<RecoveryPointResource> {
  const bi = await getInstance(ctx, sub, rg, vault, instance);
  const found = await ctx.catalog.getResource<RecoveryPointResource>(`${bi.id}/recoveryPoints/${rpId}`);
  if (!found) throw errors.recoveryPointNotFound(rpId, bi.name);
  return found.body;
}

export async function listRecoveryPoints(ctx: ServiceContext, instanceId: string, filter: string | null): Promise<RecoveryPointResource[]> {
  const { start, end } = parseFilter(filter);
  const page = await ctx.catalog.listResources<RecoveryPointResource>({ type: RECOVERY_POINT_TYPE, parentId: instanceId });
  return page.items
    .map((r) => r.body)
    .filter((rp) => {
      const t = new Date(rp.properties.recoveryPointTime).getTime();
      return (start === null || t >= start) && (end === null || t <= end);
    })
    .sort((a, b) => b.properties.recoveryPointTime.localeCompare(a.properties.recoveryPointTime));
}

/** `startDate eq '...' and endDate eq '...'`, either part optional. */
export function parseFilter(filter: string | null): { start: number | null; end: number | null } {
  const out = { start: null as number | null, end: null as number | null };
  if (!filter || !filter.trim()) return out;
  for (const part of filter.split(/\s+and\s+/i)) {
    const m = /^\s*(startDate|endDate)\s+eq\s+'([^']+)'\s*$/i.exec(part);
    const t = m ? Date.parse(m[2]!.replace(/(\.\d{3})\d+/, '$1')) : NaN;
    if (!m || Number.isNaN(t)) throw errors.filterInvalid(`Cannot read the filter '${filter}'; use startDate eq '<ISO time>' and endDate eq '<ISO time>'.`, '$filter');
    if (m[1]!.toLowerCase() === 'startdate') out.start = t;
    else out.end = t;
  }
  return out;
}
