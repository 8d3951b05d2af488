// Who a request acts for, resolved once per request by the API's pipeline and handed to services.
// Today every caller is the local operator (whoever can reach the port); the identity issue resolves
// callers from a bearer token instead, and services then check what the caller may do.
import type { ServiceContext } from './context.ts';

export interface Caller {
  /** `operator`: the installation's own operator, with every right. */
  kind: 'operator';
  /** Shown in logs and, later, in job and audit details. */
  name: string;
}

export const LOCAL_OPERATOR: Caller = Object.freeze({ kind: 'operator', name: 'local' });

/**
 * Finds the caller of one request from its headers. The composition root supplies it (today
 * `localOperator`); a DpError it throws is the request's answer.
 */
export type CallerResolver = (headers: Readonly<Record<string, string | string[] | undefined>>) => Caller | Promise<Caller>;

export const localOperator: CallerResolver = () => LOCAL_OPERATOR;

/**
 * The service context one request acts with: the installation's context plus who asked. Services
 * keep taking a `ServiceContext` (this is one), so the caller reaches them without a second
 * argument on every function; the ones that will check rights take a `CallerContext`.
 */
export type CallerContext = ServiceContext & { readonly caller: Caller };

export function forCaller(ctx: ServiceContext, caller: Caller): CallerContext {
  return { ...ctx, caller };
}
