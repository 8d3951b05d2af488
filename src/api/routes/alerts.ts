// Azure Monitor's alerts (Microsoft.AlertsManagement/alerts) of the subscription, as
// `dpvault alert list` reads them: the alerts failed jobs raised (services/alerts.ts). Read only.
import { getAlert, listAlerts } from '../../services/alerts.ts';
import { checkSubscription } from '../../services/resource-groups.ts';
import { ok } from '../http.ts';
import type { Router } from '../router.ts';

const ALERTS = '/subscriptions/{sub}/providers/Microsoft.AlertsManagement/alerts';

export function registerAlertRoutes(router: Router): void {
  router
    .add('GET', ALERTS, async (req) => {
      checkSubscription(req.ctx, req.params.sub);
      return ok({ value: await listAlerts(req.ctx, { resourceGroup: req.query.get('targetResourceGroup'), vault: req.query.get('vaultName') }) });
    }, 'alerts')
    .add('GET', `${ALERTS}/{alert}`, async (req) => {
      checkSubscription(req.ctx, req.params.sub);
      return ok(await getAlert(req.ctx, req.params.alert));
    }, 'alerts');
}
