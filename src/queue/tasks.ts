// The task map: every kind of queued work and the payload it carries (as graphile-worker's
// `GraphileWorker.Tasks`). Services queue work by kind through the queue's interface without
// importing the jobs that run it; the composition root wires one handler per kind (src/app.ts).
import type { StoredDump } from '../domain/recovery-point-store.ts';
import type { RestoreRequest } from '../domain/restore-request.ts';

export interface BackupTaskPayload {
  jobId: string;
  /** The retention tag asked for (on-demand backups); scheduled ones are tagged by the policy. */
  retentionTagOverride?: string | null;
  scheduled?: boolean;
  /** The schedule occurrence a scheduled backup is for. */
  occurrence?: string;
}

export interface RestoreTaskPayload {
  jobId: string;
  recoveryPointId: string;
  instanceId: string;
  request: RestoreRequest;
  destination: string;
  /** A cross-region restore: the copy in the vault's paired region, read from there alone. */
  secondary?: StoredDump;
}

export interface VerifyTaskPayload {
  jobId: string;
  samplePercent: number;
}

export interface RepairTaskPayload {
  jobId: string;
}

export interface MaintenanceTaskPayload {
  jobId: string;
}

export interface AlertDeliveryTaskPayload {
  alertId: string;
  /** The webhook's place in the alert's deliveries. */
  delivery: number;
  /** The webhook's digest (alert-delivery.ts webhookKey): which --alert-webhook it is, never its URL. Absent in deliveries queued before it was kept. */
  webhook?: string;
}

/** The service's task kinds. A type (not an interface) so that it satisfies `TaskMap`'s index. */
export type Tasks = {
  backup: BackupTaskPayload;
  restore: RestoreTaskPayload;
  verify: VerifyTaskPayload;
  repair: RepairTaskPayload;
  maintenance: MaintenanceTaskPayload;
  alertDelivery: AlertDeliveryTaskPayload;
};

export type TaskKind = keyof Tasks;
