// `alert list`, `alert show` and `alert update --state`: the alerts failed jobs and missed backups
// raised (Azure Monitor's Microsoft.AlertsManagement/alerts), newest first, with each webhook's
// delivery; `update` is Azure Monitor's changestate.
import { ALERTS_API_VERSIONS } from '../../../api/api-version.ts';
import { ALERT_STATES } from '../../../domain/alert.ts';
import { defineCommand, type ArgSpec, type Command } from '../../command.ts';

const API_VERSION = ALERTS_API_VERSIONS[1]!;

export const alertList = defineCommand({
  path: ['alert', 'list'],
  summary: 'List the alerts raised for failed jobs (vaults with job failure alerts on) and missed backups, newest first.',
  args: {
    resourceGroup: { names: ['--resource-group', '-g'], help: 'Only the alerts of this resource group.' },
    vault: { names: ['--vault-name', '--vault', '-v'], help: 'Only the alerts of this Backup vault.' },
  },
  async run(a, ctx) {
    const query: Record<string, string> = { 'api-version': API_VERSION };
    if (a.resourceGroup) query.targetResourceGroup = String(a.resourceGroup);
    if (a.vault) query.vaultName = String(a.vault);
    return ctx.client.listAll(`/subscriptions/${await ctx.subscription()}/providers/Microsoft.AlertsManagement/alerts`, query);
  },
});

const alertName: ArgSpec = { names: ['--alert-id', '--name', '-n'], required: true, help: 'The alert id (its GUID, the last segment of its id).' };
const alertPath = async (a: Record<string, unknown>, ctx: { subscription(): Promise<string> }) =>
  `/subscriptions/${await ctx.subscription()}/providers/Microsoft.AlertsManagement/alerts/${encodeURIComponent(String(a.name).split('/').pop()!)}`;

export const alertShow = defineCommand({
  path: ['alert', 'show'],
  summary: 'Show one alert.',
  args: { name: alertName },
  async run(a, ctx) {
    return ctx.client.get(await alertPath(a, ctx), { 'api-version': API_VERSION });
  },
});

export const alertUpdate = defineCommand({
  path: ['alert', 'update'],
  summary: "Change an alert's state (Azure Monitor's changestate): Acknowledged, Closed, or New again.",
  args: {
    name: alertName,
    state: { names: ['--state'], required: true, enum: ALERT_STATES, help: 'The new alert state.' },
  },
  async run(a, ctx) {
    return (await ctx.client.send('POST', `${await alertPath(a, ctx)}/changestate`, { apiVersion: API_VERSION, query: { newState: String(a.state) } })).body;
  },
});

export const alertCommands: Command[] = [alertList, alertShow, alertUpdate];
