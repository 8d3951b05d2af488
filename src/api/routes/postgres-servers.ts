// Microsoft.DBforPostgreSQL/servers: registration of the servers dpvault backs up, and their
// databases listed live. Listing databases logs in, so those GETs take `?secretUri=` naming the
// key vault secret with the connection string; the service reads it itself and the caller never
// handles the password.
import {
  deletePostgresServer, getPostgresServer, listPostgresDatabases, listPostgresServers, putPostgresServer,
} from '../../services/postgres-servers.ts';
import { checkSubscription } from '../../services/resource-groups.ts';
import { ok, type ApiRequest } from '../http.ts';
import type { Router } from '../router.ts';
import { pageParams, pagedBody } from './paging.ts';

const PG = '/providers/Microsoft.DBforPostgreSQL';
export const POSTGRES_SERVER_PATH = `/subscriptions/{sub}/resourceGroups/{rg}${PG}/servers/{server}` as const;

export function registerPostgresServerRoutes(router: Router): void {
  const p = (req: ApiRequest<'sub' | 'rg' | 'server'>) => [req.params.sub, req.params.rg, req.params.server] as const;
  router
    .add('GET', `/subscriptions/{sub}${PG}/servers`, async (req) => {
      checkSubscription(req.ctx, req.params.sub);
      return ok(pagedBody(req, await listPostgresServers(req.ctx, req.params.sub, undefined, pageParams(req))));
    }, 'postgres')
    .add('GET', `/subscriptions/{sub}/resourceGroups/{rg}${PG}/servers`, async (req) =>
      ok(pagedBody(req, await listPostgresServers(req.ctx, req.params.sub, req.params.rg, pageParams(req)))), 'postgres')
    .add('GET', POSTGRES_SERVER_PATH, async (req) => ok(await getPostgresServer(req.ctx, ...p(req))), 'postgres')
    .add('PUT', POSTGRES_SERVER_PATH, async (req) => {
      const { server, created } = await putPostgresServer(req.ctx, ...p(req), req.body);
      return ok(server, created ? 201 : 200);
    }, 'postgres')
    .add('DELETE', POSTGRES_SERVER_PATH, async (req) => ({ status: (await deletePostgresServer(req.ctx, ...p(req))) ? 200 : 204 }), 'postgres')
    .add('GET', `${POSTGRES_SERVER_PATH}/databases`, async (req) =>
      ok({ value: await listPostgresDatabases(req.ctx, ...p(req), req.query.get('secretUri')) }), 'postgres')
    .add('GET', `${POSTGRES_SERVER_PATH}/databases/{db}`, async (req) => {
      const [db] = await listPostgresDatabases(req.ctx, ...p(req), req.query.get('secretUri'), req.params.db);
      return ok(db);
    }, 'postgres');
}
