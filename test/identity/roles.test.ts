// The role table and its matching rules: Azure's wildcards, case-insensitive, notActions subtract;
// scopes cover themselves and what lies under them by whole segments.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUILT_IN_ROLE_IDS } from '../../src/domain/role-assignment.ts';
import { actionMatches, BUILT_IN_ROLES, findRole, roleAllows } from '../../src/identity/roles.ts';
import { scopeCovers } from '../../src/identity/scopes.ts';

const role = (name: string) => findRole(name)!;

test('the table holds each built-in role once, with Azure\'s id', () => {
  assert.deepEqual(BUILT_IN_ROLES.map((r) => [r.name, r.id]), Object.entries(BUILT_IN_ROLE_IDS));
  assert.equal(findRole('backup reader')?.name, 'Backup Reader');
  assert.equal(findRole(`/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLE_IDS.Owner}`)?.name, 'Owner');
  assert.equal(findRole('Backup Admin'), undefined);
});

test('wildcards match as Azure\'s do, case-insensitively', () => {
  assert.ok(actionMatches('*', 'Microsoft.KeyVault/vaults/write'));
  assert.ok(actionMatches('*/read', 'Microsoft.DataProtection/backupVaults/backupInstances/read'));
  assert.ok(!actionMatches('*/read', 'Microsoft.DataProtection/backupVaults/write'));
  assert.ok(actionMatches('Microsoft.DataProtection/backupVaults/*', 'microsoft.dataprotection/BACKUPVAULTS/backupInstances/restore/action'));
  assert.ok(!actionMatches('Microsoft.DataProtection/backupVaults/*', 'Microsoft.DataProtection/backupVaultsX'));
  assert.ok(!actionMatches('Microsoft.Data.Protection/*', 'MicrosoftXData/Protection/read'), 'a dot is a dot');
});

test('notActions subtract: Contributor may do everything but grant access', () => {
  assert.ok(roleAllows(role('Contributor'), 'Microsoft.DataProtection/backupVaults/delete'));
  assert.ok(!roleAllows(role('Contributor'), 'Microsoft.Authorization/roleAssignments/write'));
  assert.ok(roleAllows(role('Contributor'), 'Microsoft.Authorization/roleAssignments/read'));
  assert.ok(roleAllows(role('User Access Administrator'), 'Microsoft.Authorization/roleAssignments/write'));
  assert.ok(!roleAllows(role('User Access Administrator'), 'Microsoft.DataProtection/backupVaults/write'));
});

test('the backup roles nest: Reader reads, Operator backs up and restores, Contributor manages policies; none deletes a vault', () => {
  const restore = 'Microsoft.DataProtection/backupVaults/backupInstances/restore/action';
  const policyWrite = 'Microsoft.DataProtection/backupVaults/backupPolicies/write';
  const read = 'Microsoft.DataProtection/backupVaults/backupInstances/read';
  assert.deepEqual(['Backup Reader', 'Backup Operator', 'Backup Contributor'].map((n) => [roleAllows(role(n), read), roleAllows(role(n), restore), roleAllows(role(n), policyWrite)]), [
    [true, false, false], [true, true, false], [true, true, true],
  ]);
  for (const n of ['Backup Reader', 'Backup Operator', 'Backup Contributor']) assert.ok(!roleAllows(role(n), 'Microsoft.DataProtection/backupVaults/delete'), n);
});

test('a scope covers itself and what lies under it, by whole segments and in any case', () => {
  assert.ok(scopeCovers('/', '/subscriptions/s'));
  assert.ok(scopeCovers('/subscriptions/S/resourceGroups/G', '/subscriptions/s/resourcegroups/g/providers/x/y/z'));
  assert.ok(!scopeCovers('/subscriptions/s/resourceGroups/g', '/subscriptions/s/resourceGroups/g2'));
  assert.ok(!scopeCovers('/subscriptions/s/resourceGroups/g', '/subscriptions/s'));
});
