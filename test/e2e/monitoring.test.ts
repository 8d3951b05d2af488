// Monitoring against a real server and a real PostgreSQL (issue 20's first "done when"): a backup
// that fails (the key vault's secret holds a wrong password) is counted at once in GET /metrics,
// raises an alert listed by `dpvault alert list` and delivered to the webhooks the test serves:
// one takes it at once (its URL carries credentials, which arrive as Basic authorization), one
// fails twice before it takes it, one always answers 500 and after the last retry shows as Failed
// on the alert and in the server log, which never show the webhooks' credentials or tokens;
// `dpvault alert update` acknowledges and closes it. A completed backup shows as state (last
// success, recovery points, bytes); and only a principal with a role that reads metrics may scrape.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { shopSql } from '../support/pg-fixtures.ts';
import { runCli, signIn, startTestService, type TestService } from '../support/service.ts';
import { shellSession } from '../support/shell.ts';
import { scratchDir } from '../support/scratch.ts';
import { createProtectionResources } from '../support/protection-resources.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const PASSWORD = 'Metr1cs-s3cret-pw';
const WRONG = 'not-the-metrics-pw';
let svc: TestService;
let pgc: PgCluster;
let cwd: string;
let policyId: string;
let sub: string;
let receiver: WebhookReceiver;
/** What each webhook path received (JSON bodies), and how many requests each got. */
const received: Record<string, unknown[]> = { '/steady': [], '/flaky': [], '/broken': [] };
const requests: Record<string, number> = { '/steady': 0, '/flaky': 0, '/broken': 0 };
/** The Authorization header each webhook path got last. */
const authorization: Record<string, string | undefined> = {};
/** What the webhooks' URLs carry that must never be shown. */
const HOOK_USER = 'hook-user-name';
const HOOK_PASSWORD = 'H00k-pa55-word';
const HOOK_TOKEN = 'h00k-t0ken-in-query';
/** The server's log lines. */
const logLines: string[] = [];
const { ok, waitJob } = shellSession(() => ({ cwd, endpoint: svc.url }));
const ado = (password: string) => `Server=127.0.0.1;Database=appdb;Port=${pgc.port};User Id=backupuser;Password=${password};Ssl Mode=Disable;`;

/** GET /metrics over HTTP with `token` (the Owner's by default). */
async function scrape(token: string | null = svc.ownerToken): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(`${svc.url}/metrics`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

/** The value of the sample `name{labels}` in a scrape (labels in the order prom-client writes them), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const shown = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',');
  const line = text.split('\n').find((l) => l.startsWith(shown ? `${name}{${shown}} ` : `${name} `));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

before(async () => {
  pgc = await startCluster();
  await pgc.createDatabase('appdb', shopSql(50));
  await pgc.createRole('backupuser', PASSWORD, { login: true, superuser: true });
  // The webhooks: /steady takes every alert; /flaky answers 503 to its first two requests; /broken
  // answers 500 to every one.
  receiver = await startWebhookReceiver((path, body, req) => {
    requests[path] = (requests[path] ?? 0) + 1;
    authorization[path] = req.headers.authorization;
    if (path === '/flaky' && requests[path]! <= 2) return 503;
    if (path === '/broken') return 500;
    received[path]?.push(body);
    return 204;
  });
  const port = new URL(receiver.origin).port;
  // Three attempts, 50 ms then 100 ms apart (--alert-webhook-retries 2 --alert-webhook-retry-delay 0.05).
  svc = await startTestService({
    alertWebhooks: [`http://${HOOK_USER}:${HOOK_PASSWORD}@127.0.0.1:${port}/steady`, `http://127.0.0.1:${port}/flaky`, `http://127.0.0.1:${port}/broken?token=${HOOK_TOKEN}`],
    alertDelivery: { attempts: 3, firstRetryDelayMs: 50 },
    log: (line) => logLines.push(line),
  });
  cwd = scratchDir('dpvault-metrics-');
  ({ sub, policyId } = await createProtectionResources(ok, pgc.port, 'kvmetrics'));
  await ok(`dpvault keyvault secret set --vault-name kvmetrics -n pg --value '${ado(PASSWORD)}' -o none`);
  const principal = (await ok('dpvault backup-vault show -g rg -v vault')).identity.principalId as string;
  await ok(`dpvault keyvault set-policy -n kvmetrics --object-id ${principal} --secret-permissions get list -o none`);
  const db = `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/servers/pgsrv/databases/appdb`;
  await ok(`dpvault backup-instance initialize --datasource-id ${db} --datasource-type AzureDatabaseForPostgreSQL -l westus --policy-id ${policyId} --secret-store-type AzureKeyVault --secret-store-uri https://kvmetrics.vault.azure.net/secrets/pg > bi.json`);
  const bi = JSON.parse(readFileSync(join(cwd, 'bi.json'), 'utf8'));
  bi.backup_instance_name = 'app';
  writeFileSync(join(cwd, 'bi.json'), JSON.stringify(bi));
  await ok('dpvault backup-instance create -g rg -v vault --backup-instance bi.json');
});
after(async () => {
  await svc?.close();
  await pgc?.stop();
  receiver?.close();
});

describe('GET /metrics', () => {
  it('counts a backup that failed on a wrong password as soon as the job ends, without the password', async () => {
    const before = await scrape();
    assert.equal(before.status, 200);
    assert.match(before.type ?? '', /^text\/plain; version=0\.0\.4/);
    assert.equal(sample(before.text, 'dpvault_jobs_total', { operation: 'Backup', status: 'Failed' }), undefined);
    await ok(`dpvault keyvault secret set --vault-name kvmetrics -n pg --value '${ado(WRONG)}' -o none`);
    const job = await waitJob((await ok('dpvault backup-instance adhoc-backup -n app -g rg -v vault --rule-name BackupWeekly')).jobId);
    assert.equal(job.properties.status, 'Failed');
    const afterFail = await scrape();
    assert.equal(sample(afterFail.text, 'dpvault_jobs_total', { operation: 'Backup', status: 'Failed' }), 1);
    assert.equal(sample(afterFail.text, 'dpvault_job_duration_seconds_count', { operation: 'Backup', status: 'Failed' }), 1);
    assert.equal(sample(afterFail.text, 'dpvault_backup_last_success_timestamp_seconds', { vault: 'vault', instance: 'app' }), undefined);
    assert.ok(!afterFail.text.includes(WRONG) && !afterFail.text.includes(PASSWORD));

    // The alert: listed at once, then delivered to both webhooks, the flaky one on its third attempt.
    const alerts = await ok('dpvault alert list -g rg --vault vault');
    assert.equal(alerts.length, 1);
    const alert = alerts[0];
    assert.equal(alert.type, 'Microsoft.AlertsManagement/alerts');
    assert.deepEqual(
      [alert.properties.essentials.severity, alert.properties.essentials.alertState, alert.properties.essentials.targetResourceName, alert.properties.essentials.startDateTime],
      ['Sev1', 'New', 'app', job.properties.endTime],
    );
    assert.equal(alert.properties.context.jobId, job.id);
    assert.equal(alert.properties.context.errorCode, 'UserErrorDBUserAuthFailed');
    assert.equal(alert.properties.context.errorMessage, job.properties.errorDetails[0].message);
    assert.deepEqual(await ok('dpvault alert list -g other-rg'), []);
    let shown = alert;
    while (!shown.properties.deliveries.every((d: { status: string }) => d.status !== 'Pending')) {
      await new Promise((r) => setTimeout(r, 200));
      shown = await ok(`dpvault alert show -n ${alert.id.split('/').pop()}`);
    }
    const hostShown = receiver.origin;
    assert.deepEqual(
      shown.properties.deliveries.map((d: { webhook: string; status: string; attempts: number; lastError: string | null }) => [d.webhook, d.status, d.attempts, d.lastError]),
      [[hostShown, 'Delivered', 1, null], [hostShown, 'Delivered', 3, null], [hostShown, 'Failed', 3, 'HTTP 500']],
    );
    for (const path of ['/steady', '/flaky'] as const) {
      assert.equal(received[path]!.length, 1, path);
      const body = received[path]![0] as { schemaId: string; data: { essentials: { alertId: string; severity: string }; alertContext: { errorCode: string } } };
      assert.equal(body.schemaId, 'azureMonitorCommonAlertSchema');
      assert.equal(body.data.essentials.alertId, alert.id);
      assert.equal(body.data.alertContext.errorCode, 'UserErrorDBUserAuthFailed');
    }
    assert.equal(requests['/flaky'], 3, 'two refused attempts, then the one taken');
    assert.equal(requests['/broken'], 3, 'the first attempt and two retries, then no more');
    assert.equal(authorization['/steady'], `Basic ${Buffer.from(`${HOOK_USER}:${HOOK_PASSWORD}`).toString('base64')}`, "the URL's credentials, sent as curl sends them");
    const counted = await scrape();
    assert.equal(sample(counted.text, 'dpvault_alerts_total', { rule: 'Backup Failure' }), 1);
    assert.equal(sample(counted.text, 'dpvault_alert_deliveries_failed_total'), 1, 'the delivery that failed its last retry');
    const failedLine = logLines.filter((l) => l.includes('failed after'));
    assert.deepEqual(failedLine, [`alert ${alert.id}: delivery to ${hostShown} failed after 3 attempt(s) (HTTP 500)`]);

    // Acknowledged, then Closed, with the real CLI (az monitor's states).
    const name = alert.id.split('/').pop();
    const acked = await ok(`dpvault alert update -n ${name} --state Acknowledged`);
    assert.deepEqual([acked.properties.essentials.alertState, acked.properties.essentials.monitorCondition], ['Acknowledged', 'Fired']);
    assert.equal((await ok(`dpvault alert update -n ${name} --state closed`)).properties.essentials.alertState, 'Closed');
    assert.equal((await ok('dpvault alert list -g rg --vault vault'))[0].properties.essentials.alertState, 'Closed');

    const everything = JSON.stringify([alerts, shown, received, await ok(`dpvault job show --ids "${job.id}"`), logLines]);
    assert.ok(!everything.includes(WRONG) && !everything.includes(PASSWORD), 'no password in alerts, deliveries or the log');
    for (const secret of [HOOK_USER, HOOK_PASSWORD, HOOK_TOKEN]) assert.ok(!everything.includes(secret), `the webhook's ${secret} is never shown`);
    await ok(`dpvault keyvault secret set --vault-name kvmetrics -n pg --value '${ado(PASSWORD)}' -o none`);
  });

  it('shows a completed backup as state: last success, the schedule interval, recovery points, logical and stored bytes, queue depth', async () => {
    const job = await waitJob((await ok('dpvault backup-instance adhoc-backup -n app -g rg -v vault --rule-name BackupWeekly')).jobId);
    assert.equal(job.properties.status, 'Completed');
    const { text } = await scrape();
    assert.equal(sample(text, 'dpvault_jobs_total', { operation: 'Backup', status: 'Completed' }), 1);
    assert.equal(sample(text, 'dpvault_jobs_total', { operation: 'Backup', status: 'Failed' }), 1);
    assert.equal(sample(text, 'dpvault_backup_last_success_timestamp_seconds', { vault: 'vault', instance: 'app' }), Date.parse(job.properties.endTime) / 1000);
    assert.equal(sample(text, 'dpvault_recovery_points', { vault: 'vault', datastore: 'VaultStore' }), 1);
    assert.equal(sample(text, 'dpvault_backup_interval_seconds', { vault: 'vault', instance: 'app' }), 7 * 86400, "the default policy's weekly schedule");
    assert.ok(sample(text, 'dpvault_logical_bytes', { vault: 'vault', datastore: 'VaultStore' })! > 0);
    assert.ok(sample(text, 'dpvault_stored_bytes', { vault: 'vault', datastore: 'VaultStore' })! > 0);
    assert.ok(sample(text, 'dpvault_job_bytes_count', { operation: 'Backup', status: 'Completed' })! >= 1);
    assert.equal(sample(text, 'dpvault_queue_depth'), 0);
    assert.equal(sample(text, 'dpvault_storage_errors_total'), 0);
  });

  it('has every metric docs/alerts.example.yml alerts on', async () => {
    const rules = parseYaml(readFileSync(resolve(import.meta.dirname, '../../docs/alerts.example.yml'), 'utf8')).groups[0].rules as { alert: string; expr: string }[];
    assert.deepEqual(rules.map((r) => r.alert), ['DpvaultBackupFailed', 'DpvaultBackupOverdue', 'DpvaultBackupNeverSucceeded', 'DpvaultAlertDeliveryFailed', 'DpvaultStorageErrors']);
    const { text } = await scrape();
    const types = new Set([...text.matchAll(/^# TYPE (\w+) /gm)].map((m) => m[1]));
    for (const r of rules) for (const [name] of r.expr.matchAll(/dpvault_\w+/g)) assert.ok(types.has(name), `${r.alert} uses ${name}, which /metrics has`);
  });

  it('is read by an Owner and a Monitoring Reader at /; a Backup Reader gets 403, no token 401', async () => {
    const made = async (role: string) => {
      const r = await runCli(['ad', 'sp', 'create-for-rbac', '-n', `scraper-${role.replace(/ /g, '-')}`, '--role', role, '--scopes', '/'], { endpoint: svc.url });
      assert.equal(r.code, 0, r.stderr);
      return signIn(svc.url, r.json as { appId: string; password: string });
    };
    const monitoring = await scrape(await made('Monitoring Reader'));
    assert.equal(monitoring.status, 200);
    assert.equal(sample(monitoring.text, 'dpvault_recovery_points', { vault: 'vault', datastore: 'VaultStore' }), 1);
    const refused = await scrape(await made('Backup Reader'));
    assert.equal(refused.status, 403);
    assert.equal(JSON.parse(refused.text).error.code, 'AuthorizationFailed');
    assert.doesNotMatch(refused.text, /dpvault_/);
    assert.equal((await scrape(null)).status, 401);
  });
});
