// Access policies: Azure's permission names, the add/replace/remove updates, and the `get` check.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AccessPolicy } from '../../src/domain/key-vault.ts';
import { grantsSecretPermission, readAccessPolicies, updateAccessPolicies } from '../../src/secrets/access-policies.ts';

const TENANT = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const policy = (objectId: string, secrets: string[], keys: string[] = []): AccessPolicy => ({
  tenantId: TENANT, objectId, applicationId: null, permissions: { keys, secrets, certificates: [], storage: [] },
});

describe('readAccessPolicies', () => {
  it('canonicalises permission names and fills the defaults', () => {
    const [p] = readAccessPolicies([{ objectId: A.toUpperCase(), permissions: { secrets: ['Get', 'LIST', 'get'], keys: ['wrapkey'] } }], TENANT);
    assert.deepEqual(p, policy(A, ['get', 'list'], ['wrapKey']));
  });

  it('names the invalid value and the allowed ones', () => {
    assert.throws(() => readAccessPolicies([{ objectId: A, permissions: { secrets: ['read'] } }], TENANT), /accessPolicies\[0\]\.permissions\.secrets\[0\]: read\. The secrets permissions are: get, list, set/);
    assert.throws(() => readAccessPolicies([{ objectId: A, permissions: { blobs: [] } }], TENANT), /permissions\.blobs/);
    assert.throws(() => readAccessPolicies([{ objectId: 'not-a-guid' }], TENANT), /accessPolicies\[0\]\.objectId/);
    assert.throws(() => readAccessPolicies({}, TENANT), /Expected a list/);
  });
});

describe('updateAccessPolicies', () => {
  const current = [policy(A, ['get'])];

  it('add merges into the principal\'s entry or appends one', () => {
    assert.deepEqual(updateAccessPolicies(current, 'add', [policy(A, ['list', 'get'])]), [policy(A, ['get', 'list'])]);
    assert.deepEqual(updateAccessPolicies(current, 'add', [policy(B, ['set'])]), [policy(A, ['get']), policy(B, ['set'])]);
  });

  it('replace sets exactly the given permissions', () => {
    assert.deepEqual(updateAccessPolicies(current, 'replace', [policy(A, ['list'], ['get'])]), [policy(A, ['list'], ['get'])]);
  });

  it('remove takes permissions away and drops an entry left empty, or named without permissions', () => {
    const two = [policy(A, ['get', 'list']), policy(B, ['set'])];
    assert.deepEqual(updateAccessPolicies(two, 'remove', [policy(A, ['list'])]), [policy(A, ['get']), policy(B, ['set'])]);
    assert.deepEqual(updateAccessPolicies(two, 'remove', [policy(B, ['set'])]), [policy(A, ['get', 'list'])]);
    assert.deepEqual(updateAccessPolicies(two, 'remove', [policy(A, [])]), [policy(B, ['set'])]);
    assert.deepEqual(two, [policy(A, ['get', 'list']), policy(B, ['set'])], 'the input is not changed');
  });
});

describe('grantsSecretPermission', () => {
  it('answers for the principal only, and `all` grants everything', () => {
    assert.equal(grantsSecretPermission([policy(A, ['list'])], A, 'get'), false);
    assert.equal(grantsSecretPermission([policy(A, ['get'])], A.toUpperCase(), 'get'), true);
    assert.equal(grantsSecretPermission([policy(A, ['get'])], B, 'get'), false);
    assert.equal(grantsSecretPermission([policy(B, ['all'])], B, 'get'), true);
  });
});
