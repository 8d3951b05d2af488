// Principals for tests of authorization, made in the real catalog as the token service's `ad sp`
// commands make them (resources of type Microsoft.Graph/servicePrincipals), and an in-process
// caller resolver that takes the principal from a test header. Authentication itself (bearer
// tokens) is the token service's and is tested over HTTP there; these tests are about what an
// authenticated principal may do.
import { randomUUID } from 'node:crypto';
import { createApp, type App } from '../../src/api/app.ts';
import { buildRouter } from '../../src/api/routes/index.ts';
import { SERVICE_PRINCIPAL_TYPE } from '../../src/identity/role-assignments.ts';
import { LOCAL_OPERATOR, type CallerResolver, type PrincipalCaller } from '../../src/services/caller.ts';
import type { ServiceContext } from '../../src/services/context.ts';

export const PRINCIPAL_HEADER = 'x-test-principal';

/** Adds a service principal to the catalog and returns it as the caller it signs in as. */
export async function addPrincipal(ctx: ServiceContext, name: string): Promise<PrincipalCaller> {
  const p: PrincipalCaller = { kind: 'principal', objectId: randomUUID(), appId: randomUUID(), tenantId: ctx.tenantId, name };
  await ctx.catalog.putResource({
    id: `/servicePrincipals/${p.objectId}`, type: SERVICE_PRINCIPAL_TYPE, parentId: null, body: { id: p.objectId, appId: p.appId, displayName: name },
  });
  return p;
}

/** The principal named by the test header (by object id), else the operator. */
export function headerResolver(principals: () => readonly PrincipalCaller[]): CallerResolver {
  return (headers) => {
    const oid = headers[PRINCIPAL_HEADER];
    return principals().find((p) => p.objectId === oid) ?? LOCAL_OPERATOR;
  };
}

/** The API in-process, with callers taken from the test header. */
export function appWithPrincipals(ctx: ServiceContext, principals: () => readonly PrincipalCaller[]): App {
  return createApp(buildRouter(), { context: ctx, resolveCaller: headerResolver(principals) });
}

export const as = (p: PrincipalCaller): { headers: Record<string, string> } => ({ headers: { [PRINCIPAL_HEADER]: p.objectId } });
