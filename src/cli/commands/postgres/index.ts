// `dpvault postgres server create|show|list|delete` registers the PostgreSQL servers dpvault backs
// up (Microsoft.DBforPostgreSQL/servers), and `dpvault postgres db list|show` lists a server's
// databases live, logged in with a key vault secret that the service reads (the CLI never sees
// the password).
import { CLIENT_POSTGRES_API_VERSION } from '../../../api/api-version.ts';
import { usage } from '../../../domain/errors.ts';
import { secretUri } from '../../../secrets/key-vault.ts';
import { defineCommand, type ArgSpec, type ArgValues } from '../../command.ts';
import { groupPath } from '../../paths.ts';
import { yesArg } from '../../common-args.ts';
import { flexibleServerCommands } from './flexible-server.ts';
import { registrationArgs, registrationBody, resourceGroupArg as resourceGroup, serverNameArgs as serverArgs } from './registration.ts';

const PG_QUERY = { 'api-version': CLIENT_POSTGRES_API_VERSION };

const serverPath = (sub: string, rg: string, name: string) => `${groupPath(sub, rg)}/providers/Microsoft.DBforPostgreSQL/servers/${name}`;

const dbArgs = {
  resourceGroup,
  serverName: { names: ['--server-name', '-s'], required: true, help: 'Name of the server.' },
  secretUri: { names: ['--secret-uri'], help: 'Key vault secret with the connection string: https://{vault}.vault.azure.net/secrets/{name}.' },
  vaultName: { names: ['--vault-name'], help: 'Key vault of the secret (with --secret-name), in place of --secret-uri.' },
  secretName: { names: ['--secret-name'], help: 'Name of the secret (with --vault-name).' },
} satisfies Record<string, ArgSpec>;

/** The secret to log in with: --secret-uri, or --vault-name with --secret-name. */
function secretQuery(a: ArgValues): Record<string, string> {
  const byName = a.vaultName !== undefined || a.secretName !== undefined;
  if ((a.secretUri !== undefined) === byName || (byName && (a.vaultName === undefined || a.secretName === undefined))) {
    throw usage('usage error: --secret-uri URI | --vault-name VAULT --secret-name NAME (the key vault secret holding the connection string)');
  }
  return { ...PG_QUERY, secretUri: (a.secretUri as string | undefined) ?? secretUri(a.vaultName as string, a.secretName as string) };
}

export const postgresCommands = [
  defineCommand({
    path: ['postgres', 'server', 'create'],
    summary: 'Register a PostgreSQL server: where it is and how to reach it.',
    args: registrationArgs,
    async run(a, ctx) {
      const body = registrationBody(a);
      const path = serverPath(await ctx.subscription(), a.resourceGroup as string, a.name as string);
      return (await ctx.client.send('PUT', path, { body, apiVersion: CLIENT_POSTGRES_API_VERSION })).body;
    },
  }),
  defineCommand({
    path: ['postgres', 'server', 'show'],
    summary: 'Get the details of a registered server.',
    args: serverArgs,
    async run(a, ctx) {
      return ctx.client.get(serverPath(await ctx.subscription(), a.resourceGroup as string, a.name as string), PG_QUERY);
    },
  }),
  defineCommand({
    path: ['postgres', 'server', 'list'],
    summary: 'List the registered servers in a resource group or in the subscription.',
    args: { resourceGroup: { ...resourceGroup, required: false } },
    async run(a, ctx) {
      const sub = await ctx.subscription();
      const base = a.resourceGroup ? groupPath(sub, a.resourceGroup as string) : `/subscriptions/${sub}`;
      return ctx.client.listAll(`${base}/providers/Microsoft.DBforPostgreSQL/servers`, PG_QUERY);
    },
  }),
  defineCommand({
    path: ['postgres', 'server', 'delete'],
    summary: 'Forget a registered server (the server and its data are untouched).',
    args: { ...serverArgs, yes: yesArg },
    async run(a, ctx) {
      if (!(await ctx.confirm())) return undefined;
      const path = serverPath(await ctx.subscription(), a.resourceGroup as string, a.name as string);
      await ctx.client.send('DELETE', path, { apiVersion: CLIENT_POSTGRES_API_VERSION });
      return undefined;
    },
  }),
  defineCommand({
    path: ['postgres', 'db', 'list'],
    summary: 'List the databases of a registered server, live.',
    args: dbArgs,
    async run(a, ctx) {
      const path = serverPath(await ctx.subscription(), a.resourceGroup as string, a.serverName as string);
      return ctx.client.listAll(`${path}/databases`, secretQuery(a));
    },
  }),
  defineCommand({
    path: ['postgres', 'db', 'show'],
    summary: 'Show one database of a registered server, live.',
    args: { ...dbArgs, name: { names: ['--name', '-n'], required: true, help: 'Name of the database.' } },
    async run(a, ctx) {
      const path = serverPath(await ctx.subscription(), a.resourceGroup as string, a.serverName as string);
      return ctx.client.get(`${path}/databases/${encodeURIComponent(a.name as string)}`, secretQuery(a));
    },
  }),
  ...flexibleServerCommands,
];
