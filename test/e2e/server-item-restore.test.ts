// Item-level restore out of whole-server recovery points (AzureDatabaseForPostgreSQLFlexibleServer),
// through the real CLI against a real cluster: one table of database 'shop' out of a point taken
// three weeks earlier (the service's clock injected and walked) restored beside the live table
// under a new name, with the rows it had at the backup; everything else in 'shop', and the other
// database, untouched. The point's database must be named (--database) and be one of the point's,
// and its tables are checked against that database's dump, before any job. A point moved to the
// archive tier is restored from after its rehydration, in the same job.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestService, type TestService } from '../support/service.ts';
import { startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { describeDatabase } from '../support/pg-compare.ts';
import { shellSession } from '../support/shell.ts';
import { scratchDir } from '../support/scratch.ts';
import { createFlexResources, FLEX, protectFlexServer } from '../support/flexible-server.ts';
import { createMonthlyArchivePolicy, instanceSteps, walkToArchivedMonthly } from '../support/item-restore-steps.ts';
import { ManualClock } from '../../src/util/clock.ts';

const clock = new ManualClock('2026-03-02T08:00:00.000Z');
const G = '-g rg -v vault';
let svc: TestService;
let pgc: PgCluster;
let cwd: string;
let sub: string;
let instance: string;
/**
 * The point taken three weeks before the restores, and the Monthly one two weeks later (in
 * ArchiveStore at the restores): each with app.orders of 'shop' at its backup.
 */
const old = { point: '', orders: [] as unknown[] };
const mid = { point: '', orders: [] as unknown[] };
const session = shellSession(() => ({ cwd, endpoint: svc.url }));
const { sh, ok } = session;

const SHOP_SQL = `
CREATE SCHEMA app;
CREATE TABLE app.customers (id serial PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE app.orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id int NOT NULL REFERENCES app.customers(id),
  amount numeric NOT NULL CHECK (amount > 0)
);
CREATE INDEX orders_amount_idx ON app.orders (amount);
INSERT INTO app.customers (name) SELECT 'customer ' || g FROM generate_series(1, 20) g;
INSERT INTO app.orders (customer_id, amount) SELECT 1 + g % 20, g FROM generate_series(1, 300) g;
`;
// Another database of the server with a table of the same name, holding other rows.
const CRM_SQL = `
CREATE SCHEMA app;
CREATE TABLE app.orders (id int PRIMARY KEY, amount numeric);
INSERT INTO app.orders SELECT g, g * 1000 FROM generate_series(1, 7) g;
`;

const dbId = (db: string) => `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/servers/pgsrv/databases/${db}`;
const itemRequest = (file: string, rest: string, point = old.point, source = '--source-datastore VaultStore') =>
  sh(`dpvault backup-instance restore initialize-for-item-recovery ${FLEX} --restore-location westus ${source} --recovery-point-id ${point} --target-resource-id ${dbId('shop')} --secret-store-type AzureKeyVault --secret-store-uri https://kvsrv.vault.azure.net/secrets/admin ${rest} > ${file}`);
const rows = (db: string, table: string) => pgc.query(db, `SELECT * FROM ${table} ORDER BY id`);
const jobCount = async () => (await ok(`dpvault job list ${G}`)).length as number;
const steps = instanceSteps(session, () => instance);
const { trigger, restoreJob } = steps;

before(async () => {
  pgc = await startCluster();
  await pgc.createDatabase('shop', SHOP_SQL);
  await pgc.createDatabase('crm', CRM_SQL);
  svc = await startTestService({ clock });
  cwd = scratchDir('dpvault-server-items-');
  sub = await createFlexResources(ok, pgc, 'kvsrv');
  // The tables go into database 'shop' of the same cluster, registered as a PostgreSQL server.
  await ok(`dpvault postgres server create -g rg -n pgsrv --host 127.0.0.1 --port ${pgc.port}`);
  // The default policy with a Monthly rule: a week in the vault, then the archive.
  await ok(`dpvault backup-policy get-default-policy-template ${FLEX} > policy.json`);
  const policyId = await createMonthlyArchivePolicy(ok);
  instance = await protectFlexServer(ok, sub, policyId);

  old.orders = await rows('shop', 'app.orders');
  await steps.backUp();
  old.point = (await steps.points())[0]!;
  // Two weeks of changes, a Monthly backup, another week of changes: the restores are three weeks later.
  mid.point = await walkToArchivedMonthly({
    clock, steps, first: old.point, sweep: () => svc.retention.sweep(),
    change: async () => {
      await pgc.query('shop', 'DELETE FROM app.orders WHERE id > 250; UPDATE app.orders SET amount = amount * 2 WHERE id <= 100');
      mid.orders = await rows('shop', 'app.orders');
    },
    later: () => pgc.query('shop', 'INSERT INTO app.orders (customer_id, amount) VALUES (3, 1), (4, 2)').then(() => undefined),
  });
});

after(async () => {
  await svc?.close();
  await pgc?.stop();
});

describe('item-level restore out of a whole-server point', () => {
  it('needs --database, one of the point\'s, and tables of that database\'s dump; refused before any job', async () => {
    const count = await jobCount();
    assert.equal((await itemRequest('nodb.json', '--item-list app.orders --rename-to app.o2')).code, 0);
    const none = await trigger('nodb.json');
    assert.equal(none.code, 1);
    assert.match(none.stderr, /\(UserErrorInvalidRequestParameter\).*whole server: name the database the tables come from with --database.*It holds 'crm', 'postgres', 'shop'\./s);
    await itemRequest('unknowndb.json', '--item-list app.orders --rename-to app.o2 --database nope');
    const unknown = await trigger('unknowndb.json');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /holds no database 'nope' \(--database, sourceDatabaseName\)\. It holds 'crm', 'postgres', 'shop'\./);
    // crm's dump has app.orders but not app.customers: the tables are read from the named database's dump.
    await itemRequest('crmtables.json', '--item-list app.customers --rename-to app.c2 --database crm');
    const missing = await trigger('crmtables.json');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /\(UserErrorRestoreItemNotFound\).*of database 'crm' has no table app\.customers\. Its tables: app\.orders\./);
    assert.equal(await jobCount(), count);
  });

  it('restores a table of a point taken three weeks earlier beside the live one, the rest of the database untouched', async () => {
    const shown = (await ok(`dpvault recovery-point list --backup-instance-name ${instance} ${G}`)).find((p: { name: string }) => p.name === old.point);
    assert.equal(shown.properties.recoveryPointTime.slice(0, 10), '2026-03-02');
    assert.equal(clock.now().toISOString().slice(0, 10), '2026-03-23');
    const before = await describeDatabase(pgc, 'shop');
    const crmBefore = await describeDatabase(pgc, 'crm');
    const liveOrders = await rows('shop', 'app.orders');

    const req = await itemRequest('rename.json', '--item-list app.orders --rename-to app.orders_restored --database shop');
    assert.equal(req.code, 0, req.stderr);
    const job = await restoreJob('rename.json');
    assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
    const details = job.properties.extendedInfo.additionalDetails;
    assert.equal(details.RestoredItems, 'app.orders as app.orders_restored');
    assert.equal(details.SourceDatabase, 'shop');
    assert.ok(Number(job.properties.extendedInfo.dataTransferredInBytes) > 0);

    assert.deepEqual(await rows('shop', 'app.orders_restored'), old.orders);
    assert.notDeepEqual(liveOrders, old.orders);
    assert.deepEqual(await rows('shop', 'app.orders'), liveOrders);
    const after = await describeDatabase(pgc, 'shop');
    for (const [name, description] of before) assert.equal(after.get(name), description, name);
    assert.deepEqual([...after.keys()].filter((k) => !before.has(k)).sort(), [
      'constraint app.orders_restored orders_restored_amount_check', 'constraint app.orders_restored orders_restored_customer_id_fkey',
      'constraint app.orders_restored orders_restored_pkey',
      'index app.orders_restored_amount_idx', 'index app.orders_restored_pkey', 'sequence app.orders_restored_id_seq', 'table app.orders_restored',
    ]);
    assert.deepEqual(await describeDatabase(pgc, 'crm'), crmBefore);
    const staging = await pgc.query('postgres', "SELECT datname FROM pg_database WHERE datname LIKE '%dpvault%'");
    assert.deepEqual(staging, []);
  });

  it('restores a table of a whole-server point in the archive tier after rehydrating it, in the same job', async () => {
    const shown = await ok(`dpvault recovery-point show --backup-instance-name ${instance} ${G} --recovery-point-id ${mid.point}`);
    assert.deepEqual(shown.properties.recoveryPointDataStoresDetails.map((d: { type: string }) => d.type), ['ArchiveStore']);
    const archive = '--source-datastore ArchiveStore --rehydration-priority Standard --rehydration-duration 10';
    const req = await itemRequest('archived.json', '--item-list app.orders --rename-to app.orders_mid --database shop', mid.point, archive);
    assert.equal(req.code, 0, req.stderr);
    const job = await restoreJob('archived.json');
    assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
    assert.equal(job.properties.sourceDataStoreType, 'ArchiveStore');
    assert.deepEqual(await rows('shop', 'app.orders_mid'), mid.orders);
  });
});
