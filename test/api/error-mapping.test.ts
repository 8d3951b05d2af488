// Every refusal is a CloudError with a 4xx status: malformed request targets, bodies that are not
// one JSON object, wrong media types, oversized bodies, requests Node's parser refuses, and answers
// whose headers carry the caller's text. Over real HTTP against the real service.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startTestService, type TestService } from '../support/service.ts';
import { API, subscriptionOf } from '../support/api-resources.ts';

let svc: TestService;
let sub: string;
const rgPath = () => `/subscriptions/${sub}/resourceGroups/errs`;
const vaultPath = (name: string) => `${rgPath()}/providers/Microsoft.DataProtection/backupVaults/${name}`;
const vaultBody = (location: string) => ({ location, properties: { storageSettings: [{ datastoreType: 'VaultStore', type: 'LocallyRedundant' }] } });

/** Sends a request exactly as given (no URL normalisation, no body framing beyond Content-Length). */
function raw(method: string, target: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  const url = new URL(svc.url);
  return new Promise((resolve, reject) => {
    const signedIn = { authorization: `Bearer ${svc.ownerToken}`, ...headers };
    const all = body === undefined ? signedIn : { 'content-length': String(Buffer.byteLength(body)), ...signedIn };
    const req = request({ host: url.hostname, port: url.port, method, path: target, headers: all }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const put = (body: string, headers?: Record<string, string>) => raw('PUT', `${rgPath()}?api-version=${API.resources}`, body, { 'content-type': 'application/json', ...headers });

function cloudError(res: { status: number; text: string }, status: number, code: string): string {
  assert.equal(res.status, status, res.text);
  const body = JSON.parse(res.text) as { error: { code: string; message: string } };
  assert.equal(body.error.code, code, res.text);
  assert.ok(body.error.message, res.text);
  return body.error.message;
}

before(async () => {
  svc = await startTestService();
  sub = await subscriptionOf(svc);
  assert.equal((await svc.http('PUT', rgPath(), { location: 'westus' }, API.resources)).status, 201);
});
after(() => svc.close());

describe('malformed request targets', () => {
  it('answers a malformed percent-escape in a path segment with 400 InvalidRequestUri', async () => {
    for (const target of ['/subscriptions/%ZZ', `/subscriptions/${sub}/resourceGroups/a%E0%A4b?api-version=${API.resources}`, '/%ED%A0%80', '/subscriptions/%']) {
      const message = cloudError(await raw('GET', target), 400, 'InvalidRequestUri');
      assert.match(message, /malformed/);
    }
  });

  it('answers a malformed percent-escape in the query with 400 InvalidRequestUri', async () => {
    cloudError(await raw('GET', `/subscriptions/${sub}/resourcegroups?api-version=${API.resources}&$filter=%ZZ`), 400, 'InvalidRequestUri');
    cloudError(await raw('GET', `/subscriptions/${sub}/resourcegroups?%E0=1&api-version=${API.resources}`), 400, 'InvalidRequestUri');
  });

  it('reads a target with repeated leading slashes, or in absolute form, as the path it names', async () => {
    assert.equal((await raw('GET', `//subscriptions/${sub}?api-version=${API.resources}`)).status, 200);
    assert.equal((await raw('GET', `http://elsewhere.invalid/subscriptions/${sub}?api-version=${API.resources}`)).status, 200);
  });

  it('answers requests Node cannot parse with a CloudError too', async () => {
    cloudError(await raw('FROB', `/subscriptions/${sub}`), 400, 'BadRequest');
    cloudError(await raw('GET', `/subscriptions/${'x'.repeat(20_000)}`), 431, 'RequestHeadersTooLarge');
  });
});

describe('request bodies', () => {

  it('refuses a body that is JSON but not an object', async () => {
    for (const body of ['[]', '[{"location":"westus"}]', '"westus"', 'null', '42', 'true']) {
      const message = cloudError(await put(body), 400, 'InvalidRequestContent');
      assert.match(message, /a JSON object was expected/);
    }
  });

  it('refuses text that is not JSON without quoting it back (it may hold a secret)', async () => {
    const res = await raw('PUT', `${rgPath()}/providers/Microsoft.KeyVault/vaults/errkv/secrets/s1?api-version=${API.keyvault}`, '{"properties":{"value":hunter2-secret}}', {
      'content-type': 'application/json',
    });
    cloudError(res, 400, 'InvalidRequestContent');
    assert.doesNotMatch(res.text, /hunter2/);
  });

  it('refuses a media type other than JSON', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonx']) {
      const message = cloudError(await put('{"location":"westus"}', { 'content-type': type }), 400, 'UnsupportedMediaType');
      assert.match(message, /application\/json/);
    }
    assert.equal((await put('{"location":"westus"}', { 'content-type': 'application/merge-patch+json; charset=utf-8' })).status, 200);
  });

  it('refuses a body over 4 MiB with an answer the caller receives', async () => {
    cloudError(await put(`{"location":"${'x'.repeat(5 * 1024 * 1024)}"}`), 400, 'RequestEntityTooLarge');
    assert.equal((await svc.http('GET', rgPath(), undefined, API.resources)).body.location, 'westus');
  });
});

describe('tags', () => {
  it('refuses tags that are not an object of strings, changing nothing', async () => {
    assert.equal((await svc.http('PUT', vaultPath('tagvault'), vaultBody('westus'), API.dataprotection)).status, 201);
    await svc.ctx.background.idle();
    const before = await Promise.all([svc.http('GET', rgPath(), undefined, API.resources), svc.http('GET', vaultPath('tagvault'), undefined, API.dataprotection)]);
    for (const tags of [5, 'env=prod', ['env'], { env: 1 }, { env: null }, { env: { nested: 'x' } }]) {
      cloudError(await put(JSON.stringify({ location: 'westus', tags })), 400, 'InvalidRequestContent');
      const vaultPut = await svc.http('PUT', vaultPath('tagvault'), { ...vaultBody('westus'), tags }, API.dataprotection);
      assert.equal(vaultPut.status, 400, JSON.stringify(vaultPut.body));
      const vaultPatch = await svc.http('PATCH', vaultPath('tagvault'), { tags }, API.dataprotection);
      assert.equal(vaultPatch.status, 400, JSON.stringify(vaultPatch.body));
      assert.equal(vaultPatch.body.error.target, 'tags');
      assert.equal((await svc.http('PUT', vaultPath('tagvault2'), { ...vaultBody('westus'), tags }, API.dataprotection)).status, 400);
    }
    const after = await Promise.all([svc.http('GET', rgPath(), undefined, API.resources), svc.http('GET', vaultPath('tagvault'), undefined, API.dataprotection)]);
    assert.deepEqual(after.map((r) => r.body), before.map((r) => r.body));
    assert.equal((await svc.http('GET', vaultPath('tagvault2'), undefined, API.dataprotection)).status, 404);
  });
});

describe('answers carrying the caller\'s text in headers', () => {
  it('percent-encodes a location with a line break or a lone surrogate in the operation URLs', async () => {
    for (const [name, location] of [['breakvault', 'west\nus'], ['surrogatevault', 'west\ud800us']] as const) {
      const res = await svc.http('PUT', vaultPath(name), vaultBody(location), API.dataprotection);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      await svc.ctx.background.idle();
      const verify = await svc.http('POST', `${vaultPath(name)}/verify`, {}, API.dataprotection);
      assert.equal(verify.status, 202, JSON.stringify(verify.body));
      await svc.worker.drain();
      const status = verify.headers.get('azure-asyncoperation')!;
      assert.match(status, /\/locations\/west%0Aus\/|\/locations\/west%EF%BF%BDus\//);
      await svc.ctx.background.idle();
      assert.equal((await fetch(status, { headers: { authorization: `Bearer ${svc.ownerToken}` } })).status, 200);
    }
  });
});
