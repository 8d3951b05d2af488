// The pipeline's authentication step for requests over HTTP: the caller is the principal a valid
// `Authorization: Bearer <JWT>` names (tokens.ts decides what is valid), and that principal must
// still exist and be able to sign in; anything else is a 401 in ARM's words with a
// `WWW-Authenticate: Bearer authorization_uri=...` challenge that points at the token service.
// Public routes (public-routes.ts) never get here: the pipeline answers them first.
import { errors, type DpError } from '../domain/errors.ts';
import { findPrincipal } from '../identity/principals.ts';
import type { SigningKeys } from '../identity/signing-keys.ts';
import { audiencesAt, issuerAt } from '../identity/token-service.ts';
import { verifyAccessToken } from '../identity/tokens.ts';
import type { CallerResolver, PrincipalCaller } from '../services/caller.ts';
import type { ServiceContext } from '../services/context.ts';
import type { Clock } from '../util/clock.ts';

const BEARER = /^Bearer +([A-Za-z0-9_.~+/-]+=*) *$/i;

export function bearerTokenResolver(d: { ctx: ServiceContext; keys: SigningKeys; clock: Clock }): CallerResolver {
  return async (headers, request) => {
    const header = headers.authorization;
    if (header === undefined || header === '') throw errors.authenticationMissing();
    const m = typeof header === 'string' ? BEARER.exec(header) : null;
    if (!m) throw errors.authenticationHeaderMalformed();
    const base = request?.baseUrl ?? '';
    const verdict = await verifyAccessToken(m[1]!, d.keys, { audiences: audiencesAt(base), issuer: issuerAt(base), tenantId: d.ctx.tenantId }, d.clock);
    if (!verdict.ok) {
      if (verdict.expired) throw errors.tokenExpired(verdict.expired.toISOString(), d.clock.now().toISOString());
      throw errors.tokenInvalid(verdict.reason);
    }
    const p = await findPrincipal(d.ctx, verdict.subject.objectId);
    if (!p || p.id !== verdict.subject.objectId.toLowerCase() || p.appId !== verdict.subject.appId || p.servicePrincipalType !== 'Application') {
      throw errors.tokenPrincipalGone();
    }
    const caller: PrincipalCaller = { kind: 'principal', objectId: p.id, appId: p.appId, tenantId: d.ctx.tenantId, name: p.displayName };
    return caller;
  };
}

/** The WWW-Authenticate value of a 401: where to get a token, and why this one was refused. */
export function bearerChallenge(baseUrl: string, err: DpError): string {
  const description = err.message.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, '?');
  return `Bearer authorization_uri="${issuerAt(baseUrl)}", error="invalid_token", error_description="${description}"`;
}
