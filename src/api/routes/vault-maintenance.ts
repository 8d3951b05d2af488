// Vault maintenance beyond Azure's API: `POST {vault}/verify` reads back the vault's backup data
// and reports as a job; `POST {vault}/repair` rebuilds the index and salvages damaged data, as a
// job; `POST {vault}/maintain` collects its garbage and repacks now, as a job; `POST {vault}/recover`
// rebuilds the catalog's records from the storage.
import { errors } from '../../domain/errors.ts';
import type { BackupVault } from '../../domain/vault.ts';
import { field } from '../../domain/backup-instance.ts';
import { createJob } from '../../services/jobs.ts';
import { startOperation } from '../../services/operations.ts';
import { queueTask } from '../../services/tasks.ts';
import { getVault } from '../../services/vaults.ts';
import { recoverVault } from '../../services/vault-recovery.ts';
import { queueMaintenance } from '../../services/vault-maintenance.ts';
import type { ApiRequest, ApiResponse } from '../http.ts';
import type { Router } from '../router.ts';
import { operationHeaders, operationUrls } from './operations.ts';
import { VAULT_PATH } from './vaults.ts';

export function registerVaultMaintenanceRoutes(router: Router): void {
  router.add('POST', `${VAULT_PATH}/recover`, async (req) => {
    const vault = await getVault(req.ctx, req.params.sub, req.params.rg, req.params.vault);
    const op = await startOperation(req.ctx, vault.id, async () => ({ ...(await recoverVault(req.ctx, vault)) }));
    return { status: 202, headers: operationHeaders(req, operationUrls.location(req.params.sub, vault.location, op.id)) };
  });
  router.add('POST', `${VAULT_PATH}/verify`, async (req) => {
    const vault = await getVault(req.ctx, req.params.sub, req.params.rg, req.params.vault);
    const sample = field(req.body, 'samplePercent') ?? 100;
    if (typeof sample !== 'number' || !(sample > 0 && sample <= 100)) {
      throw errors.parameterInvalid(`samplePercent must be a number above 0 and at most 100; got ${JSON.stringify(sample)}.`, 'samplePercent');
    }
    const job = await createJob(req.ctx, {
      vault, instance: null, policy: null, category: 'Management', operation: 'Verify', isUserTriggered: true, taskName: 'Verify backup data',
    });
    await queueTask(req.ctx, 'verify', { jobId: job.id, samplePercent: sample });
    return jobAccepted(req, vault, job.id);
  });
  router.add('POST', `${VAULT_PATH}/maintain`, async (req) => {
    const vault = await getVault(req.ctx, req.params.sub, req.params.rg, req.params.vault);
    return jobAccepted(req, vault, await queueMaintenance(req.ctx, vault, true));
  });
  router.add('POST', `${VAULT_PATH}/repair`, async (req) => {
    const vault = await getVault(req.ctx, req.params.sub, req.params.rg, req.params.vault);
    const job = await createJob(req.ctx, {
      vault, instance: null, policy: null, category: 'Management', operation: 'Repair', isUserTriggered: true, taskName: 'Repair backup data',
    });
    await queueTask(req.ctx, 'repair', { jobId: job.id });
    const op = await startOperation(req.ctx, vault.id, async () => ({ jobId: job.id, objectType: 'OperationJobExtendedInfo' }));
    return { status: 202, headers: operationHeaders(req, operationUrls.location(req.params.sub, vault.location, op.id)) };
  });
}

/** 202 with an operation that answers with the job's id, as Azure's on-demand actions do. */
async function jobAccepted(req: ApiRequest<'sub'>, vault: BackupVault, jobId: string): Promise<ApiResponse> {
  const op = await startOperation(req.ctx, vault.id, async () => ({ jobId, objectType: 'OperationJobExtendedInfo' }));
  return { status: 202, headers: operationHeaders(req, operationUrls.location(req.params.sub, vault.location, op.id)) };
}
