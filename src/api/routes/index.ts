// The one route table: every route of the API, registered in one place.
import type { ServiceContext } from '../../services/context.ts';
import { Router } from '../router.ts';
import { registerBackupInstanceRoutes } from './backup-instances.ts';
import { registerInstanceActionRoutes } from './instance-actions.ts';
import { registerJobAndRecoveryPointRoutes } from './jobs-and-points.ts';
import { registerKeyVaultRoutes } from './key-vaults.ts';
import { registerOperationRoutes } from './operations.ts';
import { registerPolicyRoutes } from './policies.ts';
import { registerPostgresServerRoutes } from './postgres-servers.ts';
import { registerResourceGroupRoutes } from './resource-groups.ts';
import { registerVaultRoutes } from './vaults.ts';
import { registerVaultMaintenanceRoutes } from './vault-maintenance.ts';

export function buildRouter(ctx: ServiceContext): Router {
  const router = new Router();
  registerResourceGroupRoutes(router, ctx);
  registerVaultRoutes(router, ctx);
  registerPolicyRoutes(router, ctx);
  registerBackupInstanceRoutes(router, ctx);
  registerInstanceActionRoutes(router, ctx);
  registerJobAndRecoveryPointRoutes(router, ctx);
  registerKeyVaultRoutes(router, ctx);
  registerPostgresServerRoutes(router, ctx);
  registerVaultMaintenanceRoutes(router, ctx);
  registerOperationRoutes(router, ctx);
  return router;
}
