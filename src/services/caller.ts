// Who a request acts for, resolved once per request by the API's pipeline and handed to services.
// Over HTTP every caller is a principal proven by a bearer token (src/identity/); in-process callers
// (tests and tools calling `app.request` without a resolver) are the local operator.
import type { ServiceContext } from './context.ts';

/** The installation's own operator, with every right: in-process calls only, never over HTTP. */
export interface OperatorCaller {
  kind: 'operator';
  /** Shown in logs and in job and audit details. */
  name: string;
}

/** A service principal (a user's, the Owner made at first start, or a vault's managed identity). */
export interface PrincipalCaller {
  kind: 'principal';
  /** The principal's object id (a GUID): what role assignments and access policies name. */
  objectId: string;
  /** Its application (client) id: what signs in. */
  appId: string;
  tenantId: string;
  /** Its display name: shown in logs and in job and audit details. */
  name: string;
}

export type Caller = OperatorCaller | PrincipalCaller;

export const LOCAL_OPERATOR: Caller = Object.freeze({ kind: 'operator', name: 'local' });

/**
 * Finds the caller of one request from its headers. The composition root supplies it; a DpError it
 * throws (401 with WWW-Authenticate) is the request's answer.
 */
export type CallerResolver = (
  headers: Readonly<Record<string, string | string[] | undefined>>,
  /** The base URL the request reached (scheme and host): what a token's audience and issuer must name. */
  request?: { baseUrl: string },
) => Caller | Promise<Caller>;

export const localOperator: CallerResolver = () => LOCAL_OPERATOR;

/**
 * The service context one request acts with: the installation's context plus who asked. Services
 * keep taking a `ServiceContext` (this is one), so the caller reaches them without a second
 * argument on every function; the ones that check rights take a `CallerContext`.
 */
export type CallerContext = ServiceContext & { readonly caller: Caller };

export function forCaller(ctx: ServiceContext, caller: Caller): CallerContext {
  return { ...ctx, caller };
}
