// Service principals, Microsoft Graph style (`/v1.0/servicePrincipals`, no api-version): list,
// create (the answer carries the new secret once, as `secretText`), show and delete by object id
// or application id, and `resetPassword` (every password replaced by a new one, shown once).
// Stored secrets are never shown: answers go through `shownPrincipal`.
import { errors } from '../../domain/errors.ts';
import {
  createApplicationPrincipal, deletePrincipal, getPrincipal, listPrincipals, resetPrincipalCredential, shownPrincipal,
} from '../../identity/principals.ts';
import { ok } from '../http.ts';
import type { Router } from '../router.ts';

export const SERVICE_PRINCIPALS_PATH = '/v1.0/servicePrincipals';

export function registerServicePrincipalRoutes(router: Router): void {
  const one = `${SERVICE_PRINCIPALS_PATH}/{id}` as const;
  router
    .add('GET', SERVICE_PRINCIPALS_PATH, async (req) => ok({ value: (await listPrincipals(req.ctx)).map(shownPrincipal) }), 'none')
    .add('POST', SERVICE_PRINCIPALS_PATH, async (req) => {
      const body = (req.body ?? {}) as { displayName?: unknown };
      if (typeof body.displayName !== 'string') throw errors.principalRequestInvalid("The property 'displayName' is required.", 'displayName');
      const { principal, password } = await createApplicationPrincipal(req.ctx, body.displayName);
      return ok({ ...shownPrincipal(principal), secretText: password }, 201);
    }, 'none')
    .add('GET', one, async (req) => ok(shownPrincipal(await getPrincipal(req.ctx, req.params.id))), 'none')
    .add('DELETE', one, async (req) => {
      await deletePrincipal(req.ctx, req.params.id);
      return { status: 204 };
    }, 'none')
    .add('POST', `${one}/resetPassword`, async (req) => {
      const { principal, password } = await resetPrincipalCredential(req.ctx, req.params.id);
      const { secretHash: _hidden, ...credential } = principal.passwordCredentials[0]!;
      return ok({ ...credential, secretText: password });
    }, 'none');
}
