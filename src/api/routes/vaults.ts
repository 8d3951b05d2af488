// Microsoft.DataProtection/backupVaults: PUT and DELETE are long-running, as in Azure.
import {
  checkVaultDeletable, deleteVault, getVault, listVaults, prepareVaultPatch, prepareVaultPut, saveVault,
} from '../../services/vaults.ts';
import { vaultStoreKey } from '../../domain/recovery-point-store.ts';
import { registerManagedIdentity, removeManagedIdentity } from '../../identity/principals.ts';
import { guardVaultUpdate } from '../../identity/resource-guard-approval.ts';
import { startOperation } from '../../services/operations.ts';
import { checkSubscription, getResourceGroup } from '../../services/resource-groups.ts';
import type { BackupVault } from '../../domain/vault.ts';
import type { ServiceContext } from '../../services/context.ts';
import { ok, type ApiRequest } from '../http.ts';
import type { Router } from '../router.ts';
import { operationHeaders, operationUrls } from './operations.ts';
import { pageParams, pagedBody } from './paging.ts';

const DP = '/providers/Microsoft.DataProtection';
export const VAULT_PATH = `/subscriptions/{sub}/resourceGroups/{rg}${DP}/backupVaults/{vault}` as const;

export function registerVaultRoutes(router: Router): void {
  const p = (req: ApiRequest<'sub' | 'rg' | 'vault'>) => [req.params.sub, req.params.rg, req.params.vault] as const;
  router
    .add('GET', `/subscriptions/{sub}${DP}/backupVaults`, async (req) => {
      checkSubscription(req.ctx, req.params.sub);
      return ok(pagedBody(req, await listVaults(req.ctx, req.params.sub, undefined, pageParams(req))));
    })
    .add('GET', `/subscriptions/{sub}/resourceGroups/{rg}${DP}/backupVaults`, async (req) =>
      ok(pagedBody(req, await listVaults(req.ctx, req.params.sub, req.params.rg, pageParams(req)))))
    .add('GET', VAULT_PATH, async (req) => ok(await getVault(req.ctx, ...p(req))))
    .add('PUT', VAULT_PATH, async (req) => {
      const { vault, created } = await prepareVaultPut(req.ctx, ...p(req), req.body);
      await guardVaultUpdate(req.ctx, vault);
      await saveVault(req.ctx, vault);
      if (created) await req.ctx.store.placeVault?.(vaultStoreKey(vault.id), vault.location, vault.properties.replicatedRegions[0]);
      await registerVaultIdentity(req.ctx, vault);
      const op = await startOperation(req.ctx, vault.id, async () => null);
      return ok(vault, created ? 201 : 200, operationHeaders(req, operationUrls.vault(vault.id, op.id)));
    })
    .add('PATCH', VAULT_PATH, async (req) => {
      const vault = await prepareVaultPatch(req.ctx, ...p(req), req.body);
      await guardVaultUpdate(req.ctx, vault);
      await saveVault(req.ctx, vault);
      await registerVaultIdentity(req.ctx, vault);
      return ok(vault);
    })
    .add('DELETE', VAULT_PATH, async (req) => {
      const [sub, rg, name] = p(req);
      await getResourceGroup(req.ctx, sub, rg);
      const exists = await req.ctx.catalog.getResource(`/subscriptions/${sub}/resourceGroups/${rg}${DP}/backupVaults/${name}`);
      if (!exists) return { status: 204 };
      const vault = await checkVaultDeletable(req.ctx, sub, rg, name);
      const op = await startOperation(req.ctx, vault.id, async () => {
        await deleteVault(req.ctx, vault);
        if (vault.identity?.principalId) await removeManagedIdentity(req.ctx, vault.identity.principalId);
        return null;
      });
      return { status: 202, headers: operationHeaders(req, operationUrls.resourceGroup(sub, rg, vault.id, op.id)) };
    });
}

/** A vault's system-assigned identity is a principal (it cannot sign in): what access policies and role assignments name. */
async function registerVaultIdentity(ctx: ServiceContext, vault: BackupVault): Promise<void> {
  if (vault.identity?.type === 'SystemAssigned' && vault.identity.principalId) await registerManagedIdentity(ctx, vault.identity.principalId, vault.name, vault.id);
}
