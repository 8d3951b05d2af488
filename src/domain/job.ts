// Backup jobs as the REST API shows them (AzureBackupJob), built from what the service knows.
export const JOB_TYPE = 'Microsoft.DataProtection/backupVaults/backupJobs';

export type JobStatus = 'InProgress' | 'Completed' | 'Failed';

export interface JobSubTask {
  taskId: number;
  taskName: string;
  taskStatus: string;
  taskProgress: string | null;
  additionalDetails: Record<string, string> | null;
}

export interface JobProperties {
  activityID: string;
  subscriptionId: string;
  backupInstanceId: string;
  backupInstanceFriendlyName: string;
  policyId: string | null;
  policyName: string | null;
  dataSourceId: string;
  dataSourceName: string;
  dataSourceSetName: string | null;
  dataSourceType: string;
  dataSourceLocation: string;
  vaultName: string;
  sourceResourceGroup: string;
  sourceSubscriptionID: string;
  sourceDataStoreName: string | null;
  sourceDataStoreType: string | null;
  destinationDataStoreName: string | null;
  progressEnabled: boolean;
  etag: string;
  startTime: string;
  endTime: string | null;
  duration: string;
  operationCategory: 'Backup' | 'Restore' | 'Management';
  operation: string;
  status: JobStatus;
  restoreType: string | null;
  isUserTriggered: boolean;
  rehydrationPriority: string | null;
  supportedActions: string[];
  progressUrl: string | null;
  isCrossRegionRestore: boolean | null;
  errorDetails: { code: string; message: string; recommendedAction?: string[] }[] | null;
  extendedInfo: {
    backupInstanceState: string | null;
    dataTransferredInBytes: number | null;
    targetRecoverPoint: { recoveryPointID: string; recoveryPointTime: string } | null;
    sourceRecoverPoint: { recoveryPointID: string; recoveryPointTime: string } | null;
    recoveryDestination: string | null;
    subTasks: JobSubTask[];
    additionalDetails: Record<string, string> | null;
  };
}

export interface JobResource {
  id: string;
  name: string;
  type: string;
  properties: JobProperties;
}

/** ISO 8601 duration of the span between two instants, as `PT1M34.0725S`. */
export function isoSpan(start: string, end: string): string {
  let ms = Math.max(0, new Date(end).getTime() - new Date(start).getTime());
  const h = Math.floor(ms / 3_600_000);
  ms -= h * 3_600_000;
  const m = Math.floor(ms / 60_000);
  ms -= m * 60_000;
  const s = ms / 1000;
  let out = 'PT';
  if (h) out += `${h}H`;
  if (m) out += `${m}M`;
  if (s || out === 'PT') out += `${Number(s.toFixed(3))}S`;
  return out;
}

export const jobEtag = (t: string) => `W/"datetime'${encodeURIComponent(t)}'"`;
