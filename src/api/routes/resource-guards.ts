// Multi-user authorization: Microsoft.DataProtection/resourceGuards (PUT/PATCH synchronous, as
// Azure's) and a vault's mapping to one, backupResourceGuardProxies/DppResourceGuardProxy.
import {
  deleteGuardProxy, deleteResourceGuard, getGuardProxy, getResourceGuard, listGuardProxies, listResourceGuards, patchResourceGuard,
  putGuardProxy, putResourceGuard,
} from '../../services/resource-guards.ts';
import { demandGuardApproval, demandGuardRead } from '../../identity/resource-guard-approval.ts';
import { checkSubscription } from '../../services/resource-groups.ts';
import { ok, type ApiRequest } from '../http.ts';
import type { Router } from '../router.ts';
import { pageParams, pagedBody } from './paging.ts';
import { VAULT_PATH } from './vaults.ts';

const DP = '/providers/Microsoft.DataProtection';
export const RESOURCE_GUARD_PATH = `/subscriptions/{sub}/resourceGroups/{rg}${DP}/resourceGuards/{guard}` as const;
const PROXY_PATH = `${VAULT_PATH}/backupResourceGuardProxies/{proxy}` as const;

export function registerResourceGuardRoutes(router: Router): void {
  const g = (req: ApiRequest<'sub' | 'rg' | 'guard'>) => [req.params.sub, req.params.rg, req.params.guard] as const;
  const v = (req: ApiRequest<'sub' | 'rg' | 'vault'>) => [req.params.sub, req.params.rg, req.params.vault] as const;
  router
    .add('GET', `/subscriptions/{sub}${DP}/resourceGuards`, async (req) => {
      checkSubscription(req.ctx, req.params.sub);
      return ok(pagedBody(req, await listResourceGuards(req.ctx, req.params.sub, undefined, pageParams(req))));
    })
    .add('GET', `/subscriptions/{sub}/resourceGroups/{rg}${DP}/resourceGuards`, async (req) =>
      ok(pagedBody(req, await listResourceGuards(req.ctx, req.params.sub, req.params.rg, pageParams(req)))))
    .add('GET', RESOURCE_GUARD_PATH, async (req) => ok(await getResourceGuard(req.ctx, ...g(req))))
    .add('PUT', RESOURCE_GUARD_PATH, async (req) => {
      const { guard, created } = await putResourceGuard(req.ctx, ...g(req), req.body);
      return ok(guard, created ? 201 : 200);
    })
    .add('PATCH', RESOURCE_GUARD_PATH, async (req) => ok(await patchResourceGuard(req.ctx, ...g(req), req.body)))
    .add('DELETE', RESOURCE_GUARD_PATH, async (req) => ({ status: (await deleteResourceGuard(req.ctx, ...g(req))) ? 200 : 204 }))
    .add('GET', `${VAULT_PATH}/backupResourceGuardProxies`, async (req) => ok({ value: await listGuardProxies(req.ctx, ...v(req)) }))
    .add('GET', PROXY_PATH, async (req) => ok(await getGuardProxy(req.ctx, ...v(req), req.params.proxy)))
    .add('PUT', PROXY_PATH, async (req) => ok(await putGuardProxy(req.ctx, ...v(req), req.params.proxy, req.body, (guard) => demandGuardRead(req.ctx, guard))))
    .add('DELETE', PROXY_PATH, async (req) => ({ status: (await deleteGuardProxy(req.ctx, ...v(req), req.params.proxy, (vault) => demandGuardApproval(req.ctx, vault, 'deleteMapping'))) ? 200 : 204 }));
}
