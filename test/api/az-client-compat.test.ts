// What the real `az` CLI (2.45, dataprotection extension 0.8.0/0.11.2) sends and expects, over real
// HTTP, one focused case per fix the end-to-end test (test/e2e/az-cli.test.ts) found: that test
// needs az installed, these do not.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestService, type TestService } from '../support/service.ts';

let svc: TestService;
let sub: string;

before(async () => {
  svc = await startTestService();
  sub = (await svc.http('GET', '/subscriptions', undefined, '2024-11-01')).body.value[0].subscriptionId as string;
});
after(() => svc.close());

describe('az sign-in', () => {
  it('lists the subscription with the api-version az login sends (2019-11-01), in the shape it reads', async () => {
    const res = await svc.http('GET', '/subscriptions', undefined, '2019-11-01');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const [s] = res.body.value;
    assert.equal(s.id, `/subscriptions/${sub}`);
    assert.equal(s.subscriptionId, sub);
    assert.match(s.tenantId, /^[0-9a-f-]{36}$/);
    assert.equal(s.state, 'Enabled');
    assert.equal(typeof s.displayName, 'string');
    const one = await svc.http('GET', `/subscriptions/${sub}`, undefined, '2016-06-01');
    assert.equal(one.status, 200, JSON.stringify(one.body));
  });

  it('the older subscription versions are the subscriptions API\'s only: resource groups still refuse them', async () => {
    const res = await svc.http('GET', `/subscriptions/${sub}/resourcegroups`, undefined, '2019-11-01');
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'NoRegisteredProviderFound');
  });
});

describe('long-running operations as azure-core polls them', () => {
  it('an operation that has not ended says when to ask again (Retry-After), at every scope; an ended one does not', async () => {
    const vault = `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.DataProtection/backupVaults/v1`;
    const running = { id: 'a2f0c7de-5a8e-4c1b-9b7e-0f5a3d1c2b40', resourceId: vault, status: 'Inprogress' as const, startTime: new Date(0).toISOString(), endTime: null };
    await svc.ctx.catalog.putOperation(running);
    await svc.ctx.catalog.putOperation({ ...running, id: 'b3e1d8ef-6b9f-4d2c-8c8f-1a6b4e2d3c51', status: 'Succeeded', endTime: new Date(1000).toISOString() });
    const scopes = [`${vault}/operationStatus`, `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.DataProtection/operationStatus`, `/subscriptions/${sub}/providers/Microsoft.DataProtection/locations/westus/operationStatus`];
    for (const scope of scopes) {
      const res = await svc.http('GET', `${scope}/${running.id}`, undefined, '2023-05-01');
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.status, 'Inprogress');
      assert.equal(res.headers.get('retry-after'), '1', scope);
      const ended = await svc.http('GET', `${scope}/b3e1d8ef-6b9f-4d2c-8c8f-1a6b4e2d3c51`, undefined, '2023-05-01');
      assert.equal(ended.body.status, 'Succeeded');
      assert.equal(ended.headers.get('retry-after'), null, scope);
    }
  });
});

describe('errors as az parses them', () => {
  it('a refused request and a failed operation carry details as a list (az prints code and message only then)', async () => {
    const vaults = `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.DataProtection/backupVaults`;
    const refused = await svc.http('PUT', `${vaults}/v`, { location: 'westus' }, '2023-05-01');
    assert.equal(refused.status, 404);
    assert.equal(refused.body.error.code, 'ResourceGroupNotFound');
    assert.deepEqual(refused.body.error.details, []);
    const failed = { id: 'c4f2e9f0-7ca0-4e3d-9d90-2b7c5f3e4d62', resourceId: `${vaults}/v1`, status: 'Failed' as const, startTime: new Date(0).toISOString(), endTime: new Date(1).toISOString(), error: { code: 'UserErrorX', message: 'it failed' } };
    await svc.ctx.catalog.putOperation(failed);
    const status = await svc.http('GET', `${vaults}/v1/operationStatus/${failed.id}`, undefined, '2023-05-01');
    assert.deepEqual(status.body.error, { code: 'UserErrorX', message: 'it failed', target: null, details: [] });
    const result = await svc.http('GET', `${vaults}/v1/operationResults/${failed.id}`, undefined, '2023-05-01');
    assert.deepEqual(result.body.error.details, []);
  });
});
