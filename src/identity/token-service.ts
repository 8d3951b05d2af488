// The token endpoint's logic (Azure Stack Hub's ADFS mode, as az 2.45 through MSAL uses it): the
// client credentials grant, form fields as MSAL sends them (`scope=<audience>/.default`, with or
// without the doubled slash of an audience ending in `/`; `resource` instead; `client_info` and
// `claims` accepted and ignored), answered with a bearer token or OAuth2's error JSON. Nothing
// here logs, and no answer repeats a field's value.
import type { ServiceContext } from '../services/context.ts';
import type { Clock } from '../util/clock.ts';
import { principalForCredentials } from './principals.ts';
import type { SignInLimits } from './sign-in-limits.ts';
import type { SigningKeys } from './signing-keys.ts';
import { issueAccessToken } from './tokens.ts';

/**
 * The installation's own audience id, accepted wherever it is reached from (besides the resource
 * manager URL a request reaches it at): what a client asks for when it does not know the URL.
 */
export const FIXED_AUDIENCE = 'https://management.dpvault/';

/** An HTTP answer (the API's TokenAnswer shape). */
export interface TokenAnswer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export interface TokenServiceDeps {
  ctx: ServiceContext;
  keys: SigningKeys;
  limits: SignInLimits;
  /** Real time: tokens expire by the wall clock even when the service runs on a simulated one. */
  clock: Clock;
}

type OAuthError = 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope';

const oauthError = (status: number, error: OAuthError, description: string, headers?: Record<string, string>): TokenAnswer => ({
  status,
  body: { error, error_description: description },
  headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache', ...headers },
});

/** The token service's issuer: the ADFS authority at the base URL the request reached. */
export const issuerAt = (baseUrl: string): string => `${baseUrl}/adfs`;

/** The audiences a token for this base URL may name: the URL with and without its slash, and the fixed id. */
export function audiencesAt(baseUrl: string): string[] {
  return [`${baseUrl}/`, baseUrl, FIXED_AUDIENCE, FIXED_AUDIENCE.slice(0, -1)];
}

/** The audience asked for: `resource`, or the one `<audience>/.default` scope (OpenID scopes aside). */
export function requestedAudience(form: URLSearchParams): { audience: string } | { refused: string } {
  const resource = form.get('resource');
  const scopes = (form.get('scope') ?? '').split(/\s+/).filter((s) => s && !['openid', 'profile', 'offline_access'].includes(s));
  if (!scopes.length && resource) return { audience: resource };
  if (scopes.length !== 1) return { refused: scopes.length ? 'Give exactly one scope.' : "The request body must contain the parameter 'scope' (or 'resource')." };
  const m = /^(.+?)\/+\.default$/.exec(scopes[0]!);
  if (!m) return { refused: "The scope must be '<resource>/.default' for the client credentials grant." };
  return { audience: m[1]! };
}

/** The audience as the token names it: one of the accepted ones (with its trailing slash), or undefined. */
export function acceptedAudience(asked: string, baseUrl: string): string | undefined {
  const norm = (a: string) => a.replace(/\/+$/, '').toLowerCase();
  return audiencesAt(baseUrl).find((a) => a.endsWith('/') && norm(a) === norm(asked));
}

export async function answerTokenRequest(d: TokenServiceDeps, form: URLSearchParams, from: { baseUrl: string; address: string }): Promise<TokenAnswer> {
  const grant = form.get('grant_type');
  const clientId = form.get('client_id');
  const secret = form.get('client_secret');
  if (!grant) return oauthError(400, 'invalid_request', "The request body must contain the parameter 'grant_type'.");
  if (grant !== 'client_credentials') return oauthError(400, 'unsupported_grant_type', 'Only the client_credentials grant is supported.');
  if (!clientId) return oauthError(400, 'invalid_request', "The request body must contain the parameter 'client_id'.");
  const wait = d.limits.retryAfter(clientId, from.address);
  if (wait !== undefined) {
    return oauthError(429, 'invalid_client', `Too many failed sign-in attempts. Try again in ${wait} seconds.`, { 'Retry-After': String(wait) });
  }
  if (!secret) return oauthError(400, 'invalid_request', "The request body must contain the parameter 'client_secret'.");
  const asked = requestedAudience(form);
  if ('refused' in asked) return oauthError(400, 'invalid_scope', asked.refused);
  const audience = acceptedAudience(asked.audience, from.baseUrl);
  if (!audience) return oauthError(400, 'invalid_scope', `The resource is not one this service issues tokens for; use '${from.baseUrl}/' or '${FIXED_AUDIENCE}'.`);
  const principal = await principalForCredentials(d.ctx, clientId, secret);
  if (!principal) {
    d.limits.recordFailure(clientId, from.address);
    return oauthError(401, 'invalid_client', 'Invalid client credentials: the client id is unknown or the secret is wrong.');
  }
  const token = await issueAccessToken(
    d.keys.current,
    { objectId: principal.id, appId: principal.appId, tenantId: d.ctx.tenantId, name: principal.displayName },
    { audience, issuer: issuerAt(from.baseUrl) },
    d.clock,
  );
  return {
    status: 200,
    headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' },
    body: {
      token_type: 'Bearer',
      expires_in: token.expiresIn,
      ext_expires_in: token.expiresIn,
      expires_on: token.expiresOn,
      resource: audience,
      access_token: token.accessToken,
    },
  };
}
