// Alerts: a failed job of a vault whose monitoringSettings.azureMonitorAlertSettings
// .alertsForAllJobFailures is Enabled raises an alert (domain/alert.ts), and so does a missed
// schedule (missed-backups.ts); they are listed as Azure Monitor lists them, their state is changed
// as Azure Monitor's `changestate` does, and each is delivered to every webhook the server was
// started with (alert-delivery.ts). The deliveries are queued in the same transaction as the
// alert, so a restart loses none.
import { ALERT_TYPE, jobFailureAlert, MISSED_BACKUP_RULE, resolvedAlert, withAlertState, type AlertResource, type AlertState } from '../domain/alert.ts';
import { errors } from '../domain/errors.ts';
import type { JobResource } from '../domain/job.ts';
import type { BackupVault } from '../domain/vault.ts';
import { newGuid } from '../util/ids.ts';
import { queueDeliveries, webhookShown } from './alert-delivery.ts';
import type { CallerContext } from './caller.ts';
import type { ServiceContext } from './context.ts';

async function saveAlert(ctx: ServiceContext, alert: AlertResource): Promise<void> {
  await ctx.catalog.putResource({ id: alert.id, type: ALERT_TYPE, parentId: alert.properties.context.vaultId, body: { ...alert } });
}

/** The webhooks as alerts show them (scheme and host). */
export const shownWebhooks = (ctx: ServiceContext): string[] => (ctx.alertWebhooks ?? []).map(webhookShown);

/**
 * Saves a new alert made by `make` (given the webhooks as alerts show them) and queues its
 * deliveries, in one transaction; an alert of the same id already there is left alone (an
 * occurrence raises one). Returns the alert raised, null when it was there already.
 */
export async function raiseAlert(ctx: ServiceContext, make: (webhooks: readonly string[]) => AlertResource): Promise<AlertResource | null> {
  const webhooks = ctx.alertWebhooks ?? [];
  const alert = make(webhooks.map(webhookShown));
  const raised = await ctx.catalog.transaction(async () => {
    if (await ctx.catalog.getResource(alert.id)) return false;
    await saveAlert(ctx, alert);
    await queueDeliveries(ctx, alert, webhooks, ctx.clock.now().toISOString());
    return true;
  });
  if (!raised) return null;
  ctx.log?.(`alert ${alert.id} raised: ${alert.properties.essentials.description}`);
  ctx.metrics?.alertRaised(alert.properties.essentials.alertRule);
  if (webhooks.length) ctx.onTaskQueued?.();
  return alert;
}

/** Raises the alert of failed `job` when its vault asks for job failure alerts; queues its deliveries. */
export async function raiseJobFailureAlert(ctx: ServiceContext, job: JobResource): Promise<void> {
  if (job.properties.status !== 'Failed') return;
  const vaultId = job.id.split('/backupJobs/')[0]!;
  const vault = (await ctx.catalog.getResource<BackupVault>(vaultId))?.body;
  if (vault?.properties.monitoringSettings?.azureMonitorAlertSettings?.alertsForAllJobFailures !== 'Enabled') return;
  const now = ctx.clock.now().toISOString();
  await raiseAlert(ctx, (webhooks) => jobFailureAlert({ job, vaultId: vault.id, alertId: newGuid(), subscriptionId: ctx.subscriptionId, now, webhooks }));
}

/** The alerts of the subscription, newest first, of a resource group and a vault when given. */
export async function listAlerts(ctx: ServiceContext, filter: { resourceGroup?: string | null; vault?: string | null }): Promise<AlertResource[]> {
  const page = await ctx.catalog.listResources<AlertResource>({ type: ALERT_TYPE, idPrefix: `/subscriptions/${ctx.subscriptionId}/` });
  const same = (a: string, b: string | null | undefined) => !b || a.toLowerCase() === b.toLowerCase();
  return page.items
    .map((r) => r.body)
    .filter((a) => same(a.properties.essentials.targetResourceGroup, filter.resourceGroup) && same(a.properties.context.vaultId.split('/').pop()!, filter.vault))
    .sort((a, b) => b.properties.essentials.startDateTime.localeCompare(a.properties.essentials.startDateTime));
}

const alertIdOf = (ctx: ServiceContext, alertId: string) => `/subscriptions/${ctx.subscriptionId}/providers/${ALERT_TYPE}/${alertId}`;

export async function getAlert(ctx: ServiceContext, alertId: string): Promise<AlertResource> {
  const found = await ctx.catalog.getResource<AlertResource>(alertIdOf(ctx, alertId));
  if (!found) throw errors.alertNotFound(`The alert '${alertId}' was not found.`);
  return found.body;
}

/** Azure Monitor's changestate: the alert's alertState becomes `state`, changed by the caller (its monitor condition stays). */
export async function changeAlertState(ctx: CallerContext, alertId: string, state: AlertState): Promise<AlertResource> {
  return ctx.catalog.transaction(async () => {
    const changed = withAlertState(await getAlert(ctx, alertId), state, ctx.caller.name, ctx.clock.now().toISOString());
    await saveAlert(ctx, changed);
    ctx.log?.(`alert ${changed.id}: state ${state} (by ${ctx.caller.name})`);
    return changed;
  });
}

/**
 * After backup `job` of an instance completed: its missed-schedule alerts that are still Fired are
 * Resolved and Closed (by System), as Azure Monitor resolves an alert whose condition is over.
 */
export async function resolveMissedBackupAlerts(ctx: ServiceContext, job: JobResource): Promise<void> {
  const p = job.properties;
  if (p.operationCategory !== 'Backup' || p.status !== 'Completed' || !p.backupInstanceId) return;
  const vaultId = job.id.split('/backupJobs/')[0]!;
  const now = ctx.clock.now().toISOString();
  const open = (await ctx.catalog.listResources<AlertResource>({ type: ALERT_TYPE, parentId: vaultId })).items
    .map((r) => r.body)
    .filter((a) => a.properties.essentials.alertRule === MISSED_BACKUP_RULE && a.properties.essentials.monitorCondition === 'Fired'
      && a.properties.essentials.targetResource.toLowerCase() === p.backupInstanceId.toLowerCase());
  for (const alert of open) {
    await saveAlert(ctx, resolvedAlert(alert, now));
    ctx.log?.(`alert ${alert.id} resolved: backup job ${job.name} of ${alert.properties.essentials.targetResourceName} completed`);
  }
}
