// `restore initialize-for-item-recovery`'s builder: Azure's ItemLevelRestoreTargetInfo with one
// ItemPathBasedRestoreCriteria per table, in az's snake_case; refused for a datasource whose
// manifest does not allow item-level recovery, for bad names and for a --rename-to count that
// does not match.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireManifest } from '../../src/datasources/registry.ts';
import { initializeForItemRecovery } from '../../src/policy/item-recovery-request.ts';

const DB = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/servers/srv/databases/shop';
const base = { sourceDatastore: 'VaultStore', restoreLocation: 'westus', recoveryPointId: 'rp1', targetResourceId: DB, secretStoreType: 'AzureKeyVault', secretStoreUri: 'https://kv.vault.azure.net/secrets/pg' };
const pg = requireManifest('AzureDatabaseForPostgreSQL');

test('the request: ItemLevelRestoreTargetInfo, one criterion per item, renameTo in order, the database when given', () => {
  const r = initializeForItemRecovery({ ...base, itemList: ['app.orders', '"Sales Ops".Quota'], renameTo: ['app.orders_old', 'public.q'], database: 'shop' }, pg);
  assert.equal(r.object_type, 'AzureBackupRecoveryPointBasedRestoreRequest');
  const target = r.restore_target_info as Record<string, any>;
  assert.equal(target.object_type, 'ItemLevelRestoreTargetInfo');
  assert.equal(target.recovery_option, 'FailIfExists');
  assert.deepEqual(target.restore_criteria, [
    { object_type: 'ItemPathBasedRestoreCriteria', item_path: 'app.orders', is_path_relative_to_backup_item: true, rename_to: 'app.orders_old' },
    { object_type: 'ItemPathBasedRestoreCriteria', item_path: '"Sales Ops".quota', is_path_relative_to_backup_item: true, rename_to: 'public.q' },
  ]);
  assert.equal(target.datasource_info.resource_id, DB);
  assert.equal(target.datasource_set_info.resource_name, 'srv');
  assert.equal(target.datasource_auth_credentials.secret_store_resource.uri, base.secretStoreUri);
  assert.equal(target.source_database_name, 'shop');
  const plain = initializeForItemRecovery({ ...base, itemList: ['app.orders'] }, pg).restore_target_info as Record<string, any>;
  assert.equal('rename_to' in plain.restore_criteria[0], false);
  assert.equal('source_database_name' in plain, false);
});

test('a flexible server\'s request names the source database and carries the target database\'s secret', () => {
  const flex = requireManifest('AzureDatabaseForPostgreSQLFlexibleServer');
  const target = initializeForItemRecovery({ ...base, itemList: ['app.orders'], database: 'shop' }, flex).restore_target_info as Record<string, any>;
  assert.equal(target.source_database_name, 'shop');
  assert.equal(target.datasource_info.resource_id, DB);
  assert.equal(target.datasource_auth_credentials.secret_store_resource.uri, base.secretStoreUri);
});

test('a datasource whose manifest says no item-level recovery is refused with az\'s message', () => {
  assert.throws(
    () => initializeForItemRecovery({ ...base, itemList: ['app.orders'] }, { ...pg, name: 'NoItems', itemLevelRecoveryEnabled: false }),
    /Specified DatasourceType NoItems doesn't support Item Level Recovery/,
  );
});

test('bad names and a --rename-to count that does not match are refused, naming them', () => {
  assert.throws(() => initializeForItemRecovery({ ...base, itemList: ['app.a', 'app.b'], renameTo: ['app.c'] }, pg), /--rename-to gives 1 name\(s\) for 2 item\(s\)/);
  assert.throws(() => initializeForItemRecovery({ ...base, itemList: ['orders', 'app.ok'], renameTo: ['x.y', 'a b'] }, pg), (e: Error) => {
    assert.match(e.message, /--item-list: 'orders' is not SCHEMA\.TABLE/);
    assert.match(e.message, /--rename-to: 'a b' is not SCHEMA\.TABLE/);
    return true;
  });
  assert.throws(() => initializeForItemRecovery({ ...base, sourceDatastore: 'OperationalStore', itemList: ['app.a'] }, pg), /OperationalStore datastore type is not supported/);
});
