// `alert list` and `alert show`: the alerts failed jobs raised (Azure Monitor's
// Microsoft.AlertsManagement/alerts), newest first, with each webhook's delivery.
import { ALERTS_API_VERSIONS } from '../../../api/api-version.ts';
import { defineCommand, type Command } from '../../command.ts';

const API_VERSION = ALERTS_API_VERSIONS[1]!;

export const alertList = defineCommand({
  path: ['alert', 'list'],
  summary: 'List the alerts raised for failed jobs (vaults with job failure alerts on), newest first.',
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

export const alertShow = defineCommand({
  path: ['alert', 'show'],
  summary: 'Show one alert.',
  args: { name: { names: ['--alert-id', '--name', '-n'], required: true, help: 'The alert id (its GUID, the last segment of its id).' } },
  async run(a, ctx) {
    const id = String(a.name).split('/').pop()!;
    return ctx.client.get(`/subscriptions/${await ctx.subscription()}/providers/Microsoft.AlertsManagement/alerts/${encodeURIComponent(id)}`, { 'api-version': API_VERSION });
  },
});

export const alertCommands: Command[] = [alertList, alertShow];
