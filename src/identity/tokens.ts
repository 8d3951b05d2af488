// Access tokens: JWTs signed RS256 by the token service's current key, with the claims az and
// ARM's clients expect (`aud`, `iss`, `tid`, `oid`, `appid`, `iat`, `nbf`, `exp`), and their strict
// verification: a known key (by `kid`), `alg` RS256 only (so neither `none` nor HS256 keyed with
// the public key), an accepted audience, the installation's issuer and tenant, and the time window.
// The JOSE work is the `jose` library's; this file decides what is issued and what is accepted.
import { errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { Clock } from '../util/clock.ts';
import type { SigningKey, SigningKeys } from './signing-keys.ts';

/** How long an access token lives. */
export const TOKEN_LIFETIME_SECONDS = 3600;
/** How far the clocks of the token service and the API may disagree. */
const CLOCK_TOLERANCE_SECONDS = 60;

/** Who a token is for. */
export interface TokenSubject {
  objectId: string;
  appId: string;
  tenantId: string;
  name: string;
}

export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
  /** Seconds since the epoch. */
  expiresOn: number;
}

export async function issueAccessToken(key: SigningKey, s: TokenSubject, claims: { audience: string; issuer: string }, clock: Clock): Promise<IssuedToken> {
  const now = Math.floor(clock.now().getTime() / 1000);
  const exp = now + TOKEN_LIFETIME_SECONDS;
  const accessToken = await new SignJWT({ tid: s.tenantId, oid: s.objectId, appid: s.appId, app_displayname: s.name, idtyp: 'app', ver: '1.0' })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid })
    .setAudience(claims.audience)
    .setIssuer(claims.issuer)
    .setSubject(s.objectId)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(exp)
    .sign(key.privateKey);
  return { accessToken, expiresIn: TOKEN_LIFETIME_SECONDS, expiresOn: exp };
}

/** What a token must say to be accepted. */
export interface TokenExpectations {
  audiences: readonly string[];
  issuer: string;
  tenantId: string;
}

/** Why a token was refused: `expired` is told apart, as Azure does (ExpiredAuthenticationToken). */
export type TokenVerdict = { ok: true; subject: TokenSubject } | { ok: false; expired?: Date; reason: string };

export async function verifyAccessToken(token: string, keys: SigningKeys, expect: TokenExpectations, clock: Clock): Promise<TokenVerdict> {
  try {
    const { payload } = await jwtVerify(token, (header) => keyFor(keys, header.kid), {
      algorithms: ['RS256'],
      audience: [...expect.audiences],
      issuer: expect.issuer,
      requiredClaims: ['exp', 'nbf', 'iat', 'tid', 'oid', 'appid'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      currentDate: clock.now(),
    });
    return subjectOf(payload, expect.tenantId);
  } catch (e) {
    if (e instanceof joseErrors.JWTExpired) return { ok: false, expired: new Date(Number(e.payload.exp) * 1000), reason: 'the token has expired' };
    return { ok: false, reason: refusalReason(e) };
  }
}

function keyFor(keys: SigningKeys, kid: string | undefined) {
  const key = keys.verifying.find((k) => k.kid === kid);
  if (!key) throw new joseErrors.JWKSNoMatchingKey();
  return key.publicKey;
}

function subjectOf(p: JWTPayload, tenantId: string): TokenVerdict {
  const { tid, oid, appid, app_displayname: name } = p as Record<string, unknown>;
  if (typeof tid !== 'string' || tid.toLowerCase() !== tenantId.toLowerCase()) return { ok: false, reason: 'the token is for another tenant' };
  if (typeof oid !== 'string' || typeof appid !== 'string') return { ok: false, reason: 'the token names no principal' };
  return { ok: true, subject: { objectId: oid, appId: appid, tenantId: tid, name: typeof name === 'string' ? name : appid } };
}

/** A short reason, never the token or its claims' values. */
function refusalReason(e: unknown): string {
  if (e instanceof joseErrors.JWTClaimValidationFailed) {
    if (e.claim === 'nbf' || e.claim === 'iat') return 'the token is not valid yet';
    if (e.claim === 'aud') return 'the token is for another audience';
    if (e.claim === 'iss') return 'the token has another issuer';
    return `the token's '${e.claim}' claim is missing or wrong`;
  }
  if (e instanceof joseErrors.JOSEAlgNotAllowed) return 'the token is not signed with RS256';
  if (e instanceof joseErrors.JWKSNoMatchingKey || e instanceof joseErrors.JWSSignatureVerificationFailed) return 'the token is not signed by a key of this service';
  return 'the token is malformed';
}
