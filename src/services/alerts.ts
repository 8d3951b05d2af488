// Alerts: a failed job of a vault whose monitoringSettings.azureMonitorAlertSettings
// .alertsForAllJobFailures is Enabled raises an alert (domain/alert.ts), listed as Azure Monitor
// lists them and delivered to each webhook the server was started with (--alert-webhook). A
// delivery is a queued task, queued in the same transaction as the alert, so a restart loses none;
// a failed attempt queues the next one after a growing backoff (retryDelayMs), up to
// ALERT_DELIVERY_ATTEMPTS; one that finally fails says so on the alert's deliveries and in the log.
import { ALERT_TYPE, jobFailureAlert, type AlertResource } from '../domain/alert.ts';
import { errors, usage } from '../domain/errors.ts';
import type { JobResource } from '../domain/job.ts';
import type { BackupVault } from '../domain/vault.ts';
import { retryDelayMs } from '../queue/queue.ts';
import type { AlertDeliveryTaskPayload } from '../queue/tasks.ts';
import { newGuid } from '../util/ids.ts';
import type { ServiceContext } from './context.ts';

/** Attempts per webhook before its delivery is Failed (backoff 1, 2, 4, 8, 16 s between them). */
export const ALERT_DELIVERY_ATTEMPTS = 6;
/** How long one attempt waits for the webhook's answer. */
const DELIVERY_TIMEOUT_MS = 10_000;

async function saveAlert(ctx: ServiceContext, alert: AlertResource): Promise<void> {
  await ctx.catalog.putResource({ id: alert.id, type: ALERT_TYPE, parentId: alert.properties.context.vaultId, body: { ...alert } });
}

/** Raises the alert of failed `job` when its vault asks for job failure alerts; queues its deliveries. */
export async function raiseJobFailureAlert(ctx: ServiceContext, job: JobResource): Promise<void> {
  if (job.properties.status !== 'Failed') return;
  const vaultId = job.id.split('/backupJobs/')[0]!;
  const vault = (await ctx.catalog.getResource<BackupVault>(vaultId))?.body;
  if (vault?.properties.monitoringSettings?.azureMonitorAlertSettings?.alertsForAllJobFailures !== 'Enabled') return;
  const now = ctx.clock.now().toISOString();
  const webhooks = ctx.alertWebhooks ?? [];
  const alert = jobFailureAlert({ job, vaultId: vault.id, alertId: newGuid(), subscriptionId: ctx.subscriptionId, now, webhooks });
  await ctx.catalog.transaction(async () => {
    await saveAlert(ctx, alert);
    for (let i = 0; i < webhooks.length; i++) await ctx.queue.enqueue('alertDelivery', { alertId: alert.id, delivery: i }, { runAt: now, jobKey: `alert:${alert.id}:${i}:1` });
  });
  ctx.log?.(`alert ${alert.id} raised: ${alert.properties.essentials.description}`);
  if (webhooks.length) ctx.onTaskQueued?.();
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

export async function getAlert(ctx: ServiceContext, alertId: string): Promise<AlertResource> {
  const found = await ctx.catalog.getResource<AlertResource>(`/subscriptions/${ctx.subscriptionId}/providers/${ALERT_TYPE}/${alertId}`);
  if (!found) throw errors.alertNotFound(`The alert '${alertId}' was not found.`);
  return found.body;
}

/** What a webhook receives: the alert as the API shows it, in Azure Monitor's common alert schema's outline. */
export function alertWebhookBody(alert: AlertResource): Record<string, unknown> {
  const { deliveries: _deliveries, ...properties } = alert.properties;
  return { schemaId: 'azureMonitorCommonAlertSchema', data: { essentials: { alertId: alert.id, ...properties.essentials }, alertContext: properties.context } };
}

/** One attempt at one delivery (the alertDelivery task). */
export async function deliverAlert(ctx: ServiceContext, payload: AlertDeliveryTaskPayload): Promise<void> {
  const found = await ctx.catalog.getResource<AlertResource>(payload.alertId);
  const delivery = found?.body.properties.deliveries[payload.delivery];
  if (!found || !delivery || delivery.status !== 'Pending') return;
  const failure = await post(delivery.webhook, alertWebhookBody(found.body));
  const now = ctx.clock.now();
  // Read again and change only this delivery: the alert's other deliveries run at the same time.
  await ctx.catalog.transaction(async () => {
    const alert = (await ctx.catalog.getResource<AlertResource>(payload.alertId))?.body;
    const d = alert?.properties.deliveries[payload.delivery];
    if (!alert || !d) return;
    d.attempts++;
    d.lastAttemptTime = now.toISOString();
    d.lastError = failure;
    if (!failure) d.status = 'Delivered';
    else if (d.attempts >= ALERT_DELIVERY_ATTEMPTS) {
      d.status = 'Failed';
      ctx.log?.(`alert ${alert.id}: delivery to ${webhookShown(d.webhook)} failed after ${d.attempts} attempts (${failure})`);
    }
    alert.properties.essentials.lastModifiedDateTime = now.toISOString();
    await saveAlert(ctx, alert);
    if (d.status === 'Pending') {
      const runAt = new Date(now.getTime() + retryDelayMs(d.attempts)).toISOString();
      await ctx.queue.enqueue('alertDelivery', payload, { runAt, jobKey: `alert:${alert.id}:${payload.delivery}:${d.attempts + 1}` });
    }
  });
}

/** POSTs `body` as JSON; null when the webhook took it (2xx), else why not (the status or the connection's error). */
async function post(url: string, body: unknown): Promise<string | null> {
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS) });
    await res.arrayBuffer().catch(() => undefined);
    return res.ok ? null : `HTTP ${res.status}`;
  } catch (e) {
    if ((e as Error).name === 'TimeoutError') return `no answer within ${DELIVERY_TIMEOUT_MS / 1000} s`;
    return String((e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message);
  }
}

/** The webhooks as given, each an absolute http(s) URL; another is refused (naming it without its path). */
export function checkWebhooks(urls: readonly string[]): string[] {
  const httpUrl = (url: string) => {
    try {
      return ['http:', 'https:'].includes(new URL(url).protocol);
    } catch {
      return false;
    }
  };
  for (const url of urls) if (!httpUrl(url)) throw usage(`argument --alert-webhook: '${webhookShown(url)}' is not an http or https URL.`);
  return [...urls];
}

/** A webhook's URL as the log shows it: without credentials, path or query (which may carry a token). */
export function webhookShown(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '(invalid URL)';
  }
}
