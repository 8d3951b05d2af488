// The dpvault-only noOwner property of a restore request: absent is false, a boolean (or its
// string) is read in any key casing, anything else is refused with a clear, Azure-style error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readRestoreRequest } from '../../src/domain/restore-request.ts';

const request = (extra: Record<string, unknown>) => ({
  objectType: 'AzureBackupRecoveryPointBasedRestoreRequest',
  recoveryPointId: 'rp1',
  sourceDataStoreType: 'VaultStore',
  restoreTargetInfo: {
    objectType: 'RestoreTargetInfo',
    recoveryOption: 'FailIfExists',
    restoreLocation: 'westus',
    datasourceInfo: {
      objectType: 'Datasource', datasourceType: 'Microsoft.DBforPostgreSQL/servers/databases', resourceID: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/servers/srv/databases/db',
      resourceName: 'db', resourceType: 'Microsoft.DBforPostgreSQL/servers/databases', resourceLocation: 'westus', resourceUri: '',
    },
    ...extra,
  },
});
const noOwnerOf = (extra: Record<string, unknown>): boolean => {
  const r = readRestoreRequest(request(extra));
  assert.equal(r.target.kind, 'database');
  return r.target.kind === 'database' && r.target.noOwner;
};

test('noOwner: absent is false; true, "true" and no_owner are read', () => {
  assert.equal(noOwnerOf({}), false);
  assert.equal(noOwnerOf({ noOwner: true }), true);
  assert.equal(noOwnerOf({ no_owner: 'true' }), true);
  assert.equal(noOwnerOf({ NoOwner: false }), false);
});

test('noOwner: anything but a boolean is refused, naming the property', () => {
  assert.throws(() => readRestoreRequest(request({ noOwner: 'yes' })), (e: { code?: string; message?: string; target?: string }) => {
    assert.equal(e.code, 'UserErrorInvalidRequestParameter');
    assert.equal(e.target, 'restoreTargetInfo.noOwner');
    assert.match(e.message!, /true or false/);
    return true;
  });
});

// A RestoreTargetInfo naming a flexible server is a restore as a server, with its optional prefix.
const serverRequest = (extra: Record<string, unknown>) => {
  const r = request(extra);
  r.restoreTargetInfo.datasourceInfo = {
    ...r.restoreTargetInfo.datasourceInfo, datasourceType: 'Microsoft.DBforPostgreSQL/flexibleServers', resourceType: 'Microsoft.DBforPostgreSQL/flexibleServers',
    resourceID: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/target', resourceName: 'target',
  };
  return r;
};

test('a RestoreTargetInfo naming a flexible server is a server target; database_name_prefix is read in any casing', () => {
  const plain = readRestoreRequest(serverRequest({})).target;
  assert.equal(plain.kind, 'server');
  assert.equal(plain.kind === 'server' && plain.databaseNamePrefix, '');
  const prefixed = readRestoreRequest(serverRequest({ database_name_prefix: 'r2_' })).target;
  assert.equal(prefixed.kind === 'server' && prefixed.databaseNamePrefix, 'r2_');
  assert.equal(readRestoreRequest(request({})).target.kind, 'database');
});

test('databaseNamePrefix: anything but a plain identifier start is refused, naming the property', () => {
  for (const bad of ['a b', '1x', 'x;drop', 'x'.repeat(41), 7, 'x"y']) {
    assert.throws(() => readRestoreRequest(serverRequest({ databaseNamePrefix: bad })), (e: { code?: string; target?: string }) => {
      assert.equal(e.code, 'UserErrorInvalidRequestParameter');
      assert.equal(e.target, 'restoreTargetInfo.databaseNamePrefix');
      return true;
    });
  }
});
