// Errors of sign-in and identity: a request without a valid bearer token (401, in ARM's words),
// service principals (Graph's codes), the token service's signing keys, and the CLI's sign-in.
// The token endpoint itself answers in OAuth2's own error format (src/identity/token-service.ts).
import { DpError } from './dp-error.ts';

export const identityErrors = {
  /** No Authorization header, or one that is not `Bearer <token>`. */
  authenticationMissing: (): DpError => new DpError('unauthenticated', 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing."),
  authenticationHeaderMalformed: (): DpError =>
    new DpError('unauthenticated', 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is provided in an invalid format."),
  /** A token that is not one this service issued for this audience and tenant; `reason` never quotes the token. */
  tokenInvalid: (reason: string): DpError => new DpError('unauthenticated', 'InvalidAuthenticationToken', `The access token is invalid: ${reason}.`),
  tokenExpired: (expiry: string, now: string): DpError =>
    new DpError('unauthenticated', 'ExpiredAuthenticationToken', `The access token expiry UTC time '${expiry}' is earlier than current UTC time '${now}'.`),
  /** A token whose principal no longer exists (deleted) or may not sign in. */
  tokenPrincipalGone: (): DpError => new DpError('unauthenticated', 'InvalidAuthenticationToken', 'The access token is invalid: its principal no longer exists.'),
  principalNotFound: (id: string): DpError =>
    new DpError('notFound', 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`),
  principalRequestInvalid: (message: string, target?: string): DpError => new DpError('invalid', 'Request_BadRequest', message, { target: target ?? null }),
  managedIdentityCredentials: (id: string): DpError =>
    new DpError('invalid', 'Request_BadRequest', `'${id}' is a managed identity: it has no password credentials and cannot sign in.`),
  signingKeysDamaged: (dir: string, why: string): DpError => new DpError('internal', 'SigningKeysDamaged', `The token signing keys in ${dir} cannot be read: ${why}.`),
  /** CLI: the token service refused the sign-in (OAuth2 error). */
  signInRefused: (error: string, description: string): DpError => new DpError('unauthenticated', 'AuthenticationFailed', `Sign-in failed (${error}): ${description}`),
  /** CLI: a token would go over plain HTTP to another machine. */
  tokenOverPlainHttp: (endpoint: string): DpError =>
    new DpError(
      'invalid',
      'InsecureEndpoint',
      `Refusing to send an access token to ${endpoint} over plain HTTP: only loopback addresses may be reached without TLS. Use https:// (start the server with --tls-generate or --tls-cert).`,
    ),
  /** CLI: nobody is signed in and the owner's credentials cannot be read. */
  notSignedIn: (): DpError =>
    new DpError('unauthenticated', 'AuthenticationFailed', "Please run 'dpvault login --service-principal -u APPID -p SECRET --tenant TENANT' to sign in (no cached sign-in, and no readable owner-credentials.json)."),
};
