// The built-in key vault over real HTTP: Microsoft.KeyVault/vaults with Azure's rules, access
// policies, secrets and their versions, values sealed at rest, and resolveSecret's answers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService } from '../../src/app.ts';
import { isDpError } from '../../src/domain/errors.ts';
import { resolveSecret } from '../../src/services/key-vaults.ts';
import { ownerCredentials, signIn, startTestService, type TestService } from '../support/service.ts';

const KV_API = '2024-11-01';
const PLAIN = 'Server=db.example;Database=empdb11;Port=5432;User Id=backup;Password=Sup3r-s3cret-pw!;Ssl Mode=Require;';
const PRINCIPAL = '11111111-2222-4333-8444-555555555555';
const STRANGER = '99999999-2222-4333-8444-555555555555';

let svc: TestService;
let sub: string;
const groupPath = (rg: string) => `/subscriptions/${sub}/resourceGroups/${rg}`;
const kvPath = (name: string, rg = 'rg1') => `${groupPath(rg)}/providers/Microsoft.KeyVault/vaults/${name}`;
const kv = (method: string, path: string, body?: unknown) => svc.http(method, path, body, KV_API);

/** Every byte the service keeps under its data directory (the SQLite file, its WAL, ...) except the master key. */
function dataDirBytes(dir: string): Buffer {
  return Buffer.concat(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name !== 'master.key')
      .map((e) => readFileSync(join(e.parentPath, e.name))),
  );
}

async function expectCode(p: Promise<unknown>, code: string): Promise<string> {
  try {
    await p;
  } catch (e) {
    assert.ok(isDpError(e), String(e));
    assert.equal(e.code, code, e.message);
    return e.message;
  }
  assert.fail(`expected ${code}`);
}

before(async () => {
  svc = await startTestService();
  sub = (await svc.http('GET', '/subscriptions', undefined, '2024-11-01')).body.value[0].subscriptionId;
  for (const rg of ['rg1', 'rg2']) assert.equal((await svc.http('PUT', groupPath(rg), { location: 'westus' }, '2024-11-01')).status, 201);
});
after(() => svc.close());

describe('key vaults', () => {
  it('creates a vault shaped like Azure\'s', async () => {
    const res = await kv('PUT', kvPath('kv-one'), { location: 'westus', properties: { sku: { family: 'A', name: 'standard' } } });
    assert.equal(res.status, 201);
    assert.equal(res.body.type, 'Microsoft.KeyVault/vaults');
    assert.equal(res.body.id, kvPath('kv-one'));
    assert.equal(res.body.properties.vaultUri, 'https://kv-one.vault.azure.net/');
    assert.equal(res.body.properties.tenantId, svc.ctx.tenantId);
    assert.deepEqual(res.body.properties.sku, { family: 'A', name: 'standard' });
    assert.deepEqual(res.body.properties.accessPolicies, []);
    assert.equal(res.body.properties.enableSoftDelete, true);
    const again = await kv('PUT', kvPath('kv-one'), { location: 'westus' });
    assert.equal(again.status, 200);
  });

  it('refuses a name used by a vault in another group (names are global)', async () => {
    const res = await kv('PUT', kvPath('KV-ONE', 'rg2'), { location: 'westus' });
    assert.equal(res.status, 409);
    assert.equal(res.body.error.code, 'VaultAlreadyExists');
    assert.match(res.body.error.message, /'rg1'/);
    assert.equal((await kv('GET', kvPath('kv-one', 'rg2'))).status, 404);
  });

  it('applies Azure\'s name rule', async () => {
    for (const bad of ['ab', '1abc', 'abc-', 'a--b', 'a'.repeat(25), 'ab_c']) {
      const res = await kv('PUT', kvPath(bad), { location: 'westus' });
      assert.equal(res.status, 400, bad);
      assert.equal(res.body.error.code, 'VaultNameNotValid');
      assert.match(res.body.error.message, /between 3-24 alphanumeric characters/);
    }
  });

  it('lists per group and per subscription, and checks the api-version', async () => {
    await kv('PUT', kvPath('kv-two', 'rg2'), { location: 'westus' });
    const inGroup = await kv('GET', `${groupPath('rg2')}/providers/Microsoft.KeyVault/vaults`);
    assert.deepEqual(inGroup.body.value.map((v: { name: string }) => v.name), ['kv-two']);
    const all = await kv('GET', `/subscriptions/${sub}/providers/Microsoft.KeyVault/vaults`);
    assert.deepEqual(all.body.value.map((v: { name: string }) => v.name).sort(), ['kv-one', 'kv-two']);
    const wrong = await svc.http('GET', kvPath('kv-one'), undefined, '2026-03-01');
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.error.code, 'NoRegisteredProviderFound');
  });

  it('updates access policies with add, replace and remove, validating permissions', async () => {
    const url = `${kvPath('kv-one')}/accessPolicies`;
    const bad = await kv('PUT', `${url}/add`, { properties: { accessPolicies: [{ objectId: PRINCIPAL, permissions: { secrets: ['get', 'fetch'] } }] } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /accessPolicies\[0\]\.permissions\.secrets\[1\]: fetch/);
    assert.match(bad.body.error.message, /get, list, set, delete, backup, restore, recover, purge, all/);
    const notGuid = await kv('PUT', `${url}/add`, { properties: { accessPolicies: [{ objectId: 'vault1', permissions: {} }] } });
    assert.equal(notGuid.status, 400);
    await kv('PUT', `${url}/add`, { properties: { accessPolicies: [{ objectId: PRINCIPAL, permissions: { secrets: ['List'] } }] } });
    await kv('PUT', `${url}/add`, { properties: { accessPolicies: [{ objectId: PRINCIPAL, permissions: { secrets: ['get'] } }] } });
    let vault = (await kv('GET', kvPath('kv-one'))).body;
    assert.deepEqual(vault.properties.accessPolicies, [
      { tenantId: svc.ctx.tenantId, objectId: PRINCIPAL, applicationId: null, permissions: { keys: [], secrets: ['list', 'get'], certificates: [], storage: [] } },
    ]);
    await kv('PUT', `${url}/replace`, { properties: { accessPolicies: [{ objectId: STRANGER, permissions: { secrets: ['set'] } }] } });
    await kv('PUT', `${url}/remove`, { properties: { accessPolicies: [{ objectId: STRANGER }] } });
    vault = (await kv('GET', kvPath('kv-one'))).body;
    assert.deepEqual(vault.properties.accessPolicies.map((p: { objectId: string }) => p.objectId), [PRINCIPAL]);
    assert.equal((await kv('PUT', `${url}/merge`, { properties: { accessPolicies: [] } })).status, 400);
  });
});

describe('secrets', () => {
  const secretPath = (name: string) => `${kvPath('kv-one')}/secrets/${name}`;

  it('round-trips a value, which only listValue returns', async () => {
    const set = await kv('PUT', secretPath('ossdbkey'), { properties: { value: PLAIN } });
    assert.equal(set.status, 201);
    assert.equal(set.body.value, undefined);
    assert.match(set.body.id, /^https:\/\/kv-one\.vault\.azure\.net\/secrets\/ossdbkey\/[0-9a-f]{32}$/);
    assert.deepEqual(Object.keys(set.body.attributes).sort(), ['created', 'enabled', 'expires', 'notBefore', 'recoverableDays', 'recoveryLevel', 'updated']);
    assert.equal(set.body.attributes.recoveryLevel, 'Recoverable+Purgeable');
    assert.match(set.body.attributes.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);

    const meta = await kv('GET', secretPath('ossdbkey'));
    assert.equal(meta.status, 200);
    assert.equal(meta.body.value, undefined);
    assert.equal(meta.body.id, set.body.id);
    const shown = await kv('POST', `${secretPath('ossdbkey')}/listValue`);
    assert.equal(shown.status, 200);
    assert.equal(shown.body.value, PLAIN);
    assert.deepEqual({ ...shown.body, value: undefined }, { ...set.body, value: undefined });

    const list = await kv('GET', `${kvPath('kv-one')}/secrets`);
    assert.deepEqual(list.body.value.map((s: { id: string }) => s.id), ['https://kv-one.vault.azure.net/secrets/ossdbkey']);
    assert.ok(!JSON.stringify(list.body).includes('Sup3r'));
  });

  it('keeps only ciphertext at rest', async () => {
    const bytes = dataDirBytes(svc.dataDir);
    assert.ok(bytes.includes('ossdbkey'), 'the catalog holds the secret (sanity check of the scan)');
    assert.ok(!bytes.includes(PLAIN));
    assert.ok(!bytes.includes('Sup3r-s3cret-pw!'));
  });

  it('makes a new version on every set; listValue of an older version still answers', async () => {
    const first = (await kv('GET', secretPath('ossdbkey'))).body.id as string;
    const second = await kv('PUT', secretPath('ossdbkey'), { properties: { value: 'second value', contentType: 'text/plain' }, tags: { env: 'test' } });
    assert.equal(second.status, 200);
    assert.notEqual(second.body.id, first);
    assert.equal(second.body.contentType, 'text/plain');
    assert.deepEqual(second.body.tags, { env: 'test' });
    assert.equal((await kv('POST', `${secretPath('ossdbkey')}/listValue`)).body.value, 'second value');
    const oldVersion = first.split('/').pop();
    assert.equal((await kv('POST', `${secretPath('ossdbkey')}/versions/${oldVersion}/listValue`)).body.value, PLAIN);
    const versions = await kv('GET', `${secretPath('ossdbkey')}/versions`);
    assert.deepEqual(versions.body.value.map((v: { id: string }) => v.id), [first, second.body.id]);
    const missing = await kv('POST', `${secretPath('ossdbkey')}/versions/${'0'.repeat(32)}/listValue`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'SecretNotFound');
  });

  it('refuses bad names and values without quoting the value', async () => {
    const badName = await kv('PUT', secretPath('bad_name'), { properties: { value: 'x' } });
    assert.equal(badName.status, 400);
    assert.equal(badName.body.error.code, 'BadParameter');
    const huge = `${'Password=p4ss-in-a-huge-value;'}${'x'.repeat(26 * 1024)}`;
    const tooBig = await kv('PUT', secretPath('big'), { properties: { value: huge } });
    assert.equal(tooBig.status, 400);
    assert.ok(!JSON.stringify(tooBig.body).includes('p4ss-in-a-huge-value'));
    assert.equal((await kv('PUT', secretPath('novalue'), { properties: {} })).status, 400);
  });

  it('deletes a secret with all its versions', async () => {
    await kv('PUT', secretPath('temp'), { properties: { value: 'temp value' } });
    const del = await kv('DELETE', secretPath('temp'));
    assert.equal(del.status, 200);
    assert.equal(del.body.name, 'temp');
    assert.equal(del.body.value, undefined);
    assert.equal((await kv('GET', secretPath('temp'))).status, 404);
    assert.equal(await svc.ctx.catalog.countResources({ idPrefix: `${kvPath('kv-one')}/secrets/temp/` }), 0);
  });
});

describe('resolveSecret', () => {
  const uri = 'https://kv-one.vault.azure.net/secrets/ossdbkey';

  it('returns the latest value to a principal allowed to get secrets, and a pinned version when asked', async () => {
    assert.equal(await resolveSecret(svc.ctx, uri, PRINCIPAL), 'second value');
    assert.equal(await resolveSecret(svc.ctx, `${uri}/`, undefined), 'second value');
    const versions = (await kv('GET', `${kvPath('kv-one')}/secrets/ossdbkey/versions`)).body.value as { id: string }[];
    assert.equal(await resolveSecret(svc.ctx, versions[0]!.id, PRINCIPAL), PLAIN);
  });

  it('says which command grants a principal without an access policy', async () => {
    const message = await expectCode(resolveSecret(svc.ctx, uri, STRANGER), 'UserErrorMissingPermissionsOnSecretStore');
    assert.match(message, /kv-one/);
    assert.match(message, new RegExp(STRANGER));
    assert.match(message, new RegExp(`dpvault keyvault set-policy -n kv-one -g rg1 --object-id ${STRANGER} --secret-permissions get list`));
  });

  it('names the other failures with Azure\'s codes', async () => {
    await expectCode(resolveSecret(svc.ctx, 'https://nokv.vault.azure.net/secrets/ossdbkey', PRINCIPAL), 'UserErrorInvalidSecretStore');
    await expectCode(resolveSecret(svc.ctx, 'https://kv-one.vault.azure.net/secrets/nosuch', PRINCIPAL), 'UserErrorInvalidSecret');
    await expectCode(resolveSecret(svc.ctx, `${uri}/${'a'.repeat(32)}`, PRINCIPAL), 'UserErrorInvalidSecret');
    await expectCode(resolveSecret(svc.ctx, 'https://kv-one.vault.azure.net/keys/ossdbkey', PRINCIPAL), 'UserErrorInvalidSecretStore');
    const pasted = await expectCode(resolveSecret(svc.ctx, PLAIN, PRINCIPAL), 'UserErrorInvalidSecretStore');
    assert.ok(!pasted.includes('Sup3r'), 'a connection string pasted in place of a URI is not echoed');
  });
});

describe('deleting a key vault', () => {
  it('deletes its secrets too, and frees the name', async () => {
    await kv('PUT', `${kvPath('kv-two', 'rg2')}/secrets/s1`, { properties: { value: 'v1' } });
    assert.equal((await kv('DELETE', kvPath('kv-two', 'rg2'))).status, 200);
    assert.equal((await kv('DELETE', kvPath('kv-two', 'rg2'))).status, 204);
    assert.equal(await svc.ctx.catalog.countResources({ idPrefix: `${kvPath('kv-two', 'rg2')}/` }), 0);
    assert.equal((await kv('PUT', kvPath('kv-two', 'rg1'), { location: 'westus' })).status, 201);
    assert.equal((await kv('GET', `${kvPath('kv-two', 'rg1')}/secrets/s1`)).status, 404);
  });
});

describe('logs', () => {
  it('never carry a secret value', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dpvault-kvlog-'));
    const lines: string[] = [];
    const own = await startService({ dataDir, port: 0, log: (l) => lines.push(l) });
    try {
      const token = await signIn(own.url, ownerCredentials(dataDir));
      const call = async (method: string, path: string, body?: unknown, version = KV_API) => {
        const url = new URL(`${own.url}${path}`);
        url.searchParams.set('api-version', version);
        const res = await fetch(url, { method, headers: { 'Content-Type': 'application/json', authorization: `Bearer ${token}` }, body: body === undefined ? undefined : JSON.stringify(body) });
        return { status: res.status, text: await res.text() };
      };
      const s = own.ctx.subscriptionId;
      await call('PUT', `/subscriptions/${s}/resourceGroups/g`, { location: 'westus' }, '2024-11-01');
      const base = `/subscriptions/${s}/resourceGroups/g/providers/Microsoft.KeyVault/vaults/logkv`;
      await call('PUT', base, { location: 'westus' });
      assert.equal((await call('PUT', `${base}/secrets/pw`, { properties: { value: PLAIN } })).status, 201);
      assert.equal((await call('POST', `${base}/secrets/pw/listValue`)).status, 200);
      assert.equal((await call('PUT', `${base}/secrets/pw`, { properties: { value: PLAIN, contentType: 42 } })).status, 400);
      assert.ok(lines.some((l) => l.includes('/secrets/pw')), 'requests are logged');
      assert.ok(!lines.join('\n').includes('Sup3r'));
    } finally {
      await own.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
