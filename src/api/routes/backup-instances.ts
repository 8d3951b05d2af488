// Backup instances: validateForBackup, PUT (validated before anything is stored), GET, list, DELETE.
import { errors } from '../../domain/errors.ts';
import { demandGuardApproval } from '../../identity/resource-guard-approval.ts';
import { field } from '../../domain/backup-instance.ts';
import { getInstance, listAllInstances, listInstances, putInstance, readInstanceProperties, validateForBackup } from '../../services/backup-instances.ts';
import { checkInstanceDeletable, deleteInstance } from '../../services/instance-deletion.ts';
import { listJobs } from '../../services/jobs.ts';
import { startOperation } from '../../services/operations.ts';

import { checkSubscription } from '../../services/resource-groups.ts';
import { getVault } from '../../services/vaults.ts';
import { ok, type ApiRequest } from '../http.ts';
import type { Router } from '../router.ts';
import { operationHeaders, operationUrls } from './operations.ts';
import { VAULT_PATH } from './vaults.ts';

export const INSTANCE_PATH = `${VAULT_PATH}/backupInstances/{instance}` as const;
const JOB_RESULT = { objectType: 'OperationJobExtendedInfo' };

export function registerBackupInstanceRoutes(router: Router): void {
  const v = (req: ApiRequest<'sub' | 'rg' | 'vault'>) => [req.params.sub, req.params.rg, req.params.vault] as const;
  router
    .add('POST', `${VAULT_PATH}/validateForBackup`, async (req) => {
      const vault = await getVault(req.ctx, ...v(req));
      const props = readInstanceProperties(field(req.body, 'backupInstance'));
      // Beyond Azure's OperationJobExtendedInfo: how the database was reached, and any warnings.
      const op = await startOperation(req.ctx, vault.id, async () => ({ ...JOB_RESULT, ...(await validateForBackup(req.ctx, vault, props)) }));
      return { status: 202, headers: operationHeaders(req, operationUrls.location(req.params.sub, vault.location, op.id)) };
    })
    .add('GET', `${VAULT_PATH}/backupInstances`, async (req) => ok({ value: await listInstances(req.ctx, ...v(req)) }))
    .add('GET', `/subscriptions/{sub}/providers/Microsoft.DataProtection/backupInstances`, async (req) => {
      checkSubscription(req.ctx, req.params.sub);
      return ok({ value: await listAllInstances(req.ctx) });
    })
    .add('GET', INSTANCE_PATH, async (req) => ok(await getInstance(req.ctx, ...v(req), req.params.instance)))
    .add('PUT', INSTANCE_PATH, async (req) => {
      const { instance, created } = await putInstance(req.ctx, ...v(req), req.params.instance, req.body, (vault) => demandGuardApproval(req.ctx, vault, 'updateProtection'));
      const op = await startOperation(req.ctx, instance.id, async () => null);
      const vaultId = instance.id.split('/backupInstances/')[0]!;
      return ok(instance, created ? 201 : 200, operationHeaders(req, operationUrls.vault(vaultId, op.id)));
    })
    .add('DELETE', INSTANCE_PATH, async (req) => {
      const vault = await getVault(req.ctx, ...v(req));
      const found = await req.ctx.catalog.getResource(`${vault.id}/backupInstances/${req.params.instance}`);
      if (!found) return { status: 204 };
      const running = (await listJobs(req.ctx, { vaultId: vault.id })).filter(
        (j) => j.properties.status === 'InProgress' && j.properties.backupInstanceId.toLowerCase() === found.id.toLowerCase(),
      );
      if (running.length) {
        throw errors.instanceHasRunningJob(`Backup instance '${req.params.instance}' has a running job (${running[0]!.name}); delete it when the job has ended.`);
      }
      await checkInstanceDeletable(req.ctx, vault, found.id);
      await demandGuardApproval(req.ctx, vault, 'deleteProtection');
      const op = await startOperation(req.ctx, found.id, async () => {
        await deleteInstance(req.ctx, vault, found.id);
        return null;
      });
      return { status: 202, headers: operationHeaders(req, operationUrls.location(req.params.sub, vault.location, op.id)) };
    });
}
