// Tokens a service must refuse, made with the service's own keys where that makes the forgery
// sharper: expired, not yet valid, for another audience, tenant or issuer (all signed by its real
// key), signed by another key, `alg: none`, HS256 keyed with its public key, and malformed.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { SignJWT, UnsecuredJWT, type JWTPayload } from 'jose';
import { loadOrCreateSigningKeys } from '../../src/identity/signing-keys.ts';

export interface ForgedToken {
  kind: string;
  /** The `Authorization` header to send (undefined: none at all). */
  header: string | undefined;
  /** The code the 401 must carry. */
  code: 'AuthenticationFailed' | 'InvalidAuthenticationToken' | 'ExpiredAuthenticationToken';
}

/** Every kind of bad token for a service at `url` with this data directory, acting as `principal`. */
export async function forgedTokens(url: string, dataDir: string, principal: { objectId: string; appId: string; tenant: string }): Promise<ForgedToken[]> {
  const key = loadOrCreateSigningKeys(dataDir).current;
  const now = Math.floor(Date.now() / 1000);
  const claims = { tid: principal.tenant, oid: principal.objectId, appid: principal.appId };
  const good = { aud: `${url}/`, iss: `${url}/adfs`, iat: now, nbf: now, exp: now + 3600 };
  const sign = (over: JWTPayload, signer: { alg: string; key: Parameters<SignJWT['sign']>[0]; kid?: string } = { alg: 'RS256', key: key.privateKey, kid: key.kid }) =>
    new SignJWT({ ...claims, ...good, ...over }).setProtectedHeader({ alg: signer.alg, typ: 'JWT', kid: signer.kid }).sign(signer.key);
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const publicPem = key.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const bearer = (t: string) => `Bearer ${t}`;
  const invalid = async (kind: string, t: string | Promise<string>): Promise<ForgedToken> => ({ kind, header: bearer(await t), code: 'InvalidAuthenticationToken' });
  return [
    { kind: 'no header', header: undefined, code: 'AuthenticationFailed' },
    { kind: 'empty header', header: '', code: 'AuthenticationFailed' },
    { kind: 'basic scheme', header: 'Basic dXNlcjpwYXNz', code: 'AuthenticationFailed' },
    { kind: 'bearer without token', header: 'Bearer', code: 'AuthenticationFailed' },
    await invalid('malformed', 'not.a.jwt'),
    await invalid('garbage base64', 'eyJhbGciOiJSUzI1NiJ9.eyJ0aWQiOjF9.AAAA'),
    { kind: 'expired', header: bearer(await sign({ iat: now - 7200, nbf: now - 7200, exp: now - 3600 })), code: 'ExpiredAuthenticationToken' },
    await invalid('not yet valid', sign({ iat: now + 3600, nbf: now + 3600, exp: now + 7200 })),
    await invalid('wrong audience', sign({ aud: 'https://management.azure.com/' })),
    await invalid('wrong tenant', sign({ tid: randomUUID() })),
    await invalid('wrong issuer', sign({ iss: 'https://login.microsoftonline.com/adfs' })),
    await invalid('unknown principal', sign({ oid: randomUUID(), appid: randomUUID() })),
    await invalid('other key', sign({}, { alg: 'RS256', key: stranger, kid: key.kid })),
    await invalid('other key, unknown kid', sign({}, { alg: 'RS256', key: stranger, kid: randomUUID() })),
    await invalid('HS256 keyed with the public key', sign({}, { alg: 'HS256', key: new TextEncoder().encode(publicPem), kid: key.kid })),
    await invalid('alg none', new UnsecuredJWT({ ...claims, ...good }).encode()),
  ];
}
