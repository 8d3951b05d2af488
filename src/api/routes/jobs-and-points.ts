// Jobs and recovery points: read-only views.
import { getJob, listJobs } from '../../services/jobs.ts';
import { getInstance } from '../../services/backup-instances.ts';
import { toApi } from '../../domain/recovery-point.ts';
import { getRecoveryPoint, listRecoveryPoints } from '../../services/recovery-points.ts';
import { checkSubscription } from '../../services/resource-groups.ts';
import { getVault } from '../../services/vaults.ts';
import { ok, type ApiRequest } from '../http.ts';
import type { Router } from '../router.ts';
import { INSTANCE_PATH } from './backup-instances.ts';
import { VAULT_PATH } from './vaults.ts';

export function registerJobAndRecoveryPointRoutes(router: Router): void {
  const v = (req: ApiRequest<'sub' | 'rg' | 'vault'>) => [req.params.sub, req.params.rg, req.params.vault] as const;
  router
    .add('GET', `${VAULT_PATH}/backupJobs`, async (req) => {
      const vault = await getVault(req.ctx, ...v(req));
      return ok({ value: newestFirst(await listJobs(req.ctx, { vaultId: vault.id })) });
    })
    .add('GET', `${VAULT_PATH}/backupJobs/{job}`, async (req) => ok(await getJob(req.ctx, ...v(req), req.params.job)))
    .add('GET', `/subscriptions/{sub}/providers/Microsoft.DataProtection/backupJobs`, async (req) => {
      checkSubscription(req.ctx, req.params.sub);
      return ok({ value: newestFirst(await listJobs(req.ctx, {})) });
    })
    .add('GET', `${INSTANCE_PATH}/recoveryPoints`, async (req) => {
      const bi = await getInstance(req.ctx, ...v(req), req.params.instance);
      return ok({ value: (await listRecoveryPoints(req.ctx, bi.id, req.query.get('$filter'))).map(toApi) });
    })
    .add('GET', `${INSTANCE_PATH}/recoveryPoints/{rp}`, async (req) => ok(toApi(await getRecoveryPoint(req.ctx, ...v(req), req.params.instance, req.params.rp))));
}

function newestFirst<T extends { properties: { startTime: string } }>(jobs: T[]): T[] {
  return [...jobs].sort((a, b) => b.properties.startTime.localeCompare(a.properties.startTime));
}
