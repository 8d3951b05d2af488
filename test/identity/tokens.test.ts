// Signing keys on disk and the strict verification of access tokens: only tokens this service
// signed with RS256 for an accepted audience, its issuer and tenant, inside their time window.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SignJWT, UnsecuredJWT } from 'jose';
import { loadOrCreateSigningKeys, publicJwk, rotateSigningKey, type SigningKeys } from '../../src/identity/signing-keys.ts';
import { issueAccessToken, verifyAccessToken } from '../../src/identity/tokens.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { scratchDir } from '../support/scratch.ts';

const TENANT = '11111111-2222-4333-8444-555555555555';
const BASE = 'https://dp.example:7480';
const expect = { audiences: [`${BASE}/`, BASE], issuer: `${BASE}/adfs`, tenantId: TENANT };
const subject = { objectId: 'aaaaaaaa-2222-4333-8444-555555555555', appId: 'bbbbbbbb-2222-4333-8444-555555555555', tenantId: TENANT, name: 'sp' };
const clock = new ManualClock('2026-12-07T04:00:00Z');

const issue = (keys: SigningKeys, over: { audience?: string; issuer?: string; tenantId?: string } = {}) =>
  issueAccessToken(keys.current, { ...subject, tenantId: over.tenantId ?? TENANT }, { audience: over.audience ?? `${BASE}/`, issuer: over.issuer ?? `${BASE}/adfs` }, clock);

test('the first key is made in <data-dir>/keys with private modes, and reused', () => {
  const dir = scratchDir('dpvault-keys-');
  const keys = loadOrCreateSigningKeys(dir);
  assert.equal(statSync(join(dir, 'keys')).mode & 0o777, 0o700);
  for (const f of readdirSync(join(dir, 'keys'))) assert.equal(statSync(join(dir, 'keys', f)).mode & 0o777, 0o600, f);
  assert.equal(loadOrCreateSigningKeys(dir).current.kid, keys.current.kid);
  assert.deepEqual(keys.verifying.map((k) => k.kid), [keys.current.kid]);
  const jwk = publicJwk(keys.current);
  assert.equal(jwk.alg, 'RS256');
  assert.equal('d' in jwk, false, 'the key set shows no private part');
});

test('a rotation keeps the previous key verifying, and drops the one before', async () => {
  const dir = scratchDir('dpvault-keys-');
  const first = loadOrCreateSigningKeys(dir);
  const old = await issue(first);
  const second = rotateSigningKey(dir);
  assert.notEqual(second.current.kid, first.current.kid);
  assert.deepEqual(second.verifying.map((k) => k.kid), [second.current.kid, first.current.kid]);
  assert.equal((await verifyAccessToken(old.accessToken, loadOrCreateSigningKeys(dir), expect, clock)).ok, true, 'signed by the previous key');
  const third = rotateSigningKey(dir);
  assert.deepEqual(third.verifying.map((k) => k.kid), [third.current.kid, second.current.kid]);
  assert.equal(readdirSync(join(dir, 'keys')).filter((f) => f.endsWith('.pem')).length, 2);
  const verdict = await verifyAccessToken(old.accessToken, third, expect, clock);
  assert.deepEqual(verdict, { ok: false, reason: 'the token is not signed by a key of this service' });
});

test('a damaged key directory is a clear error', () => {
  const dir = scratchDir('dpvault-keys-');
  loadOrCreateSigningKeys(dir);
  writeFileSync(join(dir, 'keys', 'current'), 'nonsense\n');
  assert.throws(() => loadOrCreateSigningKeys(dir), { code: 'SigningKeysDamaged' });
});

test('a token of this service is accepted and names its principal', async () => {
  const keys = loadOrCreateSigningKeys(scratchDir('dpvault-keys-'));
  const t = await issue(keys);
  assert.equal(t.expiresIn, 3600);
  const verdict = await verifyAccessToken(t.accessToken, keys, expect, clock);
  assert.deepEqual(verdict, { ok: true, subject });
});

test('forged, misdirected and out-of-time tokens are refused, each with its reason', async () => {
  const keys = loadOrCreateSigningKeys(scratchDir('dpvault-keys-'));
  const other = loadOrCreateSigningKeys(scratchDir('dpvault-keys-'));
  const claims = { tid: TENANT, oid: subject.objectId, appid: subject.appId };
  const now = Math.floor(clock.now().getTime() / 1000);
  const pem = keys.current.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const hs256 = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', kid: keys.current.kid })
    .setAudience(`${BASE}/`).setIssuer(`${BASE}/adfs`).setIssuedAt(now).setNotBefore(now).setExpirationTime(now + 600)
    .sign(new TextEncoder().encode(pem));
  const none = new UnsecuredJWT(claims).setAudience(`${BASE}/`).setIssuer(`${BASE}/adfs`).setIssuedAt(now).setNotBefore(now).setExpirationTime(now + 600).encode();
  const { privateKey: stranger } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const sameKidOtherKey = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: keys.current.kid })
    .setAudience(`${BASE}/`).setIssuer(`${BASE}/adfs`).setIssuedAt(now).setNotBefore(now).setExpirationTime(now + 600)
    .sign(stranger);
  const later = await issueAccessToken(keys.current, subject, { audience: `${BASE}/`, issuer: `${BASE}/adfs` }, new ManualClock('2026-12-07T06:00:00Z'));
  const cases: [string, string, RegExp][] = [
    ['alg none', none, /not signed with RS256|malformed/],
    ['HS256 keyed with the public key', hs256, /not signed with RS256/],
    ['another service key', (await issue(other)).accessToken, /not signed by a key of this service/],
    ['a stranger key under our kid', sameKidOtherKey, /not signed by a key of this service/],
    ['wrong audience', (await issue(keys, { audience: 'https://elsewhere/' })).accessToken, /another audience/],
    ['wrong issuer', (await issue(keys, { issuer: 'https://elsewhere/adfs' })).accessToken, /another issuer/],
    ['wrong tenant', (await issue(keys, { tenantId: '99999999-2222-4333-8444-555555555555' })).accessToken, /another tenant/],
    ['not yet valid', later.accessToken, /not valid yet/],
    ['garbage', 'abc.def.ghi', /malformed/],
  ];
  for (const [what, token, reason] of cases) {
    const verdict = await verifyAccessToken(token, keys, expect, clock);
    assert.equal(verdict.ok, false, what);
    if (!verdict.ok) assert.match(verdict.reason, reason, what);
  }
  const t = await issue(keys);
  const expired = await verifyAccessToken(t.accessToken, keys, expect, new ManualClock('2026-12-07T05:05:00Z'));
  assert.equal(expired.ok, false);
  if (!expired.ok) assert.equal(expired.expired?.toISOString(), '2026-12-07T05:00:00.000Z');
});
