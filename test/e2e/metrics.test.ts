// GET /metrics against a real server and a real PostgreSQL: a backup that fails (the key vault's
// secret holds a wrong password) is counted at once, a completed one shows as state (last success,
// recovery points, bytes), and only a principal with a role that reads metrics may scrape.
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

const PASSWORD = 'Metr1cs-s3cret-pw';
const WRONG = 'not-the-metrics-pw';
let svc: TestService;
let pgc: PgCluster;
let cwd: string;
let policyId: string;
let sub: string;
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
  svc = await startTestService();
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
    assert.deepEqual(rules.map((r) => r.alert), ['DpvaultBackupFailed', 'DpvaultBackupOverdue', 'DpvaultBackupNeverSucceeded', 'DpvaultStorageErrors']);
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
