// The pipeline's last step: finds the route, checks the api-version, reads the body and calls the
// handler with the request it was promised (typed params, the caller, the request id).
import { errors } from '../domain/errors.ts';
import { forCaller } from '../services/caller.ts';
import type { ServiceContext } from '../services/context.ts';
import { checkApiVersion } from './api-version.ts';
import { requestBaseUrl } from './base-url.ts';
import type { Middleware } from './pipeline.ts';
import { parseRequestTarget } from './request-target.ts';
import type { Authorize } from './route-authorization.ts';
import type { Router } from './router.ts';

/**
 * `trustProxy`: absolute URLs follow X-Forwarded-Proto/-Host (base-url.ts). `authorize` runs as
 * soon as the route is known, before the api-version, the body or the handler.
 */
export function dispatchTo(router: Router, ctx: ServiceContext, trustProxy = false, authorize?: Authorize): Middleware {
  return async (x) => {
    const { path, query } = parseRequestTarget(x.req.target);
    const method = x.req.method;
    const found = router.match(method, path);
    if (!('route' in found)) {
      if (found.methodMismatch) {
        throw errors.methodNotAllowed(`The HTTP method '${method}' is not supported for '${path}'.`);
      }
      throw errors.resourceTypeNotServed(`No resource type is served at '${path}'.`);
    }
    const { route, params } = found;
    x.route = { method: route.method, pattern: route.pattern };
    if (!x.caller) throw new Error('the pipeline resolved no caller');
    const filterAnswer = await authorize?.(x.caller, route, path);
    const apiVersion = route.versions === 'none' ? '' : checkApiVersion(query.get('api-version'), route.versions, typeFromPath(path));
    const body = await x.req.body();
    x.res = await route.handler({
      method,
      path,
      params,
      query,
      headers: x.req.headers,
      body,
      apiVersion,
      baseUrl: requestBaseUrl(x.req, trustProxy),
      caller: x.caller,
      ctx: forCaller(ctx, x.caller),
      requestId: x.requestId,
    });
    if (filterAnswer) x.res = filterAnswer(x.res);
  };
}

function typeFromPath(path: string): string {
  const parts = path.split('/').filter(Boolean);
  const i = parts.findIndex((p) => p.toLowerCase() === 'providers');
  if (i < 0) return parts.length > 2 ? 'resourceGroups' : 'subscriptions';
  const types = parts.slice(i + 2).filter((_, k) => k % 2 === 0);
  return `${parts[i + 1]}/${types.join('/')}`;
}
