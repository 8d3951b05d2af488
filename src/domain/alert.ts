// An alert as Azure Monitor shows it (Microsoft.AlertsManagement/alerts): what the vault's
// `alertsForAllJobFailures` raises for each failed job, as Azure Backup's built-in alerts do, and
// what a missed schedule raises (a backup due that has not succeeded within its grace; Azure has
// none). Its state changes as Azure Monitor's: alertState New, Acknowledged or Closed (a user's
// change, or Closed by the service when a backup succeeds again), monitorCondition Fired, then
// Resolved when what it is about is over. Pure.
import { errors, JOB_FAILED } from './errors.ts';
import type { JobResource } from './job.ts';
import { stableGuid } from '../util/ids.ts';

export const ALERT_TYPE = 'Microsoft.AlertsManagement/alerts';
export const ALERT_STATES = ['New', 'Acknowledged', 'Closed'] as const;
export type AlertState = (typeof ALERT_STATES)[number];
/** Who changed an alert that the service changed itself (lastModifiedUserName). */
export const SYSTEM_USER = 'System';
export const MISSED_BACKUP_RULE = 'Missed Backup';

/** One attempt to tell a webhook about the alert (dpvault's, beside Azure's essentials). */
export interface AlertDelivery {
  /** The webhook by scheme and host: its credentials, path and query are never shown. */
  webhook: string;
  status: 'Pending' | 'Delivered' | 'Failed';
  attempts: number;
  lastAttemptTime: string | null;
  /** Why the last attempt failed (the HTTP status or the connection error), never a secret. */
  lastError: string | null;
}

/** What a failed job's alert is about. */
export interface JobFailureContext {
  vaultId: string;
  jobId: string;
  operation: string;
  errorCode: string;
  errorMessage: string;
  recommendedAction: string[];
}

/** What a missed schedule's alert is about. */
export interface MissedBackupContext {
  vaultId: string;
  backupInstanceId: string;
  policyId: string;
  /** The schedule's occurrence whose backup did not succeed. */
  backupDueDateTime: string;
  /** When the grace after it ended (the alert fired at the first scheduler tick after). */
  overdueSinceDateTime: string;
  /** The end of the instance's newest successful backup, null when none ever succeeded. */
  lastSuccessfulBackupDateTime: string | null;
  recommendedAction: string[];
}

export interface AlertResource {
  id: string;
  name: string;
  type: typeof ALERT_TYPE;
  properties: {
    essentials: {
      severity: 'Sev0' | 'Sev1' | 'Sev2' | 'Sev3' | 'Sev4';
      signalType: 'Log';
      alertState: AlertState;
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
      /** Who changed the alert last: a principal's name, or System. */
      lastModifiedUserName: string;
      /** When monitorCondition became Resolved. */
      monitorConditionResolvedDateTime?: string;
      description: string;
    };
    context: JobFailureContext | MissedBackupContext;
    /** dpvault's: each configured webhook's delivery of this alert. */
    deliveries: AlertDelivery[];
  };
}

/** The parts every alert shares, about `target` (a backup instance or a vault). */
function alertOf(a: { alertId: string; subscriptionId: string; now: string; webhooks: readonly string[]; target: string; rule: string; sourceCreatedId: string; description: string }) {
  const parts = a.target.split('/');
  return {
    id: `/subscriptions/${a.subscriptionId}/providers/${ALERT_TYPE}/${a.alertId}`,
    name: a.rule,
    type: ALERT_TYPE,
    essentials: {
      severity: 'Sev1',
      signalType: 'Log',
      alertState: 'New',
      monitorCondition: 'Fired',
      monitorService: 'Azure Backup',
      targetResource: a.target,
      targetResourceName: parts.at(-1) ?? '',
      targetResourceGroup: parts[4] ?? '',
      targetResourceType: a.target.toLowerCase().includes('/backupinstances/') ? 'Microsoft.DataProtection/backupVaults/backupInstances' : 'Microsoft.DataProtection/backupVaults',
      alertRule: a.rule,
      sourceCreatedId: a.sourceCreatedId,
      startDateTime: a.now,
      lastModifiedDateTime: a.now,
      lastModifiedUserName: SYSTEM_USER,
      description: a.description,
    },
    deliveries: a.webhooks.map((webhook) => ({ webhook, status: 'Pending', attempts: 0, lastAttemptTime: null, lastError: null })),
  } as const satisfies Omit<AlertResource, 'properties'> & { essentials: AlertResource['properties']['essentials']; deliveries: AlertDelivery[] };
}

/** The alert a failed job raises (the job's error as it shows it; job errors carry no secrets). `webhooks` as alerts show them. */
export function jobFailureAlert(a: { job: JobResource; vaultId: string; alertId: string; subscriptionId: string; now: string; webhooks: readonly string[] }): AlertResource {
  const p = a.job.properties;
  const target = p.backupInstanceId || a.vaultId;
  const error: { code: string; message: string; recommendedAction?: string[] } = p.errorDetails?.[0] ?? { code: JOB_FAILED, message: 'The job failed.' };
  const { id, name, type, essentials, deliveries } = alertOf({
    ...a, target, rule: `${p.operation} Failure`, sourceCreatedId: a.job.id,
    description: `${p.operation} job ${a.job.name} of ${target.split('/').at(-1)} in vault ${p.vaultName} failed: ${error.code}`,
  });
  return {
    id, name, type,
    properties: {
      essentials: { ...essentials, startDateTime: p.endTime ?? a.now },
      context: { vaultId: a.vaultId, jobId: a.job.id, operation: p.operation, errorCode: error.code, errorMessage: error.message, recommendedAction: error.recommendedAction ?? [] },
      deliveries: [...deliveries],
    },
  };
}

/** The alert's GUID for one missed occurrence of one instance: the same occurrence never raises two. */
export function missedBackupAlertId(instanceId: string, due: Date): string {
  return stableGuid(`missed-backup\0${instanceId.toLowerCase()}\0${due.toISOString()}`);
}

/** The alert of a schedule occurrence whose backup has not succeeded within its grace. */
export function missedBackupAlert(a: {
  instanceId: string; vaultId: string; policyId: string; subscriptionId: string; now: string; webhooks: readonly string[];
  due: Date; overdueSince: Date; lastSuccess: string | null;
}): AlertResource {
  const instance = a.instanceId.split('/').at(-1)!;
  const vault = a.vaultId.split('/').at(-1)!;
  const last = a.lastSuccess ? `the last successful backup ended at ${a.lastSuccess}` : 'no backup of it has ever succeeded';
  const { id, name, type, essentials, deliveries } = alertOf({
    ...a, alertId: missedBackupAlertId(a.instanceId, a.due), target: a.instanceId, rule: MISSED_BACKUP_RULE,
    sourceCreatedId: `${a.instanceId}/schedule/${a.due.toISOString()}`,
    description: `The backup of ${instance} in vault ${vault} due at ${a.due.toISOString()} has not succeeded by ${a.overdueSince.toISOString()}; ${last}.`,
  });
  return {
    id, name, type,
    properties: {
      essentials: { ...essentials },
      context: {
        vaultId: a.vaultId, backupInstanceId: a.instanceId, policyId: a.policyId, backupDueDateTime: a.due.toISOString(), overdueSinceDateTime: a.overdueSince.toISOString(),
        lastSuccessfulBackupDateTime: a.lastSuccess,
        recommendedAction: [`See the instance's jobs: dpvault job list -g ${a.instanceId.split('/')[4]} --vault-name ${vault}`, 'Check that the server runs and that its backup credentials (the key vault secret) still work.'],
      },
      deliveries: [...deliveries],
    },
  };
}

/** The state a user asks for (`newState`, any case) as Azure spells it; another is InvalidParameter. */
export function alertStateOf(asked: string | null): AlertState {
  const found = ALERT_STATES.find((s) => s.toLowerCase() === (asked ?? '').trim().toLowerCase());
  if (!found) throw errors.parameterInvalid(`The value '${asked ?? ''}' is not a valid alert state. Allowed values: ${ALERT_STATES.join(', ')}.`, 'newState');
  return found;
}

/** The alert with its state changed by `user` at `now`. */
export function withAlertState(alert: AlertResource, state: AlertState, user: string, now: string): AlertResource {
  return { ...alert, properties: { ...alert.properties, essentials: { ...alert.properties.essentials, alertState: state, lastModifiedDateTime: now, lastModifiedUserName: user } } };
}

/** The alert resolved at `now` (what it was about is over) and Closed by the service. */
export function resolvedAlert(alert: AlertResource, now: string): AlertResource {
  const closed = withAlertState(alert, 'Closed', SYSTEM_USER, now);
  return { ...closed, properties: { ...closed.properties, essentials: { ...closed.properties.essentials, monitorCondition: 'Resolved', monitorConditionResolvedDateTime: now } } };
}
