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
