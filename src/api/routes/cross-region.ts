// Cross-region restore: Azure's location-scoped CRR APIs, called at the vault's secondary region
// (`.../locations/{secondary}/...`); the workflows are in services/cross-region-restore.ts.
import {
  getCrossRegionJob, listCrossRegionJobs, listSecondaryRecoveryPoints, triggerCrossRegionRestore, validateCrossRegionRestore, type CrossRegionScope,
} from '../../services/cross-region-restore.ts';
import { ok, type ApiRequest } from '../http.ts';
import type { Router } from '../router.ts';
import { acceptedOperation } from './operations.ts';

export const LOCATION_PATH = '/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.DataProtection/locations/{loc}';

const scopeOf = (req: ApiRequest<'sub' | 'rg' | 'loc'>): CrossRegionScope => ({ sub: req.params.sub, rg: req.params.rg, location: req.params.loc });

const accepted = acceptedOperation;

export function registerCrossRegionRoutes(router: Router): void {
  router
    .add('POST', `${LOCATION_PATH}/fetchSecondaryRecoveryPoints`, async (req) => ok({ value: await listSecondaryRecoveryPoints(req.ctx, scopeOf(req), req.body) }))
    .add('POST', `${LOCATION_PATH}/crossRegionRestore`, async (req) => {
      const { vault, op } = await triggerCrossRegionRestore(req.ctx, scopeOf(req), req.body);
      return accepted(req, vault.location, op.id);
    })
    .add('POST', `${LOCATION_PATH}/validateCrossRegionRestore`, async (req) => {
      const { vault, op } = await validateCrossRegionRestore(req.ctx, scopeOf(req), req.body);
      return accepted(req, vault.location, op.id);
    })
    .add('POST', `${LOCATION_PATH}/fetchCrossRegionRestoreJobs`, async (req) => ok({ value: await listCrossRegionJobs(req.ctx, scopeOf(req), req.body) }))
    .add('POST', `${LOCATION_PATH}/fetchCrossRegionRestoreJob`, async (req) => ok(await getCrossRegionJob(req.ctx, scopeOf(req), req.body)));
}
