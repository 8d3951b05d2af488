// `dpvault postgres flexible-server create|show|list|delete` registers the PostgreSQL flexible
// servers dpvault backs up as a whole (Microsoft.DBforPostgreSQL/flexibleServers), with the key
// vault secret holding the administrator's connection string; the vault's identity reads it.
import { CLIENT_POSTGRES_API_VERSION } from '../../../api/api-version.ts';
import { defineCommand } from '../../command.ts';
import { groupPath } from '../../paths.ts';
import { yesArg } from '../../common-args.ts';
import { registrationArgs, registrationBody, resourceGroupArg, serverNameArgs } from './registration.ts';

const PG_QUERY = { 'api-version': CLIENT_POSTGRES_API_VERSION };
const serverPath = (sub: string, rg: string, name: string) => `${groupPath(sub, rg)}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${name}`;

export const flexibleServerCommands = [
  defineCommand({
    path: ['postgres', 'flexible-server', 'create'],
    summary: 'Register a PostgreSQL flexible server: where it is, and the key vault secret of its administrator.',
    args: {
      ...registrationArgs,
      adminSecretUri: {
        names: ['--admin-secret-uri'], required: true,
        help: 'Key vault secret with the administrator\'s connection string: https://{vault}.vault.azure.net/secrets/{name}.',
      },
    },
    async run(a, ctx) {
      const body = registrationBody(a, { administratorSecretUri: a.adminSecretUri });
      const path = serverPath(await ctx.subscription(), a.resourceGroup as string, a.name as string);
      return (await ctx.client.send('PUT', path, { body, apiVersion: CLIENT_POSTGRES_API_VERSION })).body;
    },
  }),
  defineCommand({
    path: ['postgres', 'flexible-server', 'show'],
    summary: 'Get the details of a registered flexible server.',
    args: serverNameArgs,
    async run(a, ctx) {
      return ctx.client.get(serverPath(await ctx.subscription(), a.resourceGroup as string, a.name as string), PG_QUERY);
    },
  }),
  defineCommand({
    path: ['postgres', 'flexible-server', 'list'],
    summary: 'List the registered flexible servers in a resource group or in the subscription.',
    args: { resourceGroup: { ...resourceGroupArg, required: false } },
    async run(a, ctx) {
      const sub = await ctx.subscription();
      const base = a.resourceGroup ? groupPath(sub, a.resourceGroup as string) : `/subscriptions/${sub}`;
      return ctx.client.listAll(`${base}/providers/Microsoft.DBforPostgreSQL/flexibleServers`, PG_QUERY);
    },
  }),
  defineCommand({
    path: ['postgres', 'flexible-server', 'delete'],
    summary: 'Forget a registered flexible server (the server and its data are untouched).',
    args: { ...serverNameArgs, yes: yesArg },
    async run(a, ctx) {
      if (!(await ctx.confirm())) return undefined;
      const path = serverPath(await ctx.subscription(), a.resourceGroup as string, a.name as string);
      await ctx.client.send('DELETE', path, { apiVersion: CLIENT_POSTGRES_API_VERSION });
      return undefined;
    },
  }),
];
