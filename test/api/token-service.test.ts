// The token service az signs in with (Azure Stack Hub's ADFS mode), over real HTTP on a real
// server: discovery documents built from the request's host, the client credentials grant as
// MSAL sends it, OAuth2 errors, and sign-in limits per client id and per address.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTestService, type TestService } from '../support/service.ts';

let svc: TestService;
const json = async (res: Response | Promise<Response>): Promise<any> => (await res).json();
const logLines: string[] = [];
let owner: { appId: string; password: string; tenant: string; displayName: string };

before(async () => {
  svc = await startTestService({ log: (l) => logLines.push(l), signInLimits: { perClient: 4, perAddress: 6 } });
  owner = JSON.parse(readFileSync(join(svc.dataDir, 'owner-credentials.json'), 'utf8'));
});
after(() => svc.close());

const form = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${svc.url}/adfs/oauth2/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields) });
const asMsal = (over: Record<string, string> = {}) => ({
  client_id: owner.appId,
  client_secret: owner.password,
  grant_type: 'client_credentials',
  scope: `${svc.url}//.default`,
  client_info: '1',
  claims: '{"access_token":{"xms_cc":{"values":["CP1"]}}}',
  ...over,
});

test('a fresh data directory has an Owner whose credentials file only its owner may read', () => {
  assert.equal(statSync(join(svc.dataDir, 'owner-credentials.json')).mode & 0o777, 0o600);
  assert.match(owner.appId, /^[0-9a-f-]{36}$/);
  assert.equal(owner.displayName, 'dpvault-owner');
  assert.ok(owner.password.length >= 32);
  assert.equal(logLines.some((l) => l.includes(owner.password)), false, 'the secret is not logged');
});

test('the metadata endpoint and the OpenID configuration point az at this host', async () => {
  const meta = await json(fetch(`${svc.url}/metadata/endpoints?api-version=2015-01-01`));
  assert.deepEqual(meta.authentication, { loginEndpoint: `${svc.url}/adfs`, audiences: [`${svc.url}/`] });
  for (const k of ['graphEndpoint', 'galleryEndpoint', 'portalEndpoint']) assert.equal(meta[k], `${svc.url}/`);
  const oidc = await json(fetch(`${svc.url}/adfs/.well-known/openid-configuration`));
  assert.equal(oidc.issuer, `${svc.url}/adfs`);
  assert.equal(oidc.token_endpoint, `${svc.url}/adfs/oauth2/token`);
  assert.equal(oidc.authorization_endpoint, `${svc.url}/adfs/oauth2/authorize`);
  assert.equal(oidc.jwks_uri, `${svc.url}/adfs/discovery/keys`);
  const viaHost = await json(fetch(`${svc.url}/adfs/.well-known/openid-configuration`, { headers: { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'dp.example:443' } }));
  assert.equal(viaHost.issuer, `${svc.url}/adfs`, 'forwarded headers are ignored without --trust-proxy');
  const keys = await json(fetch(`${svc.url}/adfs/discovery/keys`));
  assert.equal(keys.keys.length, 1);
  assert.equal(keys.keys[0].alg, 'RS256');
  assert.equal(keys.keys[0].d, undefined);
});

test('the client credentials grant as MSAL sends it gets a bearer token, for each accepted audience', async () => {
  for (const scope of [`${svc.url}//.default`, `${svc.url}/.default`, 'https://management.dpvault//.default', 'https://management.dpvault/.default']) {
    const res = await form(asMsal({ scope }));
    assert.equal(res.status, 200, scope);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const body = await json(res);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 3600);
    const claims = JSON.parse(Buffer.from(body.access_token.split('.')[1], 'base64url').toString());
    assert.equal(claims.appid, owner.appId);
    assert.equal(claims.tid, owner.tenant);
    assert.equal(claims.iss, `${svc.url}/adfs`);
    assert.ok(claims.aud.endsWith('/'));
    assert.equal(claims.exp - claims.iat, 3600);
  }
  const { scope: _s, ...noScope } = asMsal();
  assert.equal((await form({ ...noScope, resource: `${svc.url}/` })).status, 200, 'resource instead of scope');
});

test('bad token requests get OAuth2 errors that repeat no secret', async () => {
  const cases: [Record<string, string>, number, string][] = [
    [asMsal({ grant_type: 'password' }), 400, 'unsupported_grant_type'],
    [{ ...asMsal(), grant_type: '' }, 400, 'invalid_request'],
    [asMsal({ client_id: '' }), 400, 'invalid_request'],
    [asMsal({ client_secret: '' }), 400, 'invalid_request'],
    [asMsal({ scope: 'https://elsewhere.example//.default' }), 400, 'invalid_scope'],
    [asMsal({ scope: `${svc.url}/user_impersonation` }), 400, 'invalid_scope'],
    [asMsal({ scope: '' }), 400, 'invalid_scope'],
  ];
  for (const [fields, status, error] of cases) {
    const res = await form(fields);
    const text = await res.text();
    assert.equal(res.status, status, `${error}: ${text}`);
    assert.equal(JSON.parse(text).error, error);
    assert.equal(text.includes(owner.password), false);
  }
  const asJson = await fetch(`${svc.url}/adfs/oauth2/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(asMsal()) });
  assert.equal(asJson.status, 400);
  assert.equal((await json(asJson)).error.code, 'UnsupportedMediaType');
  const asGet = await fetch(`${svc.url}/adfs/oauth2/token`);
  assert.equal(asGet.status, 400);
  assert.equal((await json(asGet)).error.code, 'MethodNotAllowed');
});

test('failed sign-ins are limited per client id and per address; a success resets neither', async () => {
  const wrong = (clientId: string) => form(asMsal({ client_id: clientId, client_secret: 'not-the-secret-at-all' }));
  const guesser = '00000000-0000-4000-8000-00000000000a';
  for (let i = 0; i < 4; i++) {
    const res = await wrong(guesser);
    assert.equal(res.status, 401);
    assert.equal((await json(res)).error, 'invalid_client');
  }
  const blocked = await wrong(guesser);
  assert.equal(blocked.status, 429, 'the client id is blocked after 4 failures');
  assert.match(blocked.headers.get('retry-after') ?? '', /^\d+$/);
  assert.equal((await json(blocked)).error, 'invalid_client');
  assert.equal((await form(asMsal())).status, 200, 'another client id from the same address still signs in');
  // The address has 4 failures; two more for other client ids reach its limit of 6, success or not.
  for (const id of ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002']) assert.equal((await wrong(id)).status, 401);
  assert.equal((await wrong('00000000-0000-4000-8000-000000000003')).status, 429, 'the address is blocked for every client id');
  assert.equal((await form(asMsal())).status, 429, 'even with the right secret, from that address');
  assert.equal(logLines.some((l) => l.includes('not-the-secret-at-all') || l.includes(owner.password)), false);
  assert.ok(logLines.some((l) => l.startsWith('POST /adfs/oauth2/token 429')));
});

test('every sign-in, failed ones included, is in the audit log with who and the outcome, never the secret', async () => {
  // A service of its own: the tests above spend this address's failed sign-ins.
  const own = await startTestService();
  after(() => own.close());
  const creds = JSON.parse(readFileSync(join(own.dataDir, 'owner-credentials.json'), 'utf8'));
  const signIn = (over: Record<string, string>) =>
    fetch(`${own.url}/adfs/oauth2/token`, { method: 'POST', body: new URLSearchParams({ ...asMsal({ client_id: creds.appId, client_secret: creds.password, scope: `${own.url}//.default` }), ...over }) });
  const sub = (await own.http('GET', '/subscriptions', undefined, '2024-11-01')).body.value[0].subscriptionId as string;
  const unknown = '0f0f0f0f-1111-2222-3333-444444444444';
  assert.equal((await signIn({})).status, 200);
  assert.equal((await signIn({ client_id: unknown, client_secret: 'not-the-secret-xyz' })).status, 401);
  const res = await own.http('GET', `/subscriptions/${sub}/providers/microsoft.insights/eventtypes/management/values`, undefined, '2015-04-01');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const signIns = res.body.value.filter((e: any) => e.operationName.value === 'Microsoft.Authorization/signIn/action');
  const ownerId = (await own.http('GET', '/v1.0/servicePrincipals', undefined, null)).body.value.find((p: any) => p.appId === creds.appId).id as string;
  assert.ok(signIns.some((e: any) => e.status.value === 'Succeeded' && JSON.stringify(e).includes(ownerId)), JSON.stringify(signIns));
  assert.ok(signIns.some((e: any) => e.status.value === 'Failed' && JSON.stringify(e).includes(unknown)), JSON.stringify(signIns));
  const text = JSON.stringify(res.body);
  for (const secret of [creds.password, 'not-the-secret-xyz']) assert.equal(text.includes(secret), false, 'no secret in the audit log');
});

test('a call is audited by its route\'s action and scope, also outside any subscription', async () => {
  const made = await svc.http('POST', '/v1.0/servicePrincipals', { displayName: 'audited-sp' }, null);
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const [newest] = await svc.ctx.catalog.queryAudit({ limit: 1 });
  assert.equal(newest!.entry.operationName, 'Microsoft.Authorization/servicePrincipals/write');
  assert.equal(newest!.entry.resourceId, '/');
  assert.equal(newest!.entry.status, 'Succeeded');
});
