// The pipeline's authorization step, run once the route is matched and before anything of the
// request runs (api-version, body, handler): the caller must be allowed the route's action over
// the request's scope (route-actions.ts), or, on a secret route, hold the key vault access policy
// it needs. A denied request changes nothing. Operations polled at a resource group or a location
// are authorized over the resource they are about. Some lists are cut down to the items the
// caller may read instead of refused, as Azure's.
import { errors } from '../domain/errors.ts';
import { demand, partialGrants } from '../identity/access.ts';
import { scopeCovers } from '../identity/scopes.ts';
import { demandSecretPermission } from '../identity/key-vault-access.ts';
import type { Caller } from '../services/caller.ts';
import type { ServiceContext } from '../services/context.ts';
import type { ApiResponse } from './http.ts';
import { routeAction, scopeOf } from './route-actions.ts';

/** Resolves when the request may go on, with what to do to its answer (a list cut down to what the caller may read). */
export type Authorize = (caller: Caller, route: { method: string; pattern: string }, path: string) => Promise<AnswerFilter | void>;
export type AnswerFilter = (res: ApiResponse) => ApiResponse;

/** A key vault's id from a path under it: `/subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.KeyVault/vaults/{kv}`. */
const keyVaultIdOf = (scope: string) => `/${scope.split('/').filter(Boolean).slice(0, 8).join('/')}`;

export function authorizeRoutes(ctx: ServiceContext): Authorize {
  return async (caller, route, path) => {
    if (caller.kind === 'operator') return;
    const found = routeAction(route.method, route.pattern);
    if (found === 'none') return;
    const pathScope = scopeOf(route.pattern, path);
    // A route the table misses is refused, never silently allowed.
    if (!found) throw errors.authorizationFailed(caller.appId, caller.objectId, `${route.method} ${route.pattern}`, pathScope);
    const scope = found.scopeFromOperation ? ((await ctx.catalog.getOperation(pathScope.split('/').pop()!))?.resourceId ?? pathScope) : pathScope;
    if (found.secretPermission) return demandSecretPermission(ctx, caller, keyVaultIdOf(scope), found.secretPermission);
    if (found.filtersList) {
      const within = await partialGrants(ctx, caller, found.action, scope);
      if (within === undefined) return;
      if (within.length) return onlyItemsWithin(within);
    }
    return demand(ctx, caller, found.action, scope);
  };
}

/** Keeps the items of a list answer (`value`) whose ids lie under one of the scopes. */
const onlyItemsWithin = (scopes: string[]): AnswerFilter => (res) => {
  const body = res.body as { value?: { id?: unknown }[] } | undefined;
  if (!Array.isArray(body?.value)) return res;
  const value = body.value.filter((item) => typeof item.id === 'string' && scopes.some((s) => scopeCovers(s, item.id as string)));
  return { ...res, body: { ...body, value } };
};
