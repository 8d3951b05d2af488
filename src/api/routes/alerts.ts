// Azure Monitor's alerts (Microsoft.AlertsManagement/alerts) of the subscription, as
// `dpvault alert list` reads them: the alerts failed jobs and missed backups raised
// (services/alerts.ts), and Azure Monitor's `changestate` (`dpvault alert update --state`).
import { alertStateOf } from '../../domain/alert.ts';
import { changeAlertState, getAlert, listAlerts } from '../../services/alerts.ts';
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
    }, 'alerts')
    .add('POST', `${ALERTS}/{alert}/changestate`, async (req) => {
      checkSubscription(req.ctx, req.params.sub);
      const state = alertStateOf(req.query.get('newState'));
      return ok(await changeAlertState(req.ctx, req.params.alert, state));
    }, 'alerts');
}
