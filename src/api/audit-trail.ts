// The pipeline's audit step: every mutating call (PUT, PATCH, POST, DELETE) is recorded in the
// audit log with its caller, operation name, resource, status and request id, refused ones
// included. It runs inside the error mapping, so it sees a refusal as the error it is. A call is
// named as authorization names it (the route's action and scope, route-actions.ts); only a request
// no route matched is named from its path.
import { isMutating, operationNameOf, resourceOfPath } from '../domain/audit.ts';
import { toDpError } from '../domain/errors.ts';
import { recordAudit } from '../services/audit.ts';
import { forCaller } from '../services/caller.ts';
import type { ServiceContext } from '../services/context.ts';
import type { Exchange, Middleware } from './pipeline.ts';
import { usableId } from './request-id.ts';
import { parseRequestTarget } from './request-target.ts';
import { routeAction, scopeOf } from './route-actions.ts';

export function auditTrail(ctx: ServiceContext): Middleware {
  return async (x, next) => {
    if (!isMutating(x.req.method) || !x.caller) return next();
    let status = 500;
    let code: string | null = null;
    try {
      await next();
      status = x.res?.status ?? 500;
    } catch (e) {
      const err = toDpError(e);
      status = err.status;
      code = err.code;
      throw e;
    } finally {
      await recordAudit(forCaller(ctx, x.caller), {
        ...auditedAs(x),
        status: status < 400 ? 'Succeeded' : 'Failed',
        httpStatus: status,
        subStatus: code,
        requestId: x.requestId,
        correlationId: usableId(x.req.headers['x-ms-correlation-request-id']) ?? x.requestId,
        method: x.req.method.toUpperCase(),
      });
    }
  };
}


/** The operation name and resource of a call: the matched route's action and scope, else read from the path. */
function auditedAs(x: Exchange): { operationName: string; resourceId: string } {
  const { path } = parseRequestTarget(x.req.target);
  const found = x.route && routeAction(x.route.method, x.route.pattern);
  if (x.route && found && found !== 'none') return { operationName: found.action, resourceId: scopeOf(x.route.pattern, path) };
  return { operationName: operationNameOf(x.req.method, path), resourceId: resourceOfPath(path).resourceId };
}
