// Delivering alerts to the webhooks the server was started with (--alert-webhook): one queued task
// per webhook and attempt. A refused attempt queues the next after a doubling backoff
// (--alert-webhook-retry-delay, 1 s by default), up to --alert-webhook-retries retries; one that
// finally fails says so on the alert's deliveries and in the server log. A webhook's URL may carry
// credentials (user:password@, a token in its path or query): the alert, the log and every error
// show it by scheme and host only, and the catalog keeps no more than that and a digest naming it.
import { createHash } from 'node:crypto';
import { ALERT_TYPE, type AlertResource } from '../domain/alert.ts';
import { usage } from '../domain/errors.ts';
import type { AlertDeliveryTaskPayload } from '../queue/tasks.ts';
import type { AlertDeliverySettings, ServiceContext } from './context.ts';

/** Six attempts, 1, 2, 4, 8 and 16 s apart. */
export const DEFAULT_ALERT_DELIVERY: AlertDeliverySettings = Object.freeze({ attempts: 6, firstRetryDelayMs: 1000 });
/** How long one attempt waits for the webhook's answer. */
const DELIVERY_TIMEOUT_MS = 10_000;

/** The wait after `failed` failed attempts before the next one. Pure. */
export function deliveryRetryDelayMs(settings: AlertDeliverySettings, failed: number): number {
  return Math.min(settings.firstRetryDelayMs * 2 ** Math.max(0, failed - 1), 3_600_000);
}

/** The settings from the server's flags (`--alert-webhook-retries N`, `--alert-webhook-retry-delay SECONDS`); a bad value is a usage error. */
export function deliverySettings(retries: string | undefined, delaySeconds: string | undefined): AlertDeliverySettings {
  const n = retries === undefined ? DEFAULT_ALERT_DELIVERY.attempts - 1 : Number(retries);
  if (!Number.isInteger(n) || n < 0 || n > 20) throw usage(`argument --alert-webhook-retries: '${retries}' is not a whole number from 0 to 20.`);
  const s = delaySeconds === undefined ? DEFAULT_ALERT_DELIVERY.firstRetryDelayMs / 1000 : Number(delaySeconds);
  if (!Number.isFinite(s) || s < 0.001 || s > 3600) {
    throw usage(`argument --alert-webhook-retry-delay: '${delaySeconds}' is not a number of seconds from 0.001 to 3600.`);
  }
  return { attempts: n + 1, firstRetryDelayMs: Math.round(s * 1000) };
}

/** A digest naming a webhook in queued deliveries, so a restart with other --alert-webhook values never sends to the wrong one. */
export function webhookKey(url: string): string {
  return createHash('sha256').update(url).digest('hex').slice(0, 32);
}

/** Queues the first attempt of each of the alert's deliveries (inside the caller's transaction). */
export async function queueDeliveries(ctx: ServiceContext, alert: AlertResource, webhooks: readonly string[], runAt: string): Promise<void> {
  for (let i = 0; i < webhooks.length; i++) {
    await ctx.queue.enqueue('alertDelivery', { alertId: alert.id, delivery: i, webhook: webhookKey(webhooks[i]!) }, { runAt, jobKey: `alert:${alert.id}:${i}:1` });
  }
}

/** What a webhook receives: the alert as the API shows it, in Azure Monitor's common alert schema's outline. */
export function alertWebhookBody(alert: AlertResource): Record<string, unknown> {
  const { deliveries: _deliveries, ...properties } = alert.properties;
  return { schemaId: 'azureMonitorCommonAlertSchema', data: { essentials: { alertId: alert.id, ...properties.essentials }, alertContext: properties.context } };
}

/** One attempt at one delivery (the alertDelivery task). */
export async function deliverAlert(ctx: ServiceContext, payload: AlertDeliveryTaskPayload): Promise<void> {
  const settings = ctx.alertDelivery ?? DEFAULT_ALERT_DELIVERY;
  const found = await ctx.catalog.getResource<AlertResource>(payload.alertId);
  const delivery = found?.body.properties.deliveries[payload.delivery];
  if (!found || !delivery || delivery.status !== 'Pending') return;
  const webhooks = ctx.alertWebhooks ?? [];
  const url = payload.webhook === undefined ? webhooks[payload.delivery] : webhooks.find((w) => webhookKey(w) === payload.webhook);
  const failure = url === undefined ? 'the webhook is no longer one of the server\'s --alert-webhook' : await post(url, alertWebhookBody(found.body));
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
    else if (d.attempts >= settings.attempts || url === undefined) {
      d.status = 'Failed';
      ctx.log?.(`alert ${alert.id}: delivery to ${d.webhook} failed after ${d.attempts} attempt(s) (${failure})`);
      ctx.metrics?.alertDeliveryFailed();
    }
    await ctx.catalog.putResource({ id: alert.id, type: ALERT_TYPE, parentId: alert.properties.context.vaultId, body: { ...alert } });
    if (d.status === 'Pending') {
      const runAt = new Date(now.getTime() + deliveryRetryDelayMs(settings, d.attempts)).toISOString();
      await ctx.queue.enqueue('alertDelivery', payload, { runAt, jobKey: `alert:${alert.id}:${payload.delivery}:${d.attempts + 1}` });
    }
  });
}

/**
 * POSTs `body` as JSON; null when the webhook took it (2xx), else why not (the status or the
 * connection's error, with every part of the URL that may be secret taken out). Credentials in the
 * URL go as HTTP Basic authorization, as curl sends them (fetch refuses a URL that carries them).
 */
async function post(url: string, body: unknown): Promise<string | null> {
  const target = new URL(url);
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (target.username || target.password) {
    headers.Authorization = `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  try {
    const res = await fetch(target, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS) });
    await res.arrayBuffer().catch(() => undefined);
    return res.ok ? null : `HTTP ${res.status}`;
  } catch (e) {
    if ((e as Error).name === 'TimeoutError') return `no answer within ${DELIVERY_TIMEOUT_MS / 1000} s`;
    return withoutSecrets(String((e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message), url);
  }
}

/** `text` with the URL's credentials, path and query (and the URL itself) replaced by `***`. Pure. */
export function withoutSecrets(text: string, url: string): string {
  const u = new URL(url);
  const secrets = [url, target(u), u.username, u.password, decodeURIComponent(u.password), u.pathname.length > 1 ? u.pathname : '', u.search.slice(1), ...u.searchParams.values()]
    .filter((s) => s.length >= 3)
    .sort((a, b) => b.length - a.length);
  return secrets.reduce((t, s) => t.split(s).join('***'), text);
}

const target = (u: URL): string => `${u.protocol}//${u.host}${u.pathname}${u.search}`;

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

/** A webhook's URL as alerts and the log show it: without credentials, path or query (which may carry a token). */
export function webhookShown(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '(invalid URL)';
  }
}
