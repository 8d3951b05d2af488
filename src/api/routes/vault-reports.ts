// dpvault's own read-only reports on a vault, for the Backup center (src/web/): a stored policy's
// retention calendar (the policy engine's simulation, as `backup-policy simulate` offline) and the
// vault's storage use now and over time. GETs: they change nothing and are not audited.
import { simulateStoredPolicy } from '../../services/policy-simulation.ts';
import { vaultStorageUsage } from '../../services/vault-storage-usage.ts';
import { ok } from '../http.ts';
import type { Router } from '../router.ts';
import { VAULT_PATH } from './vaults.ts';

export function registerVaultReportRoutes(router: Router): void {
  router
    .add('GET', `${VAULT_PATH}/backupPolicies/{policy}/simulate`, async (req) =>
      ok(await simulateStoredPolicy(req.ctx, req.params.sub, req.params.rg, req.params.vault, req.params.policy, req.query)))
    .add('GET', `${VAULT_PATH}/storageUsage`, async (req) => ok(await vaultStorageUsage(req.ctx, req.params.sub, req.params.rg, req.params.vault)));
}
