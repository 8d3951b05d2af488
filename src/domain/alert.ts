// An alert as Azure Monitor shows it (Microsoft.AlertsManagement/alerts): what the vault's
// `alertsForAllJobFailures` raises for each failed job, as Azure Backup's built-in alerts do. Pure.
import { JOB_FAILED } from './errors.ts';
import type { JobResource } from './job.ts';

export const ALERT_TYPE = 'Microsoft.AlertsManagement/alerts';

/** One attempt to tell a webhook about the alert (dpvault's, beside Azure's essentials). */
export interface AlertDelivery {
  webhook: string;
  status: 'Pending' | 'Delivered' | 'Failed';
  attempts: number;
  lastAttemptTime: string | null;
  /** Why the last attempt failed (the HTTP status or the connection error), never a secret. */
  lastError: string | null;
}

export interface AlertResource {
  id: string;
  name: string;
  type: typeof ALERT_TYPE;
  properties: {
    essentials: {
      severity: 'Sev0' | 'Sev1' | 'Sev2' | 'Sev3' | 'Sev4';
      signalType: 'Log';
      alertState: 'New' | 'Acknowledged' | 'Closed';
      monitorCondition: 'Fired' | 'Resolved';
      monitorService: 'Azure Backup';
      /** The affected item: the backup instance (the vault for vault-wide jobs). */
      targetResource: string;
      targetResourceName: string;
      targetResourceGroup: string;
      targetResourceType: string;
      alertRule: string;
      sourceCreatedId: string;
      startDateTime: string;
      lastModifiedDateTime: string;
      description: string;
    };
    context: {
      vaultId: string;
      jobId: string;
      operation: string;
      errorCode: string;
      errorMessage: string;
      recommendedAction: string[];
    };
    /** dpvault's: each configured webhook's delivery of this alert. */
    deliveries: AlertDelivery[];
  };
}

/** The alert a failed job raises (the job's error as it shows it; job errors carry no secrets). */
export function jobFailureAlert(a: { job: JobResource; vaultId: string; alertId: string; subscriptionId: string; now: string; webhooks: readonly string[] }): AlertResource {
  const p = a.job.properties;
  const target = p.backupInstanceId || a.vaultId;
  const parts = target.split('/');
  const error: { code: string; message: string; recommendedAction?: string[] } = p.errorDetails?.[0] ?? { code: JOB_FAILED, message: 'The job failed.' };
  return {
    id: `/subscriptions/${a.subscriptionId}/providers/${ALERT_TYPE}/${a.alertId}`,
    name: `${p.operation} Failure`,
    type: ALERT_TYPE,
    properties: {
      essentials: {
        severity: 'Sev1',
        signalType: 'Log',
        alertState: 'New',
        monitorCondition: 'Fired',
        monitorService: 'Azure Backup',
        targetResource: target,
        targetResourceName: parts.at(-1) ?? '',
        targetResourceGroup: parts[4] ?? '',
        targetResourceType: p.backupInstanceId ? 'Microsoft.DataProtection/backupVaults/backupInstances' : 'Microsoft.DataProtection/backupVaults',
        alertRule: `${p.operation} Failure`,
        sourceCreatedId: a.job.id,
        startDateTime: p.endTime ?? a.now,
        lastModifiedDateTime: a.now,
        description: `${p.operation} job ${a.job.name} of ${parts.at(-1)} in vault ${p.vaultName} failed: ${error.code}`,
      },
      context: {
        vaultId: a.vaultId,
        jobId: a.job.id,
        operation: p.operation,
        errorCode: error.code,
        errorMessage: error.message,
        recommendedAction: error.recommendedAction ?? [],
      },
      deliveries: a.webhooks.map((webhook) => ({ webhook, status: 'Pending', attempts: 0, lastAttemptTime: null, lastError: null })),
    },
  };
}
