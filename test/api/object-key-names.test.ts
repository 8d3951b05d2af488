// Names that are also keys of every JavaScript object (`__proto__`, `constructor`, `toString`, ...)
// are ordinary names wherever Azure's rules allow them: as resource names, as JSON body keys and
// as query keys, over real HTTP.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestService, type TestService } from '../support/service.ts';
import { API, createResources, resourceSpecs, subscriptionOf, type ResourceNames } from '../support/api-resources.ts';

let svc: TestService;
let sub: string;

before(async () => {
  svc = await startTestService();
  sub = await subscriptionOf(svc);
});
after(() => svc.close());

// Azure's rules: a resource group may be `__proto__`; vault, policy, key vault, secret and server
// names must start with a letter or digit (secrets and servers allow no underscore).
const NAME_SETS: ResourceNames[] = [
  { rg: '__proto__', vault: 'constructor', policy: 'hasOwnProperty', kv: 'toString', secret: 'valueOf', server: 'constructor' },
  { rg: 'constructor', vault: 'toString', policy: 'constructor', kv: 'hasOwnProperty', secret: 'constructor', server: 'tostring' },
  { rg: 'hasOwnProperty', vault: 'valueOf', policy: 'toString', kv: 'isPrototypeOf', secret: 'hasOwnProperty', server: 'valueof' },
];

/** The collection a resource is listed in: its path without the last segment. */
const collectionOf = (path: string) => path.slice(0, path.lastIndexOf('/'));

describe('resources named like object keys', () => {
  for (const names of NAME_SETS) {
    it(`are created, listed, shown and deleted like any other: ${Object.values(names).join(', ')}`, async () => {
      const specs = await createResources(svc, sub, names);
      for (const s of specs) {
        const shown = await svc.http('GET', s.path, undefined, s.apiVersion);
        assert.equal(shown.status, 200, `GET ${s.path}: ${JSON.stringify(shown.body)}`);
        assert.equal(shown.body.name, names[s.kind], s.path);
        const listed = await svc.http('GET', collectionOf(s.path), undefined, s.apiVersion);
        assert.equal(listed.status, 200, `GET ${collectionOf(s.path)}: ${JSON.stringify(listed.body)}`);
        assert.ok(
          (listed.body.value as { name?: string; id: string }[]).some((r) => (r.name ?? r.id.split('/').pop()) === names[s.kind]),
          `${names[s.kind]} is listed in ${collectionOf(s.path)}: ${JSON.stringify(listed.body.value)}`,
        );
      }
      for (const s of [...specs].reverse()) {
        const del = await svc.http('DELETE', s.path, undefined, s.apiVersion);
        assert.ok([200, 202, 204].includes(del.status), `DELETE ${s.path}: ${del.status} ${JSON.stringify(del.body)}`);
        await svc.ctx.background.idle();
        assert.equal((await svc.http('GET', s.path, undefined, s.apiVersion)).status, 404, `${s.path} is gone`);
      }
    });
  }
});

describe('object-key names in bodies and queries', () => {
  const ODD_TAGS = '{"__proto__":"a","constructor":"b","toString":"c","hasOwnProperty":"d"}';
  const ODD_TAG_ENTRIES = [['__proto__', 'a'], ['constructor', 'b'], ['toString', 'c'], ['hasOwnProperty', 'd']];

  it('keeps tags named __proto__, constructor and the like as ordinary tags', async () => {
    const names: ResourceNames = { rg: 'tagged', vault: 'tagged', policy: 'tagged', kv: 'tagged-kv', secret: 'tagged', server: 'tagged' };
    for (const s of resourceSpecs(sub, names).filter((x) => x.kind !== 'policy' && x.kind !== 'secret')) {
      const text = JSON.stringify({ ...s.body, tags: 'ODD' }).replace('"tags":"ODD"', `"tags":${ODD_TAGS}`);
      const put = await svc.http('PUT', s.path, text, s.apiVersion);
      assert.ok(put.status === 200 || put.status === 201, `PUT ${s.path}: ${put.status} ${JSON.stringify(put.body)}`);
      await svc.ctx.background.idle();
      const got = await svc.http('GET', s.path, undefined, s.apiVersion);
      assert.deepEqual(Object.entries(got.body.tags), ODD_TAG_ENTRIES, s.path);
    }
  });

  it('ignores unknown body keys named like object keys', async () => {
    const path = `/subscriptions/${sub}/resourceGroups/proto-body`;
    const put = await svc.http('PUT', path, '{"__proto__":{"location":"nowhere"},"constructor":{"name":"x"},"location":"westus"}', API.resources);
    assert.equal(put.status, 201, JSON.stringify(put.body));
    assert.equal(put.body.location, 'westus');
    assert.equal(put.body.name, 'proto-body');
  });

  it('serves requests whose query has keys named like object keys', async () => {
    const res = await svc.http('GET', `/subscriptions/${sub}/resourcegroups?__proto__=1&constructor=2&toString=3&api-version=${API.resources}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const paged = await svc.http('GET', `/subscriptions/${sub}/providers/Microsoft.KeyVault/vaults?$top=1&__proto__=x&api-version=${API.keyvault}`);
    assert.equal(paged.status, 200, JSON.stringify(paged.body));
  });

  it('refuses enum values named like object keys, leaving the resource as it was', async () => {
    const names: ResourceNames = { rg: 'enums', vault: 'enums', policy: 'enums', kv: 'enums-kv', secret: 'enums', server: 'enums' };
    const specs = await createResources(svc, sub, names);
    const vault = specs.find((s) => s.kind === 'vault')!;
    const server = specs.find((s) => s.kind === 'server')!;
    const before = await Promise.all([vault, server].map(async (s) => (await svc.http('GET', s.path, undefined, s.apiVersion)).body));
    for (const state of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      for (const settings of [{ softDeleteSettings: { state } }, { immutabilitySettings: { state } }]) {
        const patch = await svc.http('PATCH', vault.path, { properties: { securitySettings: settings } }, vault.apiVersion);
        assert.equal(patch.status, 400, `${JSON.stringify(settings)}: ${JSON.stringify(patch.body)}`);
        assert.equal(patch.body.error.code, 'UserErrorInvalidRequestParameter');
      }
      const put = await svc.http('PUT', server.path, { properties: { fullyQualifiedDomainName: '127.0.0.1', sslMode: state } }, server.apiVersion);
      assert.equal(put.status, 400, `sslMode ${state}: ${JSON.stringify(put.body)}`);
    }
    const after = await Promise.all([vault, server].map(async (s) => (await svc.http('GET', s.path, undefined, s.apiVersion)).body));
    assert.deepEqual(after, before);
  });
});
