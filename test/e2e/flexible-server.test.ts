// AzureDatabaseForPostgreSQLFlexibleServer end to end, through the built CLI against real
// clusters: a server with three databases, two roles with grants and a tablespace is registered,
// protected as a whole with the vault's own identity (refused, naming what is missing, until
// update-msi-permissions grants it), backed up into one recovery point listing its databases,
// restored as files and as a new server (roles, tablespaces and every user database).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { clusterOwner } from '../support/pg-bin.ts';
import { comparePrivileges } from '../support/pg-compare.ts';
import { sweepRetention } from '../../src/jobs/retention-job.ts';
import { startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { shopSql } from '../support/pg-fixtures.ts';
import { newInstallationOver, startTestService, type TestService } from '../support/service.ts';
import { shellSession } from '../support/shell.ts';
import { scratchDir } from '../support/scratch.ts';

let svc: TestService;
let source: PgCluster;
let fresh: PgCluster;
let target: PgCluster;
let broken: PgCluster;
let cwd: string;
let sub: string;
let serverId: string;
let instanceName: string;
let rp: string;
const G = '-g flexrg -v flexvault';
const { sh, ok, waitJob } = shellSession(() => ({ cwd, endpoint: svc.url }));

before(async () => {
  [source, fresh, target, broken] = await Promise.all([startCluster(), startCluster(), startCluster(), startCluster()]);
  cwd = scratchDir('dpvault-flex-');
  // The tablespace's directory: under the test's directory, owned by the cluster's user.
  const tsDir = join(cwd, 'ts');
  chmodSync(cwd, 0o755);
  mkdirSync(tsDir);
  const owner = clusterOwner();
  if (owner) chownSync(tsDir, owner.uid, owner.gid);
  await source.query('postgres', `CREATE TABLESPACE fastspace LOCATION '${tsDir}'`);
  await source.createRole('app_owner', null, { login: false });
  await source.createRole('reporting', 'r3port', { login: true });
  await source.createDatabase('shop', shopSql(150));
  await source.createDatabase('shop_copy', shopSql(150));
  await source.createDatabase('crm', `
    CREATE TABLE contacts (id int PRIMARY KEY, name text NOT NULL) TABLESPACE fastspace;
    INSERT INTO contacts SELECT g, 'contact ' || g FROM generate_series(1, 500) g;
    ALTER TABLE contacts OWNER TO app_owner;
    GRANT SELECT ON contacts TO reporting;`);
  await source.query('shop', 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO reporting');
  svc = await startTestService({ restoreFilesRoots: [cwd] });
  sub = (await ok('dpvault account show')).id;
  serverId = `/subscriptions/${sub}/resourceGroups/flexrg/providers/Microsoft.DBforPostgreSQL/flexibleServers/pgflex`;
});
after(async () => {
  await svc?.close();
  await source?.stop();
  await fresh?.stop();
  await target?.stop();
  await broken?.stop();
});

const USER_DATABASES = ['crm', 'shop', 'shop_copy'];
const ROLE_SQL = "SELECT rolname, rolsuper, rolcanlogin, rolinherit, rolcreatedb FROM pg_roles WHERE rolname IN ('app_owner', 'reporting') ORDER BY 1";

/** Each user database, the two roles and every grant: equal on both clusters. */
async function assertSameServer(a: PgCluster, b: PgCluster, names: (db: string) => string = (db) => db): Promise<void> {
  assert.deepEqual(await b.query('postgres', ROLE_SQL), await a.query('postgres', ROLE_SQL));
  for (const db of USER_DATABASES) {
    assert.deepEqual(await a.compareDatabases(db, names(db), b), [], db);
    assert.deepEqual(await comparePrivileges({ cluster: a, db }, { cluster: b, db: names(db) }), [], db);
  }
}

describe('a flexible server, protected as a whole', () => {
  it('registers the server and its administrator secret, and protects it with the vault identity once granted', async () => {
    await ok('dpvault group create -n flexrg -l westus');
    await ok('dpvault backup-vault create -g flexrg -v flexvault -l westus --type SystemAssigned --storage-settings datastore-type=VaultStore type=LocallyRedundant');
    await ok('dpvault keyvault create -g flexrg -n flexkv -l westus');
    await ok(`dpvault keyvault secret set --vault-name flexkv -n admin --value "postgres://postgres:${source.superuserPassword}@127.0.0.1:${source.port}/postgres?sslmode=disable" -o none`);
    await ok(`dpvault postgres flexible-server create -g flexrg -n pgflex --host 127.0.0.1 --port ${source.port} --admin-secret-uri https://flexkv.vault.azure.net/secrets/admin`);
    const template = await ok('dpvault backup-policy get-default-policy-template --datasource-type AzureDatabaseForPostgreSQLFlexibleServer > flexpolicy.json && cat flexpolicy.json');
    assert.equal(template.name, 'OssFlexiblePolicy1');
    const policyId = (await ok(`dpvault backup-policy create ${G.replace('-v', '--vault-name')} -n flexpol --policy flexpolicy.json`)).id;
    await ok(`dpvault backup-instance initialize --datasource-type AzureDatabaseForPostgreSQLFlexibleServer --datasource-id ${serverId} -l westus --policy-id ${policyId} > bi.json`);
    const bi = JSON.parse(readFileSync(join(cwd, 'bi.json'), 'utf8'));
    assert.equal(bi.properties.datasource_auth_credentials, null);
    instanceName = bi.backup_instance_name;

    // Without the grants: refused, naming each missing role and the secret, and nothing is created.
    const refused = await sh(`dpvault backup-instance validate-for-backup ${G} --backup-instance bi.json`);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /UserErrorMissingRequiredPermissions/);
    assert.match(refused.stderr, /Reader over the datasource resource group/);
    assert.match(refused.stderr, /PostgreSQL Flexible Server Long Term Retention Backup Role over the datasource/);
    assert.match(refused.stderr, /'get' on the secrets of the key vault/);
    assert.match(refused.stderr, /update-msi-permissions/);
    assert.ok(!refused.stderr.includes(source.superuserPassword));
    assert.equal((await sh(`dpvault backup-instance create ${G} --backup-instance bi.json`)).code, 1);
    assert.deepEqual(await ok(`dpvault backup-instance list ${G}`), []);

    const granted = await ok(`dpvault backup-instance update-msi-permissions --datasource-type AzureDatabaseForPostgreSQLFlexibleServer --operation Backup --permissions-scope Resource ${G} --backup-instance bi.json --yes`);
    assert.deepEqual(granted.map((g: { ResourceType: string }) => g.ResourceType), [
      'Microsoft.Authorization/roleAssignments', 'Microsoft.Authorization/roleAssignments', 'Microsoft.KeyVault/vaults/accessPolicies',
    ]);
    assert.deepEqual(granted.slice(0, 2).map((g: { Properties: { scope: string } }) => g.Properties.scope), [
      `/subscriptions/${sub}/resourceGroups/flexrg`, serverId,
    ]);
    const again = await sh(`dpvault backup-instance update-msi-permissions --datasource-type AzureDatabaseForPostgreSQLFlexibleServer --operation Backup --permissions-scope Resource ${G} --backup-instance bi.json --yes`);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /already assigned/);

    const valid = await ok(`dpvault backup-instance validate-for-backup ${G} --backup-instance bi.json`);
    assert.equal(valid.objectType, 'OperationJobExtendedInfo');
    const created = await ok(`dpvault backup-instance create ${G} --backup-instance bi.json`);
    assert.equal(created.properties.dataSourceInfo.resourceID, serverId);
  });

  it('backs up every database and the globals into one recovery point that lists the databases', async () => {
    const job = await waitJob((await ok(`dpvault backup-instance adhoc-backup -n ${instanceName} ${G} --rule-name BackupWeekly`)).jobId);
    assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
    const points = await ok(`dpvault recovery-point list --backup-instance-name ${instanceName} ${G}`);
    assert.equal(points.length, 1);
    rp = points[0].name;
    const meta = JSON.parse(points[0].properties.recoveryPointDataStoresDetails[0].metaData);
    assert.equal(meta.objectType, 'PostgresFlexibleServerBackupMetadata');
    assert.deepEqual(meta.databases, ['crm', 'postgres', 'shop', 'shop_copy']);
  });
});

describe('restore as files, in Azure\'s layout', () => {
  it('writes one file per database, the roles and tablespace scripts and a manifest, which replay into a fresh cluster', async () => {
    const dir = join(cwd, 'files');
    mkdirSync(dir);
    await ok(`dpvault backup-instance restore initialize-for-data-recovery-as-files --datasource-type AzureDatabaseForPostgreSQLFlexibleServer --restore-location westus --source-datastore VaultStore --recovery-point-id ${rp} --target-blob-container-url ${dir} --target-file-name pgflex > files.json`);
    const job = await waitJob((await ok(`dpvault backup-instance restore trigger ${G} -n ${instanceName} --restore-request-object files.json`)).jobId);
    assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
    assert.equal(job.properties.extendedInfo.additionalDetails['Restore File Prefix'], 'pgflex');
    const manifest = JSON.parse(readFileSync(join(dir, 'pgflex_manifest.json'), 'utf8'));
    assert.deepEqual(manifest.databases.map((d: { name: string; file: string }) => [d.name, d.file]), [
      ['crm', 'pgflex_database_crm.sql'], ['postgres', 'pgflex_database_postgres.sql'], ['shop', 'pgflex_database_shop.sql'], ['shop_copy', 'pgflex_database_shop_copy.sql'],
    ]);
    assert.equal(manifest.roles.file, 'pgflex_roles.sql');
    assert.equal(manifest.tablespaces.file, 'pgflex_tablespace.sql');
    // Database files are custom-format archives despite the .sql, as Azure's are.
    assert.equal(readFileSync(join(dir, 'pgflex_database_shop.sql')).subarray(0, 5).toString(), 'PGDMP');
    const roles = readFileSync(join(dir, 'pgflex_roles.sql'), 'utf8');
    assert.match(roles, /CREATE ROLE app_owner;/);
    assert.doesNotMatch(roles, /PASSWORD|SCRAM-SHA-256/i, 'roles come without passwords');
    const tablespaces = readFileSync(join(dir, 'pgflex_tablespace.sql'), 'utf8');
    assert.match(tablespaces, /CREATE TABLESPACE fastspace/);

    // The DBA's replay: roles, the tablespace at a new place, then each user database.
    // As Azure's replay says: a role the new server has already (its superuser) fails, and is ignored.
    const replayed = await fresh.psql('postgres', ['-v', 'ON_ERROR_STOP=0', '-f', join(dir, 'pgflex_roles.sql')]);
    assert.doesNotMatch(replayed.stderr.replace(/ERROR: {2}role "postgres" already exists/g, ''), /ERROR/);
    const newTs = join(cwd, 'ts2');
    mkdirSync(newTs);
    const owner = clusterOwner();
    if (owner) chownSync(newTs, owner.uid, owner.gid);
    writeFileSync(join(dir, 'ts.sql'), tablespaces.replace(/LOCATION '[^']*'/, `LOCATION '${newTs}'`));
    await fresh.psql('postgres', ['-f', join(dir, 'ts.sql')]);
    for (const db of USER_DATABASES) {
      await fresh.createDatabase(db);
      execFileSync(join(fresh.bindir, 'pg_restore'), ['-h', fresh.dir, '-p', String(fresh.port), '-U', 'postgres', '-d', db, '--exit-on-error', join(dir, `pgflex_database_${db}.sql`)]);
    }
    await assertSameServer(source, fresh);
    assert.equal((await fresh.query('postgres', "SELECT count(*)::int AS n FROM pg_tablespace WHERE spcname = 'fastspace'"))[0]!.n, 1);
  });

  it('refuses a prefix whose files exist, changing nothing', async () => {
    const again = await sh(`dpvault backup-instance restore trigger ${G} -n ${instanceName} --restore-request-object files.json`);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /pgflex_roles\.sql/);
    // Into a server that is not registered: refused, saying how to register it.
    await ok(`dpvault backup-instance restore initialize-for-data-recovery --datasource-type AzureDatabaseForPostgreSQLFlexibleServer --restore-location westus --source-datastore VaultStore --recovery-point-id ${rp} --target-resource-id ${serverId.replace('pgflex', 'other')} > server.json`);
    const intoServer = await sh(`dpvault backup-instance restore trigger ${G} -n ${instanceName} --restore-request-object server.json`);
    assert.equal(intoServer.code, 1);
    assert.match(intoServer.stderr, /\(UserErrorDBNotFound\).*flexible server 'other'.*is not registered/);
    // Into a blob container this service does not allow (--restore-files-container): refused before any job.
    await ok(`dpvault backup-instance restore initialize-for-data-recovery-as-files --datasource-type AzureDatabaseForPostgreSQLFlexibleServer --restore-location westus --source-datastore VaultStore --recovery-point-id ${rp} --target-blob-container-url https://devstoreaccount1.blob.core.windows.net/restores --target-file-name pgflex2 > container.json`);
    const jobsBefore = (await sh(`dpvault job list ${G} --query "length(@)" -o tsv`)).stdout.trim();
    const intoContainer = await sh(`dpvault backup-instance restore trigger ${G} -n ${instanceName} --restore-request-object container.json`);
    assert.equal(intoContainer.code, 1);
    assert.match(intoContainer.stderr, /\(UserErrorRestoreTargetNotAllowed\)/);
    assert.equal((await sh(`dpvault job list ${G} --query "length(@)" -o tsv`)).stdout.trim(), jobsBefore);
  });
});

const TARGET = '-g flexrg -v flexvault';
const targetIdOf = (name: string) => serverId.replace(/pgflex$/, name);

/** Registers `cluster` as flexible server `name`, its administrator secret in key vault `kv`. */
async function registerTarget(cluster: PgCluster, name: string, kv: string): Promise<void> {
  await ok(`dpvault keyvault create -g flexrg -n ${kv} -l westus`);
  await ok(`dpvault keyvault secret set --vault-name ${kv} -n admin --value "postgres://postgres:${cluster.superuserPassword}@127.0.0.1:${cluster.port}/postgres?sslmode=disable" -o none`);
  await ok(`dpvault postgres flexible-server create -g flexrg -n ${name} --host 127.0.0.1 --port ${cluster.port} --admin-secret-uri https://${kv}.vault.azure.net/secrets/admin`);
}

/** Writes a restore-as-server request for `name` to `file`. */
async function serverRequest(name: string, file: string, extra = ''): Promise<void> {
  await ok(`dpvault backup-instance restore initialize-for-data-recovery --datasource-type AzureDatabaseForPostgreSQLFlexibleServer --restore-location westus --source-datastore VaultStore --recovery-point-id ${rp} --target-resource-id ${targetIdOf(name)} ${extra} > ${file}`);
}

const grantRestore = (name: string, file: string) =>
  ok(`dpvault backup-instance update-msi-permissions --datasource-type AzureDatabaseForPostgreSQLFlexibleServer --operation Restore --permissions-scope Resource ${TARGET} --restore-request-object ${file} --target-resource-id ${targetIdOf(name)} --yes`);

const jobCount = async () => (await sh(`dpvault job list ${G} --query "length(@)" -o tsv`)).stdout.trim();
const databasesOf = async (c: PgCluster) => (await c.query<{ d: string }>('postgres', 'SELECT datname AS d FROM pg_database ORDER BY 1')).map((r) => r.d);
const rolesOf = async (c: PgCluster) => (await c.query<{ r: string }>('postgres', "SELECT rolname AS r FROM pg_roles WHERE rolname NOT LIKE 'pg\\_%' ORDER BY 1")).map((r) => r.r);

describe('restore as a server', () => {
  it('refuses until the vault identity may restore into the target, naming what is missing, and makes no job', async () => {
    await registerTarget(target, 'pgtarget', 'targetkv');
    await serverRequest('pgtarget', 'srv.json');
    const request = JSON.parse(readFileSync(join(cwd, 'srv.json'), 'utf8'));
    assert.equal(request.restore_target_info.object_type, 'RestoreTargetInfo');
    assert.equal(request.restore_target_info.datasource_info.resource_id, targetIdOf('pgtarget'));
    assert.equal(request.restore_target_info.datasource_info.datasource_type, 'Microsoft.DBforPostgreSQL/flexibleServers');
    const before = await jobCount();
    const refused = await sh(`dpvault backup-instance validate-for-restore ${G} -n ${instanceName} --restore-request-object srv.json`);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /UserErrorMissingRequiredPermissions/);
    assert.match(refused.stderr, /Contributor over the restore target/);
    assert.match(refused.stderr, /'get' on the secrets of the key vault holding https:\/\/targetkv/);
    assert.match(refused.stderr, /update-msi-permissions .*--operation Restore .*--restore-request-object/);
    assert.ok(!refused.stderr.includes(target.superuserPassword));
    assert.equal((await sh(`dpvault backup-instance restore trigger ${G} -n ${instanceName} --restore-request-object srv.json`)).code, 1);
    assert.equal(await jobCount(), before);
    assert.deepEqual(await rolesOf(target), ['postgres']);

    const noRequest = await sh(`dpvault backup-instance update-msi-permissions --datasource-type AzureDatabaseForPostgreSQLFlexibleServer --operation Restore --permissions-scope Resource ${TARGET} --target-resource-id ${targetIdOf('pgtarget')} --yes`);
    assert.equal(noRequest.code, 1);
    assert.match(noRequest.stderr, /--restore-request-object needs to be given when --operation is given as Restore/);
    const granted = await grantRestore('pgtarget', 'srv.json');
    assert.deepEqual(granted.map((g: { ResourceType: string }) => g.ResourceType), ['Microsoft.Authorization/roleAssignments', 'Microsoft.KeyVault/vaults/accessPolicies']);
    assert.equal(granted[0].Properties.scope, targetIdOf('pgtarget'));
    const valid = await ok(`dpvault backup-instance validate-for-restore ${G} -n ${instanceName} --restore-request-object srv.json`);
    assert.equal(valid.objectType, 'OperationJobExtendedInfo');
  });

  it('restores roles, the tablespace and every user database into the new server, equal to the source', async () => {
    // The target has the tablespace already (at its own directory): the restore uses it as it is.
    const tsDir = join(cwd, 'ts-target');
    mkdirSync(tsDir);
    const owner = clusterOwner();
    if (owner) chownSync(tsDir, owner.uid, owner.gid);
    await target.query('postgres', `CREATE TABLESPACE fastspace LOCATION '${tsDir}'`);
    const job = await waitJob((await ok(`dpvault backup-instance restore trigger ${G} -n ${instanceName} --restore-request-object srv.json`)).jobId);
    assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
    const details = job.properties.extendedInfo.additionalDetails;
    assert.equal(details['Database crm'], 'Completed');
    assert.equal(details['Database shop'], 'Completed');
    assert.equal(details['Database shop_copy'], 'Completed');
    assert.equal(details['Database postgres'], undefined);
    assert.equal(details['Roles left as they were'], 'postgres');
    assert.equal(details['Roles created'], 'app_owner, reporting');
    assert.equal(details['Tablespaces used as they were'], 'fastspace');
    assert.match(details['Role passwords'], /Not in the recovery point/);
    assert.equal(job.properties.extendedInfo.subTasks[0].additionalDetails.RestoredServer, targetIdOf('pgtarget'));
    await assertSameServer(source, target);
    const [row] = await target.query<{ spc: string }>('crm', "SELECT t.spcname AS spc FROM pg_class c JOIN pg_tablespace t ON t.oid = c.reltablespace WHERE c.relname = 'contacts'");
    assert.equal(row?.spc, 'fastspace');
  });

  it('refuses a second restore into the same server for the names it has, and restores under a prefix', async () => {
    const before = await jobCount();
    const again = await sh(`dpvault backup-instance restore trigger ${G} -n ${instanceName} --restore-request-object srv.json`);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /\(UserErrorDatabaseNameAlreadyInUse\).*'crm', 'shop', 'shop_copy'.*--database-name-prefix/);
    assert.equal(await jobCount(), before);
    const dbs = await databasesOf(target);

    await serverRequest('pgtarget', 'srv2.json', '--database-name-prefix r2_');
    assert.equal(JSON.parse(readFileSync(join(cwd, 'srv2.json'), 'utf8')).restore_target_info.database_name_prefix, 'r2_');
    const job = await waitJob((await ok(`dpvault backup-instance restore trigger ${G} -n ${instanceName} --restore-request-object srv2.json`)).jobId);
    assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
    assert.equal(job.properties.extendedInfo.additionalDetails['Database shop'], 'Completed (as r2_shop)');
    assert.equal(job.properties.extendedInfo.additionalDetails['Roles left as they were'], 'app_owner, postgres, reporting');
    await assertSameServer(source, target, (db) => `r2_${db}`);
    assert.deepEqual(await databasesOf(target), [...dbs, 'r2_crm', 'r2_shop', 'r2_shop_copy'].sort());
  });

  it('drops what it created when a database load fails, names that database, and restores once the target accepts it', async () => {
    // The target refuses shop_copy's load: an event trigger in template0 (every restored database
    // is created from it) raises on any table created in a database whose name starts shop_copy.
    await broken.query('postgres', "UPDATE pg_database SET datallowconn = true WHERE datname = 'template0'");
    await broken.query('template0', `CREATE FUNCTION refuse() RETURNS event_trigger LANGUAGE plpgsql AS $$
      BEGIN IF current_database() LIKE 'shop\\_copy%' THEN RAISE EXCEPTION 'this server refuses shop_copy'; END IF; END $$;
      CREATE EVENT TRIGGER refuse ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION refuse();`);
    await registerTarget(broken, 'pgbroken', 'brokenkv');
    await serverRequest('pgbroken', 'broken.json');
    await grantRestore('pgbroken', 'broken.json');
    const [dbsBefore, rolesBefore] = [await databasesOf(broken), await rolesOf(broken)];
    const job = await waitJob((await ok(`dpvault backup-instance restore trigger ${G} -n ${instanceName} --restore-request-object broken.json`)).jobId);
    assert.equal(job.properties.status, 'Failed');
    const error = job.properties.errorDetails[0];
    assert.match(error.message, /Database 'shop_copy' of recovery point .* could not be restored/);
    assert.match(error.message, /this server refuses shop_copy/);
    assert.match(error.message, /database 'crm', database 'shop'.*role 'app_owner', role 'reporting'/);
    const details = job.properties.extendedInfo.additionalDetails;
    assert.equal(details['Database crm'], 'Completed');
    assert.equal(details['Database shop_copy'], 'Failed');
    // The point's tablespace directory is the source's, in use there: mapped to the default.
    assert.match(details['Tablespace fastspace'], /Not created on the target .*default tablespace/);
    assert.deepEqual(await databasesOf(broken), dbsBefore);
    assert.deepEqual(await rolesOf(broken), rolesBefore);

    await broken.query('template0', 'DROP EVENT TRIGGER refuse; DROP FUNCTION refuse()');
    await broken.query('postgres', "UPDATE pg_database SET datallowconn = false WHERE datname = 'template0'");
    const retried = await waitJob((await ok(`dpvault backup-instance restore trigger ${G} -n ${instanceName} --restore-request-object broken.json`)).jobId);
    assert.equal(retried.properties.status, 'Completed', JSON.stringify(retried.properties.errorDetails));
    await assertSameServer(source, broken);
    const [row] = await broken.query<{ spc: number }>('crm', "SELECT reltablespace::int AS spc FROM pg_class WHERE relname = 'contacts'");
    assert.equal(row?.spc, 0, 'contacts is in the database\'s default tablespace');
  });
});

describe('a whole-server point in the vault\'s life', () => {
  it('comes back in a new installation over the same storage (vault recover), and restores the same files from there', async () => {
    // A new installation: an empty catalog and the old master key over a copy of the backup data.
    const other = await startTestService({ ...newInstallationOver(svc), restoreFilesRoots: [cwd] });
    const o = shellSession(() => ({ cwd, endpoint: other.url }));
    try {
      await o.ok('dpvault group create -n flexrg -l westus');
      await o.ok('dpvault backup-vault create -g flexrg -v flexvault -l westus --type SystemAssigned --storage-settings datastore-type=VaultStore type=LocallyRedundant');
      const report = await o.ok('dpvault vault recover -g flexrg -v flexvault');
      assert.equal(report.recoveryPointsRecovered, 1);
      assert.deepEqual(report.instancesRecreated, [instanceName]);
      const shown = await o.ok(`dpvault backup-instance show ${G} -n ${instanceName}`);
      assert.equal(shown.properties.dataSourceInfo.datasourceType, 'Microsoft.DBforPostgreSQL/flexibleServers');
      const [point] = await o.ok(`dpvault recovery-point list --backup-instance-name ${instanceName} ${G}`);
      assert.equal(point.name, rp);
      assert.deepEqual(JSON.parse(point.properties.recoveryPointDataStoresDetails[0].metaData).databases, ['crm', 'postgres', 'shop', 'shop_copy']);

      const dir = join(cwd, 'recovered-files');
      mkdirSync(dir);
      await o.ok(`dpvault backup-instance restore initialize-for-data-recovery-as-files --datasource-type AzureDatabaseForPostgreSQLFlexibleServer --restore-location westus --source-datastore VaultStore --recovery-point-id ${rp} --target-blob-container-url ${dir} --target-file-name pgflex > recovered.json`);
      const job = await o.waitJob((await o.ok(`dpvault backup-instance restore trigger ${G} -n ${instanceName} --restore-request-object recovered.json`)).jobId);
      assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
      // Byte for byte the files the original installation restored from the same point.
      for (const name of ['pgflex_roles.sql', 'pgflex_tablespace.sql', ...['crm', 'postgres', 'shop', 'shop_copy'].map((db) => `pgflex_database_${db}.sql`)]) {
        assert.ok(readFileSync(join(dir, name)).equals(readFileSync(join(cwd, 'files', name))), name);
      }
    } finally {
      await other.close();
    }
  });

  it('is read back whole by vault verify and expires with its policy\'s retention like a database point', async () => {
    const verify = await waitJob((await ok('dpvault vault verify -g flexrg -v flexvault')).jobId);
    assert.equal(verify.properties.status, 'Completed', JSON.stringify(verify.properties.errorDetails));
    const [point] = await ok(`dpvault recovery-point list --backup-instance-name ${instanceName} ${G}`);
    assert.equal(point.properties.recoveryPointState, 'Completed');
    const expiry = new Date(point.properties.recoveryPointDataStoresDetails[0].expiryTime);
    // The default flexible-server policy keeps a point 3 months in the vault.
    assert.equal(expiry.getTime() - new Date(point.properties.recoveryPointTime).getTime() > 80 * 86_400_000, true);
    assert.deepEqual((await sweepRetention(svc.ctx, { now: new Date(expiry.getTime() - 1000) })).deleted, []);
    assert.deepEqual((await sweepRetention(svc.ctx, { now: new Date(expiry.getTime() + 1000) })).deleted, [rp]);
    assert.deepEqual(await ok(`dpvault recovery-point list --backup-instance-name ${instanceName} ${G}`), []);
  });
});
