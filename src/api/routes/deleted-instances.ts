// Soft-deleted backup instances (Microsoft.DataProtection deletedBackupInstances): list, get and
// the long-running undelete.
import { getDeletedInstance, listDeletedInstances, undeleteInstance } from '../../services/deleted-instances.ts';
import { refreshAfterUndelete } from '../../services/backup-instances.ts';
import { startOperation } from '../../services/operations.ts';
import { getVault } from '../../services/vaults.ts';
import { ok, type ApiRequest } from '../http.ts';
import type { Router } from '../router.ts';
import { operationHeaders, operationUrls } from './operations.ts';
import { VAULT_PATH } from './vaults.ts';

const DELETED_PATH = `${VAULT_PATH}/deletedBackupInstances/{instance}` as const;

export function registerDeletedInstanceRoutes(router: Router): void {
  const v = (req: ApiRequest<'sub' | 'rg' | 'vault'>) => [req.params.sub, req.params.rg, req.params.vault] as const;
  router
    .add('GET', `${VAULT_PATH}/deletedBackupInstances`, async (req) => ok({ value: await listDeletedInstances(req.ctx, ...v(req)) }))
    .add('GET', DELETED_PATH, async (req) => ok(await getDeletedInstance(req.ctx, ...v(req), req.params.instance)))
    .add('POST', `${DELETED_PATH}/undelete`, async (req) => {
      const vault = await getVault(req.ctx, ...v(req));
      const deleted = await getDeletedInstance(req.ctx, ...v(req), req.params.instance);
      const op = await startOperation(req.ctx, deleted.id, async () => {
        await refreshAfterUndelete(req.ctx, vault, await undeleteInstance(req.ctx, vault, deleted.name));
        return null;
      });
      return { status: 202, headers: operationHeaders(req, operationUrls.location(req.params.sub, vault.location, op.id)) };
    });
}
