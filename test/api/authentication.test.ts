// Authentication over real HTTP: every route but the public ones needs a valid bearer token; a
// missing, malformed, expired or forged one gets a 401 in ARM's words with a WWW-Authenticate
// challenge naming the token service, and never an echo of the token.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestService, signIn, type TestService } from '../support/service.ts';
import { forgedTokens } from '../support/forged-tokens.ts';
import { API } from '../support/api-resources.ts';

let svc: TestService;
const logLines: string[] = [];
let ownerObjectId: string;

before(async () => {
  svc = await startTestService({ log: (l) => logLines.push(l) });
  ownerObjectId = JSON.parse(Buffer.from(svc.ownerToken.split('.')[1]!, 'base64url').toString()).oid;
});
after(() => svc.close());

const get = (header: string | undefined, path = `/subscriptions?api-version=${API.resources}`) =>
  fetch(`${svc.url}${path}`, { headers: header === undefined ? {} : { authorization: header } });

test("the Owner's token is accepted", async () => {
  const res = await get(`Bearer ${svc.ownerToken}`);
  assert.equal(res.status, 200);
  assert.equal(((await res.json()) as { value: unknown[] }).value.length, 1);
});

test('each kind of bad token gets its 401, a challenge, and no echo', async () => {
  const forged = await forgedTokens(svc.url, svc.dataDir, { objectId: ownerObjectId, appId: svc.owner.appId, tenant: svc.owner.tenant });
  for (const f of forged) {
    const res = await get(f.header);
    const text = await res.text();
    assert.equal(res.status, 401, `${f.kind}: ${text}`);
    assert.equal(JSON.parse(text).error.code, f.code, f.kind);
    const challenge = res.headers.get('www-authenticate') ?? '';
    assert.match(challenge, new RegExp(`^Bearer authorization_uri="${svc.url}/adfs", error="invalid_token", error_description="[^"]+"$`), f.kind);
    const token = f.header?.replace(/^Bearer /, '');
    if (token && token.length > 8) assert.equal(text.includes(token) || challenge.includes(token), false, `${f.kind}: the token is echoed`);
  }
  assert.equal(logLines.some((l) => forged.some((f) => f.header && f.header.length > 20 && l.includes(f.header.slice(7)))), false, 'no token in the log');
});

test('the public routes answer without a token; everything else does not', async () => {
  for (const path of ['/metadata/endpoints?api-version=2015-01-01', '/adfs/.well-known/openid-configuration', '/adfs/discovery/keys']) {
    assert.equal((await get(undefined, path)).status, 200, path);
  }
  for (const path of ['/nowhere', `/subscriptions/${svc.ctx.subscriptionId}?api-version=${API.resources}`, '/v1.0/servicePrincipals']) {
    assert.equal((await get(undefined, path)).status, 401, path);
  }
});

test("a principal's token stops working when it is deleted; a credential reset leaves issued tokens alone", async () => {
  const made = await svc.http('POST', '/v1.0/servicePrincipals', { displayName: 'short-lived' }, null);
  assert.equal(made.status, 201);
  const token = await signIn(svc.url, { appId: made.body.appId, password: made.body.secretText });
  assert.equal((await get(`Bearer ${token}`)).status, 200);
  const reset = await svc.http('POST', `/v1.0/servicePrincipals/${made.body.id}/resetPassword`, undefined, null);
  assert.equal(reset.status, 200);
  await assert.rejects(signIn(svc.url, { appId: made.body.appId, password: made.body.secretText }), /invalid_client/, 'the old secret no longer signs in');
  assert.equal((await get(`Bearer ${token}`)).status, 200);
  assert.equal((await svc.http('DELETE', `/v1.0/servicePrincipals/${made.body.appId}`, undefined, null)).status, 204);
  const gone = await get(`Bearer ${token}`);
  assert.equal(gone.status, 401);
  assert.equal(((await gone.json()) as { error: { code: string } }).error.code, 'InvalidAuthenticationToken');
});

test('a token taken at one host name is refused at another (its issuer is that host)', async () => {
  const other = svc.url.replace('127.0.0.1', 'localhost');
  const res = await fetch(`${other}/subscriptions?api-version=${API.resources}`, { headers: { authorization: `Bearer ${svc.ownerToken}` } });
  assert.equal(res.status, 401);
  const atOther = await signIn(other, svc.owner);
  assert.equal((await fetch(`${other}/subscriptions?api-version=${API.resources}`, { headers: { authorization: `Bearer ${atOther}` } })).status, 200);
});

test("a backup vault's system-assigned identity is a principal that cannot sign in, gone with its vault", async () => {
  const sub = svc.ctx.subscriptionId;
  assert.equal((await svc.http('PUT', `/subscriptions/${sub}/resourceGroups/mi-rg`, { location: 'westus' }, API.resources)).status, 201);
  const vaultPath = `/subscriptions/${sub}/resourceGroups/mi-rg/providers/Microsoft.DataProtection/backupVaults/mi-vault`;
  const body = { location: 'westus', identity: { type: 'SystemAssigned' }, properties: { storageSettings: [{ datastoreType: 'VaultStore', type: 'LocallyRedundant' }] } };
  const put = await svc.http('PUT', vaultPath, body, API.dataprotection);
  assert.equal(put.status, 201, JSON.stringify(put.body));
  const principalId = put.body.identity.principalId as string;
  const shown = await svc.http('GET', `/v1.0/servicePrincipals/${principalId}`, undefined, null);
  assert.equal(shown.status, 200);
  assert.equal(shown.body.servicePrincipalType, 'ManagedIdentity');
  assert.deepEqual(shown.body.alternativeNames, [put.body.id]);
  const reset = await svc.http('POST', `/v1.0/servicePrincipals/${principalId}/resetPassword`, undefined, null);
  assert.equal(reset.status, 400);
  assert.equal(reset.body.error.code, 'Request_BadRequest');
  await assert.rejects(signIn(svc.url, { appId: shown.body.appId, password: 'anything' }), /invalid_client/);
  assert.equal((await svc.http('DELETE', vaultPath, undefined, API.dataprotection)).status, 202);
  await svc.ctx.background.idle();
  assert.equal((await svc.http('GET', `/v1.0/servicePrincipals/${principalId}`, undefined, null)).status, 404);
});
