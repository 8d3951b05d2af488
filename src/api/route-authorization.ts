// The pipeline's authorization step, run once the route is matched and before anything of the
// request runs (api-version, body, handler): the caller must be allowed the route's action over
// the request's scope (route-actions.ts), or, on a secret route, hold the key vault access policy
// it needs. A denied request changes nothing. Operations polled at a resource group or a location
// are authorized over the resource they are about.
import { errors } from '../domain/errors.ts';
import { demand } from '../identity/access.ts';
import { demandSecretPermission } from '../identity/key-vault-access.ts';
import type { Caller } from '../services/caller.ts';
import type { ServiceContext } from '../services/context.ts';
import { routeAction, scopeOf } from './route-actions.ts';

export type Authorize = (caller: Caller, route: { method: string; pattern: string }, path: string) => Promise<void>;

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
    return demand(ctx, caller, found.action, scope);
  };
}
