// Resource groups (Microsoft.Resources) and the subscription the installation runs as.
import { checkSubscription, deleteResourceGroup, getResourceGroup, listResourceGroups, putResourceGroup } from '../../services/resource-groups.ts';
import type { ServiceContext } from '../../services/context.ts';
import { seesSubscription } from '../../identity/access.ts';
import { ok } from '../http.ts';
import type { Router } from '../router.ts';

export function registerResourceGroupRoutes(router: Router): void {
  const rgPath = '/subscriptions/{sub}/resourcegroups/{rg}';
  router
    // Listed to a caller holding a role anywhere in the subscription (the one route without a check).
    .add('GET', '/subscriptions', async (req) =>
      ok({ value: (await seesSubscription(req.ctx, req.caller, req.ctx.subscriptionId)) ? [subscriptionBody(req.ctx)] : [] }), 'subscriptions')
    .add('GET', '/subscriptions/{sub}', async (req) => {
      checkSubscription(req.ctx, req.params.sub);
      return ok(subscriptionBody(req.ctx));
    }, 'subscriptions')
    .add('GET', '/subscriptions/{sub}/resourcegroups', async (req) => ok({ value: await listResourceGroups(req.ctx, req.params.sub) }), 'resources')
    .add('GET', rgPath, async (req) => ok(await getResourceGroup(req.ctx, req.params.sub, req.params.rg)), 'resources')
    .add('PUT', rgPath, async (req) => {
      const { group, created } = await putResourceGroup(req.ctx, req.params.sub, req.params.rg, req.body);
      return ok(group, created ? 201 : 200);
    }, 'resources')
    .add('DELETE', rgPath, async (req) => {
      const deleted = await deleteResourceGroup(req.ctx, req.params.sub, req.params.rg);
      return { status: deleted ? 200 : 204 };
    }, 'resources');
}

function subscriptionBody(ctx: ServiceContext) {
  return {
    id: `/subscriptions/${ctx.subscriptionId}`,
    subscriptionId: ctx.subscriptionId,
    tenantId: ctx.tenantId,
    displayName: 'dpvault',
    state: 'Enabled',
  };
}
