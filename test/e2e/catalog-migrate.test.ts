// `dpvault catalog migrate`: an embedded installation with a vault, a policy, a protected database
// with a backup and its recovery point, a key vault secret and a service principal moves into an
// empty PostgreSQL catalog, verified per table; a server on that catalog over the same storage
// restores the recovery point (its connection string still opens from the key vault) and the
// principal signs in, its token from before the move still good. A second migration into the filled catalog is refused and
// changes nothing; the summary and errors never show the URL's password.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type RunningService } from '../../src/app.ts';
import { startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { shopSql } from '../support/pg-fixtures.ts';
import { createProtectionResources, protectAndBackUp } from '../support/protection-resources.ts';
import { scratchDir } from '../support/scratch.ts';
import { getAs, runCli, signIn } from '../support/service.ts';
import { shellSession } from '../support/shell.ts';

let pgc: PgCluster;
let svc: RunningService | undefined;
let dataDir: string;
let cwd: string;
const session = shellSession(() => ({ cwd, endpoint: svc!.url, dataDir }));
const { ok, waitJob } = session;
const G = '-g rg -v vault';

before(async () => {
  pgc = await startCluster();
  await pgc.createDatabase('shop', shopSql(20));
  await pgc.createRole('backupuser', 'M1grate-pw', { login: true, superuser: true });
  await pgc.createDatabase('catalog');
  dataDir = mkdtempSync(join(tmpdir(), 'dpvault-migrate-'));
  cwd = scratchDir('dpvault-migrate-cli-');
});
after(async () => {
  await svc?.close();
  await pgc?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('dpvault catalog migrate', () => {
  it('moves an embedded catalog into PostgreSQL, where its recovery points restore and its principals sign in', async () => {
    svc = await startService({ dataDir, port: 0 });
    const { sub, policyId } = await createProtectionResources(ok, pgc.port, 'kvmove');
    await ok(`dpvault keyvault secret set --vault-name kvmove -n pg --value "postgres://backupuser:M1grate-pw@127.0.0.1:${pgc.port}/postgres?sslmode=disable" -o none`);
    const identity = (await ok('dpvault backup-vault show -g rg -v vault --query identity.principalId')) as string;
    await ok(`dpvault keyvault set-policy -n kvmove --object-id ${identity} --secret-permissions get list -o none`);
    const rp = await protectAndBackUp(session, cwd, { sub, policyId, keyVault: 'kvmove', name: 'app' });
    const sp = await ok(`dpvault ad sp create-for-rbac -n mover --role Reader --scopes /subscriptions/${sub}`);
    const auditBefore = (await ok('dpvault monitor activity-log list --max-events 1000')).length as number;
    const embeddedHost = new URL(svc.url).host;
    const tokenBefore = await signIn(svc.url, { appId: sp.appId, password: sp.password });
    await svc.close();
    svc = undefined;

    const url = pgc.connectionString('catalog');
    const moved = await runCli(['catalog', 'migrate', '--from', dataDir, '--to', url]);
    assert.equal(moved.code, 0, moved.stderr);
    assert.ok(!moved.stdout.includes(pgc.superuserPassword) && !moved.stderr.includes(pgc.superuserPassword));
    assert.match(moved.json.to, /^postgresql:\/\/postgres:\*\*\*@/);
    const tables = Object.fromEntries((moved.json.tables as { table: string; rows: number; sha256: string }[]).map((t) => [t.table, t]));
    assert.deepEqual(Object.keys(tables).sort(), ['audit_log', 'operations', 'resources', 'settings']);
    for (const t of Object.values(tables)) assert.match(t.sha256, /^[0-9a-f]{64}$/);
    assert.ok(tables.resources!.rows > 5 && tables.audit_log!.rows >= auditBefore, JSON.stringify(tables));

    const again = await runCli(['catalog', 'migrate', '--from', dataDir, '--to', url]);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /CatalogNotEmpty/);
    assert.ok(!again.stderr.includes(pgc.superuserPassword));
    const counted = await pgc.query<{ n: string }>('catalog', 'SELECT count(*) AS n FROM dpvault.resources');
    assert.equal(Number(counted[0]!.n), tables.resources!.rows, 'the refused migration wrote nothing');

    // Same data directory (master key, backup data), the catalog now in PostgreSQL.
    svc = await startService({ dataDir, port: 0, database: url, sharedFilesystem: true }); // one machine: the data directory's backup data stays where it is
    assert.equal(svc.ctx.subscriptionId, sub);
    assert.ok(await signIn(svc.url, { appId: sp.appId, password: sp.password }));
    const subs = await getAs(`${svc.url}/subscriptions?api-version=2022-12-01`, embeddedHost, tokenBefore);
    assert.equal(subs.status, 200, `a token signed before the move is still good: ${subs.body}`);
    const dbId = `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/servers/pgsrv/databases/shop_moved`;
    await ok(`dpvault backup-instance restore initialize-for-data-recovery --datasource-type AzureDatabaseForPostgreSQL --restore-location westus --source-datastore VaultStore --recovery-point-id ${rp} --target-resource-id ${dbId} --secret-store-type AzureKeyVault --secret-store-uri https://kvmove.vault.azure.net/secrets/pg > restore.json`);
    const job = await waitJob((await ok(`dpvault backup-instance restore trigger ${G} -n app --restore-request-object restore.json`)).jobId);
    assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
    assert.deepEqual(await pgc.compareDatabases('shop', 'shop_moved'), []);
    assert.ok((await ok('dpvault monitor activity-log list --max-events 1000')).length > auditBefore, 'the audit log came along and goes on');
  });
});
