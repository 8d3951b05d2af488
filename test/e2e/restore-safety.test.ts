// Restores against real clusters through the CLI: owners and grants come back where the target
// has the roles (and the job says which roles were missing), a restore that fails midway or is
// interrupted by a server stop leaves nothing under the target name and its staging database or
// `.partial` file is removed (at once, or at the next start), so a retry with the same name
// succeeds; a restore user without CREATEDB is refused by validate-for-restore; a relative
// directory for a restore as files is refused; a database point loads its tables in two sessions,
// a table bigger than its share in both.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type RunningService } from '../../src/app.ts';
import { stagingDatabaseName } from '../../src/jobs/restore-staging.ts';
import { FILE_MODE } from '../../src/jobs/restore-file.ts';
import { startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { comparePrivileges, describePrivileges } from '../support/pg-compare.ts';
import { shopSql } from '../support/pg-fixtures.ts';
import { shellSession } from '../support/shell.ts';
import { scratchDir } from '../support/scratch.ts';

let svc: RunningService;
let source: PgCluster;
let target: PgCluster;
let cwd: string;
let sub: string;
let rp: string;
const dataDir = mkdtempSync(join(tmpdir(), 'dpvault-restore-safety-'));
const { sh, ok, waitJob } = shellSession(() => ({ cwd, endpoint: svc.url, dataDir }));
const start = () => startService({ dataDir, port: 0, keyOrderMinBytes: 0, restoreFilesRoots: [tmpdir()] });

// Owners other than the restoring user, grants to several roles (table, column, schema, sequence,
// function, default privileges), and an event trigger, which only a superuser may create: a
// restore by a user without superuser fails late, with tables and rows already in place.
const GRANTS_SQL = `
CREATE ROLE app_owner NOLOGIN; CREATE ROLE reader NOLOGIN; CREATE ROLE writer NOLOGIN; CREATE ROLE auditor NOLOGIN;
ALTER TABLE customers OWNER TO app_owner;
ALTER SCHEMA "Sales Ops" OWNER TO app_owner;
ALTER TABLE "Sales Ops"."Quota Targets" OWNER TO app_owner;
ALTER FUNCTION order_count(bigint) OWNER TO app_owner;
GRANT SELECT ON orders, customer_totals TO reader;
GRANT INSERT, UPDATE ON orders TO writer;
GRANT SELECT (email) ON customers TO auditor;
GRANT SELECT ON customers TO reader WITH GRANT OPTION;
GRANT USAGE ON SCHEMA "Sales Ops" TO reader, auditor;
GRANT USAGE ON SEQUENCE event_ids TO writer;
REVOKE EXECUTE ON FUNCTION order_count(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION order_count(bigint) TO auditor, reader;
ALTER DEFAULT PRIVILEGES FOR ROLE app_owner IN SCHEMA "Sales Ops" GRANT SELECT ON TABLES TO reader;
ALTER DEFAULT PRIVILEGES FOR ROLE app_owner GRANT SELECT ON TABLES TO auditor;
CREATE FUNCTION note_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
CREATE EVENT TRIGGER note_ddl ON ddl_command_end EXECUTE FUNCTION note_ddl();
`;

const targetId = (db: string) => `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/servers/tgt/databases/${db}`;
const sameServerId = (db: string) => `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/servers/src/databases/${db}`;
async function restoreRequest(file: string, id: string, secret: string, extra = ''): Promise<void> {
  await ok(`dpvault backup-instance restore initialize-for-data-recovery --datasource-type AzureDatabaseForPostgreSQL --restore-location westus --source-datastore VaultStore --recovery-point-id ${rp} --target-resource-id ${id} --secret-store-type AzureKeyVault --secret-store-uri https://kvsafe.vault.azure.net/secrets/${secret} ${extra} > ${file}`);
}
const trigger = async (file: string): Promise<string> => (await ok(`dpvault backup-instance restore trigger -g rg -v vault -n app --restore-request-object ${file}`)).jobId;
const databases = async (cluster: PgCluster): Promise<string[]> =>
  (await cluster.query<{ datname: string }>('postgres', "SELECT datname FROM pg_database WHERE datname LIKE 'shop%' ORDER BY datname")).map((r) => r.datname);

before(async () => {
  [source, target] = await Promise.all([startCluster(), startCluster()]);
  await source.createDatabase('shop', shopSql(50) + GRANTS_SQL);
  await source.createRole('backupadmin', 'b4ckup-pw', { superuser: true });
  // The target has every role but auditor.
  await target.query('postgres', 'CREATE ROLE app_owner NOLOGIN; CREATE ROLE reader NOLOGIN; CREATE ROLE writer NOLOGIN');
  await target.createRole('restoreadmin', 'r3store-pw', { superuser: true });
  await target.createRole('restoreuser', 'r3store-pw', { createdb: true });
  await target.createRole('nocreate', 'n0create-pw', {});
  svc = await start();
  cwd = scratchDir('dpvault-restore-safety-');
  sub = (await ok('dpvault account show')).id;
  await ok('dpvault group create -n rg -l westus');
  await ok('dpvault backup-vault create -g rg -v vault -l westus --type SystemAssigned --storage-settings datastore-type=VaultStore type=LocallyRedundant');
  await ok('dpvault backup-policy get-default-policy-template --datasource-type AzureDatabaseForPostgreSQL > policy.json');
  const policyId = (await ok('dpvault backup-policy create -g rg --vault-name vault -n pol --policy policy.json')).id;
  await ok(`dpvault postgres server create -g rg -n src --host 127.0.0.1 --port ${source.port}`);
  await ok(`dpvault postgres server create -g rg -n tgt --host 127.0.0.1 --port ${target.port}`);
  await ok('dpvault keyvault create -g rg -n kvsafe -l westus');
  const secret = (name: string, port: number, user: string, pw: string) =>
    ok(`dpvault keyvault secret set --vault-name kvsafe -n ${name} --value "postgres://${user}:${pw}@127.0.0.1:${port}/postgres?sslmode=disable" -o none`);
  await secret('source', source.port, 'backupadmin', 'b4ckup-pw');
  await secret('admin', target.port, 'restoreadmin', 'r3store-pw');
  await secret('user', target.port, 'restoreuser', 'r3store-pw');
  await secret('nocreate', target.port, 'nocreate', 'n0create-pw');
  const principal = (await sh('dpvault backup-vault show -g rg -v vault --query identity.principalId -o tsv')).stdout.trim();
  await ok(`dpvault keyvault set-policy -n kvsafe --object-id ${principal} --secret-permissions get list -o none`);
  await ok(`dpvault backup-instance initialize --datasource-id ${sameServerId('shop')} --datasource-type AzureDatabaseForPostgreSQL -l westus --policy-id ${policyId} --secret-store-type AzureKeyVault --secret-store-uri https://kvsafe.vault.azure.net/secrets/source > bi.json`);
  await ok(`python3 -c "import json;b=json.load(open('bi.json'));b['backup_instance_name']='app';json.dump(b,open('bi.json','w'))"`);
  await ok('dpvault backup-instance create -g rg -v vault --backup-instance bi.json');
  const backup = await waitJob((await ok('dpvault backup-instance adhoc-backup -n app -g rg -v vault --rule-name BackupWeekly')).jobId);
  assert.equal(backup.properties.status, 'Completed', JSON.stringify(backup.properties.errorDetails));
  rp = (await sh('dpvault recovery-point list --backup-instance-name app -g rg -v vault --query "[0].name" -o tsv')).stdout.trim();
});
after(async () => {
  await svc?.close();
  await source?.stop();
  await target?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('owners and grants', () => {
  it('come back as they were on a server that has every role', async () => {
    await restoreRequest('same.json', sameServerId('shop_same'), 'source');
    const job = await waitJob(await trigger('same.json'));
    assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
    assert.deepEqual(await source.compareDatabases('shop', 'shop_same'), []);
    const privileges = await describePrivileges(source, 'shop_same');
    assert.match(privileges.get('relation public.customers')!, /owner=app_owner .*reader=r\*\/app_owner/);
    assert.deepEqual(await comparePrivileges({ cluster: source, db: 'shop' }, { cluster: source, db: 'shop_same' }), []);
    assert.equal(job.properties.extendedInfo.additionalDetails?.MissingRoles, undefined);
  });

  it('with --no-owner, every object belongs to the restoring user and grants are kept', async () => {
    await restoreRequest('noowner.json', sameServerId('shop_noowner'), 'source', '--no-owner');
    const job = await waitJob(await trigger('noowner.json'));
    assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
    const privileges = await describePrivileges(source, 'shop_noowner');
    assert.match(privileges.get('relation public.customers')!, /^owner=backupadmin /);
    assert.match(privileges.get('relation public.orders')!, /reader=r\/backupadmin/);
    assert.match(job.properties.extendedInfo.additionalDetails.Ownership, /noOwner/);
  });
});

describe('a restore that fails midway', () => {
  it('validate-for-restore refuses a restore user without CREATEDB', async () => {
    await restoreRequest('nocreate.json', targetId('shop_copy'), 'nocreate');
    const r = await sh('dpvault backup-instance validate-for-restore -g rg -v vault -n app --restore-request-object nocreate.json');
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /UserErrorMissingDBPermissions.*CREATEDB/);
  });

  it('leaves nothing under the target name, says what it dropped, and the same name works next time', async () => {
    await restoreRequest('user.json', targetId('shop_copy'), 'user');
    const job = await waitJob(await trigger('user.json'));
    assert.equal(job.properties.status, 'Failed');
    const message = job.properties.errorDetails[0].message as string;
    assert.match(message, /event trigger/);
    assert.match(message, new RegExp(`staging database 'shop_copy_dpvault_[0-9a-f]{12}' was dropped; nothing was created under the name 'shop_copy'`));
    assert.deepEqual(await databases(target), []);

    await restoreRequest('admin.json', targetId('shop_copy'), 'admin');
    const retry = await waitJob(await trigger('admin.json'));
    assert.equal(retry.properties.status, 'Completed', JSON.stringify(retry.properties.errorDetails));
    assert.deepEqual(await source.compareDatabases('shop', 'shop_copy', target), []);
    assert.deepEqual(await databases(target), ['shop_copy']);
    // The target lacks auditor: its grants are skipped and the job says so; the rest is as it was.
    const details = retry.properties.extendedInfo.additionalDetails;
    assert.equal(details.MissingRoles, 'auditor');
    assert.match(details.GrantsSkipped, /^[1-9]\d* GRANT/);
    // Default privileges whose only grant went to auditor are, without it, the defaults: no entry.
    const ownDefaultsOnly = (d: { object: string; a: string | null; b: string | null }): boolean => {
      const role = /^default privileges of (\S+) /.exec(d.object)?.[1];
      return d.b === null && role !== undefined && d.a === `owner=- acl=${role}=arwdDxt/${role} columns=-`;
    };
    assert.deepEqual((await comparePrivileges({ cluster: source, db: 'shop' }, { cluster: target, db: 'shop_copy' }, ['auditor'])).filter((d) => !ownDefaultsOnly(d)), []);
    const differences = await comparePrivileges({ cluster: source, db: 'shop' }, { cluster: target, db: 'shop_copy' });
    assert.ok(differences.length > 0 && differences.every((d) => d.a?.includes('auditor')), JSON.stringify(differences));
  });
});

describe('a restore interrupted by a server stop', () => {
  /** Queues a restore with the worker stopped and claims it as a worker that then dies. */
  async function interrupted(file: string): Promise<string> {
    await svc.worker.stop();
    const jobId = await trigger(file);
    const now = svc.ctx.clock.now();
    const task = await svc.ctx.queue.claim('worker-that-died', { now: now.toISOString(), leaseUntil: new Date(now.getTime() + 3_600_000).toISOString(), kinds: ['restore'] });
    assert.ok(task);
    return jobId;
  }

  it('its staging database is dropped at the next start and the same name works', async () => {
    await restoreRequest('stop.json', targetId('shop_stopped'), 'admin');
    const jobId = await interrupted('stop.json');
    const staging = stagingDatabaseName('shop_stopped', jobId);
    await target.query('postgres', `CREATE DATABASE "${staging}"`);
    await target.query(staging, 'CREATE TABLE customers (id int); INSERT INTO customers VALUES (1)');
    // A session the stopped server left working on it (a pg_restore outlives its parent), which
    // would keep DROP DATABASE from succeeding: start-up ends it first.
    const leftover = new pg.Client({ connectionString: target.connectionString(staging) });
    await leftover.connect();
    leftover.on('error', () => undefined);
    void leftover.query('SELECT pg_sleep(600)').catch(() => undefined);
    await svc.close();
    svc = await start();
    const job = await waitJob(jobId);
    assert.equal(job.properties.status, 'Failed');
    assert.equal(job.properties.errorDetails[0].code, 'JobInterrupted');
    assert.match(job.properties.errorDetails[0].message, new RegExp(`staging database '${staging}' was dropped`));
    assert.deepEqual((await databases(target)).filter((d) => d.includes('stopped')), []);
    const retry = await waitJob(await trigger('stop.json'));
    assert.equal(retry.properties.status, 'Completed', JSON.stringify(retry.properties.errorDetails));
    assert.deepEqual(await source.compareDatabases('shop', 'shop_stopped', target), []);
  });

  it('its .partial file is removed at the next start and the same name works', async () => {
    const dir = scratchDir('dpvault-restore-files-');
    await ok(`dpvault backup-instance restore initialize-for-data-recovery-as-files --datasource-type AzureDatabaseForPostgreSQL --restore-location westus --source-datastore VaultStore --recovery-point-id ${rp} --target-blob-container-url ${dir} --target-file-name shop > files.json`);
    const jobId = await interrupted('files.json');
    writeFileSync(join(dir, 'shop.dump.partial'), 'half a dump');
    await svc.close();
    svc = await start();
    const job = await waitJob(jobId);
    assert.equal(job.properties.status, 'Failed');
    assert.match(job.properties.errorDetails[0].message, /Removed the half-written .*shop\.dump\.partial/);
    assert.deepEqual(readdirSync(dir), []);
    const retry = await waitJob(await trigger('files.json'));
    assert.equal(retry.properties.status, 'Completed', JSON.stringify(retry.properties.errorDetails));
    assert.deepEqual(readdirSync(dir).sort(), ['shop.dump', 'shop.dump.sha256']);
    for (const f of readdirSync(dir)) assert.equal(statSync(join(dir, f)).mode & 0o777, FILE_MODE, f);
  });
});

it('a relative directory for a restore as files is refused, naming the need for a full path', async () => {
  await ok(`dpvault backup-instance restore initialize-for-data-recovery-as-files --datasource-type AzureDatabaseForPostgreSQL --restore-location westus --source-datastore VaultStore --recovery-point-id ${rp} --target-blob-container-url restores --target-file-name shop > relative.json`);
  const r = await sh('dpvault backup-instance restore trigger -g rg -v vault -n app --restore-request-object relative.json');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /UserErrorInvalidRequestParameter.*relative path.*full path/);
  assert.equal(existsSync(join(cwd, 'restores')), false);
});

/** Protects database `db` of the source server, backs it up and restores that point as `<db>_r` on the target; both jobs must complete. */
async function protectBackUpAndRestore(db: string): Promise<void> {
  await ok(`dpvault backup-instance initialize --datasource-id ${sameServerId(db)} --datasource-type AzureDatabaseForPostgreSQL -l westus --policy-id $(dpvault backup-policy show -g rg --vault-name vault -n pol --query id -o tsv) --secret-store-type AzureKeyVault --secret-store-uri https://kvsafe.vault.azure.net/secrets/source > ${db}.json`);
  await ok(`python3 -c "import json;b=json.load(open('${db}.json'));b['backup_instance_name']='${db}';json.dump(b,open('${db}.json','w'))"`);
  await ok(`dpvault backup-instance create -g rg -v vault --backup-instance ${db}.json`);
  const backup = await waitJob((await ok(`dpvault backup-instance adhoc-backup -n ${db} -g rg -v vault --rule-name BackupWeekly`)).jobId);
  assert.equal(backup.properties.status, 'Completed', JSON.stringify(backup.properties.errorDetails));
  const point = (await sh(`dpvault recovery-point list --backup-instance-name ${db} -g rg -v vault --query "[0].name" -o tsv`)).stdout.trim();
  await ok(`dpvault backup-instance restore initialize-for-data-recovery --datasource-type AzureDatabaseForPostgreSQL --restore-location westus --source-datastore VaultStore --recovery-point-id ${point} --target-resource-id ${targetId(`${db}_r`)} --secret-store-type AzureKeyVault --secret-store-uri https://kvsafe.vault.azure.net/secrets/admin > ${db}-restore.json`);
  const job = await waitJob((await ok(`dpvault backup-instance restore trigger -g rg -v vault -n ${db} --restore-request-object ${db}-restore.json`)).jobId);
  assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
}

it("a restore's pg_restore sessions build indexes with 256MB of maintenance_work_mem", async () => {
  // A CHECK constraint's function notes the settings of the session COPY loads each row in.
  await source.createDatabase('noted', `
    CREATE TABLE seen (mwm text);
    CREATE FUNCTION note() RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
      BEGIN INSERT INTO public.seen VALUES (current_setting('maintenance_work_mem')); RETURN true; END $$;
    CREATE TABLE t (id int PRIMARY KEY, CHECK (note()));
    INSERT INTO t VALUES (1);
    DELETE FROM seen;`);
  await protectBackUpAndRestore('noted');
  assert.deepEqual(await target.query('noted_r', 'SELECT mwm FROM seen'), [{ mwm: '256MB' }]);
  assert.deepEqual(await target.query('noted_r', "SELECT current_setting('maintenance_work_mem') AS mwm"), [{ mwm: '64MB' }], 'the server keeps its own');
});

/** A table `seen` and a function `note(t)` for CHECKs that record which backend loads each row of table t. */
const NOTED_LOADS = `CREATE TABLE seen (tbl text, pid int);
    CREATE FUNCTION note(t text) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
      BEGIN INSERT INTO public.seen VALUES (t, pg_backend_pid()); RETURN true; END $$;`;

/** Per table noted in `seen` of database `db` on the target: how many backends loaded its rows, and how many rows. */
const loadersOf = async (db: string): Promise<[string, number, number][]> =>
  (await target.query<{ tbl: string; pids: number; n: number }>(db, 'SELECT tbl, count(DISTINCT pid)::int AS pids, count(*)::int AS n FROM seen GROUP BY tbl ORDER BY tbl')).map((l) => [l.tbl, l.pids, l.n]);

it('a database point loads its tables in two sessions at once, each reading only its own', async () => {
  // Each row's CHECK notes the session that loads it: two tables, two sessions.
  await source.createDatabase('split', `
    ${NOTED_LOADS}
    CREATE TABLE left_side (id int PRIMARY KEY, body text, CHECK (note('left_side')));
    CREATE TABLE right_side (id int PRIMARY KEY, body text, CHECK (note('right_side')));
    INSERT INTO left_side SELECT g, md5(g::text) FROM generate_series(1, 3000) g;
    INSERT INTO right_side SELECT g, md5(g::text) FROM generate_series(1, 3000) g;
    DELETE FROM seen;`);
  await protectBackUpAndRestore('split');
  assert.deepEqual(await loadersOf('split_r'), [['left_side', 1, 3000], ['right_side', 1, 3000]]);
  const [distinct] = await target.query<{ n: number }>('split_r', 'SELECT count(DISTINCT pid)::int AS n FROM seen');
  assert.equal(distinct!.n, 2, 'the two tables were loaded by two sessions');
  await target.query('split_r', 'DELETE FROM seen');
  await source.query('split', 'DELETE FROM seen');
  assert.deepEqual(await source.compareDatabases('split', 'split_r', target), []);
});

it('a table bigger than its share loads in both sessions, from a row start the dump recorded, each row once', async () => {
  // ~12 MB of one table (cut points about every 4 MiB) and a small one: the big table's tail goes to the session with the small one.
  await source.createDatabase('halves', `
    ${NOTED_LOADS}
    CREATE TABLE big (id int PRIMARY KEY, body text, CHECK (note('big')));
    CREATE TABLE small (id int PRIMARY KEY, body text, CHECK (note('small')));
    INSERT INTO big SELECT g, repeat(md5(g::text), 6) FROM generate_series(1, 60000) g;
    INSERT INTO small SELECT g, md5(g::text) FROM generate_series(1, 100) g;
    DELETE FROM seen;`);
  await protectBackUpAndRestore('halves');
  assert.deepEqual(await loadersOf('halves_r'), [['big', 2, 60000], ['small', 1, 100]], 'big loaded by two sessions, every row once');
  const [both] = await target.query<{ n: number }>('halves_r', "SELECT count(*)::int AS n FROM (SELECT pid FROM seen WHERE tbl = 'big' INTERSECT SELECT pid FROM seen WHERE tbl = 'small') s");
  assert.equal(both!.n, 1, "the small table's session loaded the big one's tail");
  await target.query('halves_r', 'DELETE FROM seen');
  await source.query('halves', 'DELETE FROM seen');
  assert.deepEqual(await source.compareDatabases('halves', 'halves_r', target), []);
});
