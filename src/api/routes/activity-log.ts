// The audit log read as Azure's activity log (Microsoft.Insights eventtypes/management/values),
// as `az monitor activity-log list` asks for it. Read only: no route changes or deletes entries.
import { listActivityLog } from '../../services/audit.ts';
import { checkSubscription } from '../../services/resource-groups.ts';
import { ok } from '../http.ts';
import type { Router } from '../router.ts';

export function registerActivityLogRoutes(router: Router): void {
  router.add('GET', '/subscriptions/{sub}/providers/microsoft.insights/eventtypes/management/values', async (req) => {
    checkSubscription(req.ctx, req.params.sub);
    return ok({ value: await listActivityLog(req.ctx, req.query.get('$filter')) });
  }, 'insights');
}
