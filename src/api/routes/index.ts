// The one route table: every route of the API, registered in one place. Handlers act through the
// request's own service context (`req.ctx`, which carries the caller), so the table needs none.
import { Router } from '../router.ts';
import { registerAuthorizationRoutes } from './authorization.ts';
import { registerActivityLogRoutes } from './activity-log.ts';
import { registerAlertRoutes } from './alerts.ts';
import { registerBackupInstanceRoutes } from './backup-instances.ts';
import { registerCrossRegionRoutes } from './cross-region.ts';
import { registerDeletedInstanceRoutes } from './deleted-instances.ts';
import { registerInstanceActionRoutes } from './instance-actions.ts';
import { registerJobAndRecoveryPointRoutes } from './jobs-and-points.ts';
import { registerKeyVaultRoutes } from './key-vaults.ts';
import { registerMetricsRoutes } from './metrics.ts';
import { registerOperationRoutes } from './operations.ts';
import { registerPolicyRoutes } from './policies.ts';
import { registerPostgresServerRoutes } from './postgres-servers.ts';
import { registerFlexibleServerRoutes } from './flexible-servers.ts';
import { registerResourceGroupRoutes } from './resource-groups.ts';
import { registerResourceGuardRoutes } from './resource-guards.ts';
import { registerServicePrincipalRoutes } from './service-principals.ts';
import { registerVaultRoutes } from './vaults.ts';
import { registerVaultMaintenanceRoutes } from './vault-maintenance.ts';
import { registerVaultReportRoutes } from './vault-reports.ts';

export function buildRouter(): Router {
  const router = new Router();
  registerResourceGroupRoutes(router);
  registerVaultRoutes(router);
  registerPolicyRoutes(router);
  registerResourceGuardRoutes(router);
  registerBackupInstanceRoutes(router);
  registerDeletedInstanceRoutes(router);
  registerInstanceActionRoutes(router);
  registerCrossRegionRoutes(router);
  registerJobAndRecoveryPointRoutes(router);
  registerKeyVaultRoutes(router);
  registerPostgresServerRoutes(router);
  registerFlexibleServerRoutes(router);
  registerVaultMaintenanceRoutes(router);
  registerOperationRoutes(router);
  registerServicePrincipalRoutes(router);
  registerAuthorizationRoutes(router);
  registerActivityLogRoutes(router);
  registerMetricsRoutes(router);
  registerAlertRoutes(router);
  registerVaultReportRoutes(router);
  return router;
}
