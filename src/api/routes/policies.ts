// Backup policies: synchronous PUT, GET, DELETE and list, as in Azure.
import { deletePolicy, getPolicy, listPolicies, putPolicy } from '../../services/policies.ts';
import { demandGuardApproval } from '../../identity/resource-guard-approval.ts';
import { ok, type ApiRequest } from '../http.ts';
import type { Router } from '../router.ts';
import { VAULT_PATH } from './vaults.ts';

export function registerPolicyRoutes(router: Router): void {
  const v = (req: ApiRequest<'sub' | 'rg' | 'vault'>) => [req.params.sub, req.params.rg, req.params.vault] as const;
  const one = `${VAULT_PATH}/backupPolicies/{policy}` as const;
  router
    .add('GET', `${VAULT_PATH}/backupPolicies`, async (req) => ok({ value: await listPolicies(req.ctx, ...v(req)) }))
    .add('GET', one, async (req) => ok(await getPolicy(req.ctx, ...v(req), req.params.policy)))
    .add('PUT', one, async (req) => ok(await putPolicy(req.ctx, ...v(req), req.params.policy, req.body, (vault) => demandGuardApproval(req.ctx, vault, 'updatePolicy'))))
    .add('DELETE', one, async (req) => ({ status: (await deletePolicy(req.ctx, ...v(req), req.params.policy)) ? 200 : 204 }));
}
