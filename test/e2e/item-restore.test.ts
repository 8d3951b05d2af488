// Item-level restore through the real CLI against a real cluster: one table of a recovery point
// taken three weeks earlier (the service's clock is injected and walked) restored beside the live
// table under a new name, with its rows as they were at the backup, its index, check and foreign
// key constraints, identity sequence (at its value) and grants, renamed so nothing collides;
// the live table and every other table untouched. A table whose name is taken is refused and
// nothing changes; unknown tables, bad names and a --rename-to count that does not match are
// refused before any job; a foreign key to a table the target lacks is skipped and said so.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestService, type TestService } from '../support/service.ts';
import { startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { describeDatabase } from '../support/pg-compare.ts';
import { shellSession } from '../support/shell.ts';
import { scratchDir } from '../support/scratch.ts';
import { createProtectionResources, protectAndBackUp } from '../support/protection-resources.ts';
import { createMonthlyArchivePolicy, instanceSteps, walkToArchivedMonthly } from '../support/item-restore-steps.ts';
import { ManualClock } from '../../src/util/clock.ts';

const clock = new ManualClock('2026-03-02T08:00:00.000Z');
let svc: TestService;
let pgc: PgCluster;
let cwd: string;
let sub: string;
/** The recovery point taken three weeks before the restore, and a later one. */
let oldPoint: string;
/** app.orders as it was at the old backup, sorted by id. */
let ordersAtBackup: unknown[];
/** The Monthly point taken two weeks after the old one, in ArchiveStore at the restore, and app.orders then. */
let midPoint: string;
let ordersAtMid: unknown[];
const session = shellSession(() => ({ cwd, endpoint: svc.url }));
const { sh, ok } = session;

const SHOP_SQL = `
CREATE ROLE reader NOLOGIN;
CREATE SCHEMA app;
CREATE TABLE app.customers (id serial PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE app.orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id int NOT NULL REFERENCES app.customers(id),
  amount numeric NOT NULL CHECK (amount > 0),
  note text DEFAULT 'none'
);
CREATE INDEX orders_amount_idx ON app.orders (amount);
CREATE TABLE app.lines (id serial PRIMARY KEY, order_id bigint REFERENCES app.orders(id), qty int);
CREATE TABLE public.audit (at timestamptz DEFAULT now(), what text);
GRANT USAGE ON SCHEMA app TO reader;
GRANT SELECT ON app.orders TO reader;
COMMENT ON TABLE app.orders IS 'what customers ordered';
INSERT INTO app.customers (name) SELECT 'customer ' || g FROM generate_series(1, 20) g;
INSERT INTO app.orders (customer_id, amount) SELECT 1 + g % 20, g FROM generate_series(1, 300) g;
INSERT INTO app.lines (order_id, qty) SELECT 1 + g % 300, g FROM generate_series(1, 500) g;
INSERT INTO public.audit (what) VALUES ('created');
`;

const dbId = (db: string) => `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/servers/pgsrv/databases/${db}`;
const itemRequest = (file: string, db: string, rest: string, point = oldPoint, source = '--source-datastore VaultStore') =>
  sh(`dpvault backup-instance restore initialize-for-item-recovery --datasource-type AzureDatabaseForPostgreSQL --restore-location westus ${source} --recovery-point-id ${point} --target-resource-id ${dbId(db)} --secret-store-type AzureKeyVault --secret-store-uri https://kvitems.vault.azure.net/secrets/pg ${rest} > ${file}`);
const rows = (db: string, table: string) => pgc.query(db, `SELECT * FROM ${table} ORDER BY id`);
const { trigger, restoreJob } = instanceSteps(session, () => 'shop');

before(async () => {
  pgc = await startCluster();
  await pgc.createDatabase('shop', SHOP_SQL);
  await pgc.createDatabase('other', 'CREATE SCHEMA app;');
  await pgc.createRole('backupadmin', 'b4ckup-pw', { superuser: true });
  svc = await startTestService({ clock });
  cwd = scratchDir('dpvault-item-restore-');
  ({ sub } = await createProtectionResources(ok, pgc.port, 'kvitems'));
  // A policy with a Monthly rule: a week in the vault, then the archive.
  const policyId = await createMonthlyArchivePolicy(ok);
  await ok(`dpvault keyvault secret set --vault-name kvitems -n pg --value "postgres://backupadmin:b4ckup-pw@127.0.0.1:${pgc.port}/postgres?sslmode=disable" -o none`);
  const principal = (await sh('dpvault backup-vault show -g rg -v vault --query identity.principalId -o tsv')).stdout.trim();
  await ok(`dpvault keyvault set-policy -n kvitems --object-id ${principal} --secret-permissions get list -o none`);

  ordersAtBackup = await rows('shop', 'app.orders');
  oldPoint = await protectAndBackUp(session, cwd, { sub, policyId, keyVault: 'kvitems', name: 'shop' });
  // Two weeks of changes, a backup, another week of changes: the restore is three weeks later.
  midPoint = await walkToArchivedMonthly({
    clock, steps: instanceSteps(session, () => 'shop'), first: oldPoint, sweep: () => svc.retention.sweep(),
    change: async () => {
      await pgc.query('shop', 'DELETE FROM app.lines WHERE order_id > 250; DELETE FROM app.orders WHERE id > 250; UPDATE app.orders SET amount = amount * 2, note = $$changed$$ WHERE id <= 100');
      ordersAtMid = await rows('shop', 'app.orders');
    },
    later: () => pgc.query('shop', `INSERT INTO app.orders (customer_id, amount) VALUES (3, 1), (4, 2); INSERT INTO public.audit (what) VALUES ('changed')`).then(() => undefined),
  });
});

after(async () => {
  await svc?.close();
  await pgc?.stop();
});

describe('item-level restore', () => {
  it('refuses a table whose name is taken in the target, and changes nothing', async () => {
    const before = await describeDatabase(pgc, 'shop');
    assert.equal((await itemRequest('taken.json', 'shop', '--item-list app.orders')).code, 0);
    const r = await trigger('taken.json');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /UserErrorRestoreItemAlreadyExists/);
    assert.match(r.stderr, /app\.orders/);
    assert.match(r.stderr, /--rename-to/);
    assert.deepEqual(await describeDatabase(pgc, 'shop'), before);
  });

  it('restores a table of a point taken three weeks earlier beside the live one, under a new name', async () => {
    const points = await ok('dpvault recovery-point list --backup-instance-name shop -g rg -v vault');
    const old = points.find((p: { name: string }) => p.name === oldPoint);
    assert.equal(old.properties.recoveryPointTime.slice(0, 10), '2026-03-02');
    assert.equal(clock.now().toISOString().slice(0, 10), '2026-03-23');
    const before = await describeDatabase(pgc, 'shop');
    const liveOrders = await rows('shop', 'app.orders');

    const req = await itemRequest('rename.json', 'shop', '--item-list app.orders --rename-to app.orders_restored');
    assert.equal(req.code, 0, req.stderr);
    const job = await restoreJob('rename.json');
    assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
    const details = job.properties.extendedInfo.additionalDetails;
    assert.equal(details.RestoredItems, 'app.orders as app.orders_restored');
    assert.match(details.ForeignKeysRestored, /orders_restored_customer_id_fkey/);

    // The rows as they were at the backup; the live table and everything else as they were.
    assert.deepEqual(await rows('shop', 'app.orders_restored'), ordersAtBackup);
    assert.deepEqual(await rows('shop', 'app.orders'), liveOrders);
    const after = await describeDatabase(pgc, 'shop');
    for (const [name, description] of before) assert.equal(after.get(name), description, name);
    const added = [...after.keys()].filter((k) => !before.has(k)).sort();
    assert.deepEqual(added, [
      'constraint app.orders_restored orders_restored_amount_check', 'constraint app.orders_restored orders_restored_customer_id_fkey',
      'constraint app.orders_restored orders_restored_pkey',
      'index app.orders_restored_amount_idx', 'index app.orders_restored_pkey', 'sequence app.orders_restored_id_seq', 'table app.orders_restored',
    ]);

    // Its constraints, identity (at its value at the backup), default, grant and comment.
    const constraints = await pgc.query<{ conname: string; def: string }>(
      'shop', "SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'app.orders_restored'::regclass AND contype <> 'n' ORDER BY conname",
    );
    assert.deepEqual(constraints.map((c) => c.conname), ['orders_restored_amount_check', 'orders_restored_customer_id_fkey', 'orders_restored_pkey']);
    assert.match(constraints[1]!.def, /REFERENCES app\.customers\(id\)/);
    assert.doesNotMatch(constraints[1]!.def, /NOT VALID/);
    const [seq] = await pgc.query<{ last_value: string }>('shop', 'SELECT last_value FROM app.orders_restored_id_seq');
    assert.equal(seq!.last_value, '300');
    const [inserted] = await pgc.query<{ id: string; note: string }>('shop', 'INSERT INTO app.orders_restored (customer_id, amount) VALUES (1, 5) RETURNING id, note');
    assert.deepEqual(inserted, { id: '301', note: 'none' });
    await assert.rejects(pgc.query('shop', 'INSERT INTO app.orders_restored (customer_id, amount) VALUES (1, -5)'), /orders_restored_amount_check/);
    await assert.rejects(pgc.query('shop', 'INSERT INTO app.orders_restored (customer_id, amount) VALUES (999, 5)'), /orders_restored_customer_id_fkey/);
    const [facts] = await pgc.query<{ seq: string; reader: boolean; comment: string }>(
      'shop',
      `SELECT pg_get_serial_sequence('app.orders_restored', 'id') AS seq, has_table_privilege('reader', 'app.orders_restored', 'SELECT') AS reader,
              obj_description('app.orders_restored'::regclass, 'pg_class') AS comment`,
    );
    assert.deepEqual(facts, { seq: 'app.orders_restored_id_seq', reader: true, comment: 'what customers ordered' });
  });

  it('skips a foreign key to a table the target does not have, and says so', async () => {
    const req = await itemRequest('other.json', 'other', '--item-list app.lines');
    assert.equal(req.code, 0, req.stderr);
    const job = await restoreJob('other.json');
    assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
    assert.match(job.properties.extendedInfo.additionalDetails.ForeignKeysSkipped, /lines_order_id_fkey of app\.lines \(to app\.orders\): app\.orders does not exist/);
    const [n] = await pgc.query<{ n: string }>('other', 'SELECT count(*) AS n FROM app.lines');
    assert.equal(n!.n, '500');
    const tables = await pgc.query<{ t: string }>('other', "SELECT relname AS t FROM pg_class WHERE relkind = 'r' AND relnamespace = 'app'::regnamespace");
    assert.deepEqual(tables.map((t) => t.t), ['lines']);
  });

  it('restores all of the tables or none: a failure midway leaves the target as it was, and no staging database', async () => {
    // Database 'other' has a table named like customers' unique index: the load fails after
    // customers itself (and lines) were created in its transaction.
    await pgc.query('other', 'CREATE TABLE app.customers_name_key (x int)');
    const before = await describeDatabase(pgc, 'other');
    await itemRequest('clash.json', 'other', '--item-list app.customers app.orders --rename-to app.customers app.orders_2');
    const job = await restoreJob('clash.json');
    assert.equal(job.properties.status, 'Failed');
    assert.match(job.properties.errorDetails[0].message, /customers_name_key/);
    assert.match(job.properties.errorDetails[0].message, /Nothing was changed in database 'other'/);
    assert.deepEqual(await describeDatabase(pgc, 'other'), before);
    const staging = await pgc.query('postgres', "SELECT datname FROM pg_database WHERE datname LIKE '%dpvault%'");
    assert.deepEqual(staging, []);
  });

  it('restores a table of an archived point after rehydrating it, in the same job', async () => {
    const shown = await ok(`dpvault recovery-point show --backup-instance-name shop -g rg -v vault --recovery-point-id ${midPoint}`);
    assert.deepEqual(shown.properties.recoveryPointDataStoresDetails.map((d: { type: string }) => d.type), ['ArchiveStore']);
    const archive = '--source-datastore ArchiveStore --rehydration-priority Standard --rehydration-duration 10';
    const req = await itemRequest('archived.json', 'shop', '--item-list app.orders --rename-to app.orders_mid', midPoint, archive);
    assert.equal(req.code, 0, req.stderr);
    const job = await restoreJob('archived.json');
    assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
    assert.equal(job.properties.sourceDataStoreType, 'ArchiveStore');
    assert.deepEqual(await rows('shop', 'app.orders_mid'), ordersAtMid);
    // Its rehydrated copy is readable now, so a table it lacks is refused before any job.
    await itemRequest('archived-missing.json', 'shop', '--item-list app.nope', midPoint, archive);
    const missing = await trigger('archived-missing.json');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /\(UserErrorRestoreItemNotFound\).*app\.nope/);
  });

  it('refuses unknown tables, bad names and a --rename-to count that does not match, before any job', async () => {
    // Restore jobs only: the instance's scheduled backups may start one meanwhile.
    const jobs = async () => ((await ok('dpvault job list -g rg -v vault')) as { properties: { operationCategory: string } }[])
      .filter((j) => j.properties.operationCategory === 'Restore').length;
    const count = await jobs();
    await itemRequest('unknown.json', 'shop', '--item-list app.orders app.nope public.gone --rename-to app.o2 app.n2 public.g2');
    const r = await trigger('unknown.json');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /UserErrorRestoreItemNotFound/);
    assert.match(r.stderr, /app\.nope, public\.gone/);
    assert.match(r.stderr, /Its tables: app\.customers, app\.lines, app\.orders, public\.audit/);

    const bad = await itemRequest('bad.json', 'shop', '--item-list orders "app.x y"');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /'orders' is not SCHEMA\.TABLE: the schema is missing/);
    const mismatch = await itemRequest('mismatch.json', 'shop', '--item-list app.orders app.lines --rename-to app.o2');
    assert.notEqual(mismatch.code, 0);
    assert.match(mismatch.stderr, /--rename-to gives 1 name\(s\) for 2 item\(s\)/);
    const wrongDb = await itemRequest('db.json', 'shop', '--item-list app.orders --rename-to app.o3 --database elsewhere');
    assert.equal(wrongDb.code, 0);
    const w = await trigger('db.json');
    assert.match(w.stderr, /holds database 'shop' only/);
    assert.equal(await jobs(), count);
  });
});
