// Role assignments and definitions over the API: who may write them, what a bad request gets (and
// that it changes nothing), inheritance down the scopes, the filters az sends, and the last Owner
// at `/` that cannot be deleted. In-process, with principals taken from a test header
// (authentication is the token service's, tested over HTTP there).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { App } from '../../src/api/app.ts';
import { BUILT_IN_ROLE_IDS } from '../../src/domain/role-assignment.ts';
import { allAssignments, assignRole } from '../../src/identity/role-assignments.ts';
import type { PrincipalCaller } from '../../src/services/caller.ts';
import { API } from '../support/api-resources.ts';
import { addPrincipal, appWithPrincipals, as } from '../support/principals.ts';
import { startTestService, type TestService } from '../support/service.ts';

let svc: TestService;
let app: App;
let owner: PrincipalCaller;
let contributor: PrincipalCaller;
let user: PrincipalCaller;
const principals: PrincipalCaller[] = [];
let ownerAssignment: string;

const v = `?api-version=${API.authorization}`;
const AUTHZ = '/providers/Microsoft.Authorization';
const sub = () => `/subscriptions/${svc.ctx.subscriptionId}`;
const rg = (name: string) => `${sub()}/resourceGroups/${name}`;
const vault = (group: string) => `${rg(group)}/providers/Microsoft.DataProtection/backupVaults/v1`;
const roleId = (name: keyof typeof BUILT_IN_ROLE_IDS) => `${sub()}${AUTHZ}/roleDefinitions/${BUILT_IN_ROLE_IDS[name]}`;
const assign = (caller: PrincipalCaller, scope: string, body: unknown, name: string = randomUUID()) =>
  app.request('PUT', `${scope === '/' ? '' : scope}${AUTHZ}/roleAssignments/${name}${v}`, { ...as(caller), body });

describe('role assignments and definitions', () => {
  before(async () => {
    svc = await startTestService();
    app = appWithPrincipals(svc.ctx, () => principals);
    owner = await addPrincipal(svc.ctx, 'owner');
    contributor = await addPrincipal(svc.ctx, 'contributor');
    user = await addPrincipal(svc.ctx, 'user');
    principals.push(owner, contributor, user);
    ownerAssignment = randomUUID();
    await assignRole(svc.ctx, { scope: '/', principalId: owner.objectId, role: 'Owner', name: ownerAssignment });
    // This test's `owner` is the installation's only Owner at `/`: the one made at first start goes.
    for (const a of await allAssignments(svc.ctx)) if (a.properties.principalId !== owner.objectId && a.properties.scope === '/') await svc.ctx.catalog.deleteResource(a.id);
    await assignRole(svc.ctx, { scope: sub(), principalId: contributor.objectId, role: 'Contributor', name: randomUUID() });
    for (const g of ['team-a', 'team-b']) {
      assert.equal((await app.request('PUT', `${rg(g)}?api-version=${API.resources}`, { body: { location: 'westus' } })).status, 201);
      const made = await app.request('PUT', `${vault(g)}?api-version=${API.dataprotection}`, {
        body: { location: 'westus', identity: { type: 'SystemAssigned' }, properties: { storageSettings: [{ datastoreType: 'VaultStore', type: 'LocallyRedundant' }] } },
      });
      assert.ok(made.status < 300, JSON.stringify(made.body));
    }
    await svc.ctx.background.idle();
  });
  after(async () => {
    await svc?.ctx.background.idle();
    await svc?.close();
  });

  it('lets a Contributor do everything but assign roles', async () => {
    const res = await assign(contributor, rg('team-a'), { properties: { roleDefinitionId: roleId('Reader'), principalId: user.objectId } });
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, 'AuthorizationFailed');
    assert.match(res.body.error.message, /perform action 'Microsoft.Authorization\/roleAssignments\/write' over scope '.*\/resourceGroups\/team-a\/providers\/Microsoft.Authorization\/roleAssignments\//);
  });

  it('refuses bad assignments with Azure-style errors and stores none of them', async () => {
    const before = (await allAssignments(svc.ctx)).length;
    const body = (role: string, principalId: string) => ({ properties: { roleDefinitionId: role, principalId } });
    const cases: [string, unknown, number, string, string?][] = [
      [rg('team-a'), body(roleId('Reader'), randomUUID()), 400, 'PrincipalNotFound'],
      [rg('team-a'), body(`${sub()}${AUTHZ}/roleDefinitions/${randomUUID()}`, user.objectId), 404, 'RoleDefinitionDoesNotExist'],
      [rg('team-a'), body(roleId('Reader'), user.objectId), 400, 'InvalidRoleAssignmentId', 'not-a-guid'],
      [rg('team-a'), { properties: {} }, 400, 'InvalidRoleAssignmentRequest'],
      [`/subscriptions/${randomUUID()}`, body(roleId('Reader'), user.objectId), 400, 'InvalidScope'],
    ];
    for (const [scope, b, status, code, name] of cases) {
      const res = await assign(owner, scope, b, name);
      assert.equal(res.status, status, `${code}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, code);
    }
    assert.equal((await allAssignments(svc.ctx)).length, before);
  });

  it('lets an assignment over a resource group reach the vaults in it, and no others, until it is deleted', async () => {
    const read = (g: string) => app.request('GET', `${vault(g)}?api-version=${API.dataprotection}`, as(user));
    assert.equal((await read('team-a')).status, 403);
    const name = randomUUID();
    const made = await assign(owner, rg('TEAM-A'), { properties: { roleDefinitionId: roleId('Backup Reader'), principalId: user.appId } }, name);
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.equal(made.body.properties.principalId, user.objectId, 'an application id names its principal');
    assert.equal(made.body.properties.roleDefinitionId, roleId('Backup Reader'));
    assert.equal((await read('team-a')).status, 200);
    assert.equal((await read('team-b')).status, 403, 'a sibling group is not under the scope');
    const again = await assign(owner, rg('team-a'), { properties: { roleDefinitionId: roleId('Backup Reader'), principalId: user.objectId } });
    assert.equal(again.status, 409, 'the same role for the same principal over the same scope');
    assert.equal(again.body.error.code, 'RoleAssignmentExists');
    const deleted = await app.request('DELETE', `${rg('team-a')}${AUTHZ}/roleAssignments/${name}${v}`, as(owner));
    assert.equal(deleted.status, 200);
    assert.equal((await read('team-a')).status, 403);
  });

  it('lists what az asks for: atScope() and principalId filters, role definitions by name', async () => {
    await assign(owner, vault('team-b'), { properties: { roleDefinitionId: roleId('Backup Operator'), principalId: user.objectId } });
    const list = async (scope: string, filter?: string) =>
      (await app.request('GET', `${scope}${AUTHZ}/roleAssignments${v}${filter ? `&$filter=${encodeURIComponent(filter)}` : ''}`, as(owner))).body.value.map(
        (a: { properties: { principalId: string; scope: string } }) => `${a.properties.principalId === user.objectId ? 'user' : 'other'} ${a.properties.scope}`,
      );
    assert.ok((await list(rg('team-b'))).includes(`user ${vault('team-b')}`), 'a list over a group shows the assignments below it');
    assert.ok(!(await list(rg('team-b'), 'atScope()')).includes(`user ${vault('team-b')}`), 'atScope() shows only those at or above');
    assert.ok((await list(rg('team-b'), 'atScope()')).includes('other /'), 'the Owner at / is above every scope');
    assert.deepEqual(await list(sub(), `principalId eq '${user.objectId}'`), [`user ${vault('team-b')}`]);
    const bad = await app.request('GET', `${sub()}${AUTHZ}/roleAssignments${v}&$filter=${encodeURIComponent('roleName eq 1')}`, as(owner));
    assert.equal(bad.status, 400);
    const defs = await app.request('GET', `${sub()}${AUTHZ}/roleDefinitions${v}&$filter=${encodeURIComponent("roleName eq 'Backup Operator'")}`, as(owner));
    assert.deepEqual(defs.body.value.map((d: { id: string }) => d.id), [roleId('Backup Operator')]);
    assert.equal((await app.request('GET', `${sub()}${AUTHZ}/roleDefinitions/${randomUUID()}${v}`, as(owner))).status, 404);
  });

  it('cuts a subscription\'s list down to what a principal with a role over part of it may read, as Azure filters lists', async () => {
    const reader = await addPrincipal(svc.ctx, 'reader of team-a');
    principals.push(reader);
    const list = async () => app.request('GET', `${sub()}/providers/Microsoft.DataProtection/backupVaults?api-version=${API.dataprotection}`, as(reader));
    assert.equal((await list()).status, 403, 'no role anywhere under it');
    await assignRole(svc.ctx, { scope: vault('team-a'), principalId: reader.objectId, role: 'Backup Reader', name: randomUUID() });
    const seen = await list();
    assert.equal(seen.status, 200);
    assert.deepEqual(seen.body.value.map((v: { id: string }) => v.id.toLowerCase()), [vault('team-a').toLowerCase()]);
    assert.equal((await app.request('GET', `${sub()}/providers/Microsoft.DataProtection/backupVaults?api-version=${API.dataprotection}`, as(owner))).body.value.length, 2);
  });

  it('lets whoever may act on a vault follow the operations it starts there, at the location and resource group scopes, and no one else', async () => {
    const [a, b] = [await addPrincipal(svc.ctx, 'operator of team-a'), await addPrincipal(svc.ctx, 'contributor of team-b')];
    principals.push(a, b);
    await assignRole(svc.ctx, { scope: vault('team-a'), principalId: a.objectId, role: 'Backup Contributor', name: randomUUID() });
    // Over the group: an assignment over the vault itself goes with the vault when it is deleted.
    await assignRole(svc.ctx, { scope: rg('team-b'), principalId: b.objectId, role: 'Contributor', name: randomUUID() });
    const local = (url: string | null) => new URL(url!).pathname + new URL(url!).search;
    const started = await app.request('POST', `${vault('team-a')}/verify?api-version=${API.dataprotection}`, { ...as(a), body: { samplePercent: 100 } });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const status = local(started.headers.get('azure-asyncoperation'));
    assert.match(status, /\/locations\/westus\/operationStatus\//);
    await svc.ctx.background.idle();
    assert.equal((await app.request('GET', status, as(a))).status, 200);
    const other = await app.request('GET', status, as(b));
    assert.equal(other.status, 403);
    assert.match(other.body.error.message, new RegExp(`over scope '${vault('team-a')}'`), 'the scope is the vault the operation is about');
    const deleting = await app.request('DELETE', `${vault('team-b')}?api-version=${API.dataprotection}`, as(b));
    assert.equal(deleting.status, 202, JSON.stringify(deleting.body));
    await svc.ctx.background.idle();
    const rgStatus = local(deleting.headers.get('azure-asyncoperation'));
    assert.match(rgStatus, /\/resourceGroups\/team-b\/providers\/Microsoft.DataProtection\/operationStatus\//);
    const followed = await app.request('GET', rgStatus, as(b));
    assert.equal(followed.body.status, 'Succeeded', JSON.stringify(followed.body));
    assert.equal((await app.request('GET', rgStatus, as(a))).status, 403);
    // The emptied group can go, and the assignments over it go with it.
    const gone = await app.request('DELETE', `${rg('team-b')}?api-version=${API.resources}`, as(owner));
    assert.equal(gone.status, 200, JSON.stringify(gone.body));
    assert.deepEqual((await allAssignments(svc.ctx)).filter((x) => x.properties.scope.toLowerCase().startsWith(rg('team-b').toLowerCase())), []);
  });

  it('never deletes the last Owner at /, so the installation cannot lock itself out', async () => {
    const path = `${AUTHZ}/roleAssignments/${ownerAssignment}${v}`;
    const refused = await app.request('DELETE', path, as(owner));
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, 'LastOwnerAssignmentCannotBeDeleted');
    assert.equal((await app.request('GET', path, as(owner))).status, 200, 'still there');
    assert.equal((await assign(owner, '/', { properties: { roleDefinitionId: roleId('Owner'), principalId: user.objectId } })).status, 201);
    assert.equal((await app.request('DELETE', path, as(owner))).status, 200, 'with a second Owner at / the first may go');
  });
});
