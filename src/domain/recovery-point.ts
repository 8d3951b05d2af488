// A recovery point as the REST API shows it (Microsoft.DataProtection `AzureBackupDiscreteRecoveryPoint`),
// with the bookkeeping the API does not show (where the bytes are, the retention timeline, a
// rehydrated copy, damage found by verify) under `internal`, stripped from every response.
import type { ArchiveLayout } from './archive-layout.ts';
import { RECOVERY_POINT_DATA_CORRUPT } from './errors.ts';
import type { StoredDump } from './recovery-point-store.ts';

export interface DataStoreDetail {
  id: string;
  type: string;
  creationTime: string;
  expiryTime: string | null;
  metaData: string | null;
  visible: boolean;
  state: string;
  rehydrationExpiryTime: string | null;
  rehydrationStatus: string | null;
}

export interface RecoveryPointResource {
  id: string;
  name: string;
  type: string;
  properties: {
    objectType: 'AzureBackupDiscreteRecoveryPoint';
    recoveryPointId: string;
    recoveryPointTime: string;
    recoveryPointType: 'Full';
    friendlyName: string;
    recoveryPointDataStoresDetails: DataStoreDetail[];
    retentionTagName: string;
    retentionTagVersion: string;
    policyName: string | null;
    policyVersion: string | null;
    expiryTime: string | null;
    /** 'Corrupted' (dpvault's) while a verify or repair found data it needs unreadable. */
    recoveryPointState: 'Completed' | 'Corrupted';
    /** dpvault's: present while the point cannot be restored, naming what is damaged. */
    dataIntegrityError?: { code: string; message: string; detectedAt: string };
    /** dpvault's, on points of GeoRedundant vaults: the copy in the paired (secondary) region. */
    secondaryRegionDetails?: SecondaryRegionDetails;
  };
  internal: {
    /** Where each datastore keeps the bytes. */
    data: Record<string, StoredDump>;
    size: number;
    serverMajorVersion: number;
    database: string;
    /** A whole-server point's databases, in the order its server archive holds them (jobs/server-point.ts); absent for a database point. */
    databases?: string[];
    /** The retention timeline decided at creation, recomputed when the policy changes (ISO instants). */
    timeline: TimelineEntry[];
    /** Bytes no longer referenced, deleted by the retention worker's next step (listed first, so a crash leaks nothing). */
    pendingDelete?: StoredDump[];
    /** The temporary VaultStore copy of an archived point made for a restore (rehydration). */
    rehydrated?: RehydrationState | null;
    /** Datastores whose data a verify or repair found unrestorable: datastore → problem, when. */
    damage?: Record<string, { problem: string; detectedAt: string }>;
    /** Where the dump's table data lies (a database point's key-ordered dump), for parallel restores; absent when not recorded. */
    archiveLayout?: ArchiveLayout;
    /** The VaultStore bytes' copy in the paired region (same ref, in the pair's storage), once committed there. */
    secondaryStored?: StoredDump | null;
  };
}

/**
 * The state of a point's copy in the secondary region, in the upper-case style of
 * `recoveryPointDataStoresDetails[].state`: `COPY_PENDING` until the copy after the backup has
 * finished, then `COMMITTED` (restorable there, with `--use-secondary-region`) or `FAILED` (the
 * next backup or maintenance of the vault tries again, sending only what is missing).
 */
export interface SecondaryRegionDetails {
  region: string;
  state: 'COPY_PENDING' | 'COMMITTED' | 'FAILED';
  /** When the copy was last committed. */
  copyTime: string | null;
  /** Why the last copy failed. */
  error: { code: string; message: string } | null;
}

export interface TimelineEntry {
  dataStoreType: string;
  from: string;
  until: string | null;
  reason: string;
}

export type RehydrationStatus = 'CREATE_IN_PROGRESS' | 'COMPLETED' | 'DELETE_IN_PROGRESS' | 'DELETED' | 'FAILED';

export interface RehydrationState {
  status: RehydrationStatus;
  /** The rehydrated bytes (VaultStore), once copied. */
  stored: StoredDump | null;
  startedAt: string;
  /** When the rehydrated copy is removed (completion + rehydrationRetentionDuration). */
  expiresAt: string | null;
  priority: string;
  /** The restore job that rehydrates it. */
  jobId: string;
}

export type ApiRecoveryPoint = Omit<RecoveryPointResource, 'internal'>;

/** The bytes a restore from `dataStoreType` reads: that datastore's, or a completed rehydrated copy for VaultStore. */
export function storedIn(rp: RecoveryPointResource, dataStoreType: string): StoredDump | undefined {
  const direct = Object.entries(rp.internal.data).find(([k]) => k.toLowerCase() === dataStoreType.toLowerCase())?.[1];
  if (direct) return direct;
  const h = rp.internal.rehydrated;
  return dataStoreType.toLowerCase() === 'vaultstore' && h?.status === 'COMPLETED' && h.stored ? h.stored : undefined;
}

export function toApi(rp: RecoveryPointResource): ApiRecoveryPoint {
  const { internal, ...rest } = rp;
  const damage = Object.entries(internal.damage ?? {});
  if (damage.length === 0) return rest;
  const damaged = (type: string): boolean => damage.some(([store]) => store.toLowerCase() === type.toLowerCase());
  return {
    ...rest,
    properties: {
      ...rest.properties,
      recoveryPointState: 'Corrupted',
      recoveryPointDataStoresDetails: rest.properties.recoveryPointDataStoresDetails.map((d) => (damaged(d.type) && d.rehydrationStatus === null ? { ...d, state: 'CORRUPTED' } : d)),
      dataIntegrityError: {
        code: RECOVERY_POINT_DATA_CORRUPT,
        message: damage.map(([store, d]) => `${store}: ${d.problem}`).join('; '),
        detectedAt: damage.map(([, d]) => d.detectedAt).sort()[0]!,
      },
    },
  };
}

/** Whether the point holds a whole server (its databases listed; its bytes a server archive), else one database's dump. */
export const isServerPoint = (rp: RecoveryPointResource): boolean => Array.isArray(rp.internal.databases);
