// The key vault's secrets answer to its access policies, by the caller's object id, as Azure's
// access-policy vaults do: a role (even Owner) grants no secret, the creator of a vault gets every
// secret permission, and a refused request changes nothing. In-process, with principals taken
// from a test header (authentication is the token service's, tested over HTTP there).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { App } from '../../src/api/app.ts';
import { assignRole } from '../../src/identity/role-assignments.ts';
import type { PrincipalCaller } from '../../src/services/caller.ts';
import { API } from '../support/api-resources.ts';
import { addPrincipal, appWithPrincipals, as } from '../support/principals.ts';
import { startTestService, type TestService } from '../support/service.ts';

let svc: TestService;
let app: App;
let creator: PrincipalCaller;
let owner: PrincipalCaller;
const principals: PrincipalCaller[] = [];

const kv = () => `/subscriptions/${svc.ctx.subscriptionId}/resourceGroups/kvaccess/providers/Microsoft.KeyVault/vaults/kvaccess1`;
const v = `?api-version=${API.keyvault}`;

describe('key vault secrets and access policies', () => {
  before(async () => {
    svc = await startTestService();
    app = appWithPrincipals(svc.ctx, () => principals);
    creator = await addPrincipal(svc.ctx, 'kv creator');
    owner = await addPrincipal(svc.ctx, 'owner without a policy');
    principals.push(creator, owner);
    const rg = `/subscriptions/${svc.ctx.subscriptionId}/resourceGroups/kvaccess`;
    await assignRole(svc.ctx, { scope: rg, principalId: creator.objectId, role: 'Contributor', name: randomUUID() });
    await assignRole(svc.ctx, { scope: '/', principalId: owner.objectId, role: 'Owner', name: randomUUID() });
    assert.equal((await app.request('PUT', `${rg}?api-version=${API.resources}`, { body: { location: 'westus' } })).status, 201);
  });
  after(() => svc?.close());

  it('gives the creator of a vault every secret permission, so it can store and read a secret', async () => {
    const made = await app.request('PUT', `${kv()}${v}`, { ...as(creator), body: { location: 'westus', properties: { sku: { family: 'A', name: 'standard' } } } });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const policy = made.body.properties.accessPolicies.find((p: { objectId: string }) => p.objectId === creator.objectId);
    assert.deepEqual(policy.permissions.secrets, ['get', 'list', 'set', 'delete', 'backup', 'restore', 'recover', 'purge']);
    assert.equal((await app.request('PUT', `${kv()}/secrets/pw${v}`, { ...as(creator), body: { properties: { value: 's3cret-value' } } })).status, 201);
    assert.equal((await app.request('POST', `${kv()}/secrets/pw/listValue${v}`, as(creator))).body.value, 's3cret-value');
  });

  it('refuses an Owner without an access policy with the key vault\'s 403, and changes nothing', async () => {
    for (const [method, path, permission] of [
      ['POST', '/secrets/pw/listValue', 'get'], ['GET', '/secrets/pw', 'get'], ['GET', '/secrets', 'list'], ['PUT', '/secrets/pw', 'set'], ['DELETE', '/secrets/pw', 'delete'],
    ] as const) {
      const res = await app.request(method, `${kv()}${path}${v}`, { ...as(owner), ...(method === 'PUT' ? { body: { properties: { value: 'overwritten' } } } : {}) });
      assert.equal(res.status, 403, `${method} ${path}`);
      assert.equal(res.body.error.code, 'Forbidden');
      assert.equal(
        res.body.error.message.split('. Grant')[0],
        `The user, group or application 'appid=${owner.appId};oid=${owner.objectId};iss=https://sts.windows.net/${svc.ctx.tenantId}/' does not have secrets ${permission} permission on key vault 'kvaccess1'`,
      );
      assert.ok(!JSON.stringify(res.body).includes('s3cret-value'));
    }
    const versions = await app.request('GET', `${kv()}/secrets/pw/versions${v}`, as(creator));
    assert.equal(versions.body.value.length, 1, 'the refused PUT stored no version');
    assert.equal((await app.request('POST', `${kv()}/secrets/pw/listValue${v}`, as(creator))).body.value, 's3cret-value');
  });

  it('lets the Owner grant itself a policy (management is RBAC), after which exactly that permission works', async () => {
    const granted = await app.request('PUT', `${kv()}/accessPolicies/add${v}`, {
      ...as(owner), body: { properties: { accessPolicies: [{ objectId: owner.objectId, tenantId: svc.ctx.tenantId, permissions: { secrets: ['get'] } }] } },
    });
    assert.equal(granted.status, 200, JSON.stringify(granted.body));
    assert.equal((await app.request('POST', `${kv()}/secrets/pw/listValue${v}`, as(owner))).body.value, 's3cret-value');
    assert.equal((await app.request('GET', `${kv()}/secrets${v}`, as(owner))).status, 403, 'get does not grant list');
  });

  it('answers a vault that does not exist as it answers one without a policy', async () => {
    const res = await app.request('GET', `${kv()}x/secrets${v}`, as(creator));
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, 'Forbidden');
  });
});
