// Microsoft.DBforPostgreSQL/flexibleServers: registration of the flexible servers dpvault backs up
// as a whole (AzureDatabaseForPostgreSQLFlexibleServer), with the key vault secret that holds
// their administrator's connection string (its value never passes through these routes).
import {
  deleteFlexibleServer, getFlexibleServer, listFlexibleServers, putFlexibleServer,
} from '../../services/flexible-servers.ts';
import { checkSubscription } from '../../services/resource-groups.ts';
import { ok, type ApiRequest } from '../http.ts';
import type { Router } from '../router.ts';
import { pageParams, pagedBody } from './paging.ts';

const PG = '/providers/Microsoft.DBforPostgreSQL';
export const FLEXIBLE_SERVER_PATH = `/subscriptions/{sub}/resourceGroups/{rg}${PG}/flexibleServers/{server}` as const;

export function registerFlexibleServerRoutes(router: Router): void {
  const p = (req: ApiRequest<'sub' | 'rg' | 'server'>) => [req.params.sub, req.params.rg, req.params.server] as const;
  router
    .add('GET', `/subscriptions/{sub}${PG}/flexibleServers`, async (req) => {
      checkSubscription(req.ctx, req.params.sub);
      return ok(pagedBody(req, await listFlexibleServers(req.ctx, req.params.sub, undefined, pageParams(req))));
    }, 'postgres')
    .add('GET', `/subscriptions/{sub}/resourceGroups/{rg}${PG}/flexibleServers`, async (req) =>
      ok(pagedBody(req, await listFlexibleServers(req.ctx, req.params.sub, req.params.rg, pageParams(req)))), 'postgres')
    .add('GET', FLEXIBLE_SERVER_PATH, async (req) => ok(await getFlexibleServer(req.ctx, ...p(req))), 'postgres')
    .add('PUT', FLEXIBLE_SERVER_PATH, async (req) => {
      const { server, created } = await putFlexibleServer(req.ctx, ...p(req), req.body);
      return ok(server, created ? 201 : 200);
    }, 'postgres')
    .add('DELETE', FLEXIBLE_SERVER_PATH, async (req) => ({ status: (await deleteFlexibleServer(req.ctx, ...p(req))) ? 200 : 204 }), 'postgres');
}
