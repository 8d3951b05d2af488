// `dpvault ad sp create-for-rbac|list|show|delete` and `ad sp credential reset`, as `az ad sp`:
// principals through the service's Graph-style routes (/v1.0/servicePrincipals); with --role,
// create-for-rbac then assigns the role over each scope through the role assignment API, as az
// does (PUT {scope}/providers/Microsoft.Authorization/roleAssignments/{new guid}).
import { randomUUID } from 'node:crypto';
import { usage } from '../../../domain/errors.ts';
import { BUILT_IN_ROLE_IDS } from '../../../domain/role-assignment.ts';
import { defineCommand, type CommandContext } from '../../command.ts';

const SP = '/v1.0/servicePrincipals';
const ROLE_ASSIGNMENTS_API_VERSION = '2022-04-01';
const idArg = { names: ['--id'], required: true, help: 'The service principal: its application (client) id or object id.' };

interface Principal {
  id: string;
  appId: string;
  displayName: string;
  secretText?: string;
}

/** A built-in role by name (any casing) or by its GUID. */
function roleIdOf(role: string): string {
  const byName = Object.entries(BUILT_IN_ROLE_IDS).find(([name]) => name.toLowerCase() === role.toLowerCase());
  const byId = Object.values(BUILT_IN_ROLE_IDS).find((id) => id === role.toLowerCase());
  const id = byName?.[1] ?? byId;
  if (!id) throw usage(`argument --role: '${role}' is not a built-in role (${Object.keys(BUILT_IN_ROLE_IDS).join(', ')}).`);
  return id;
}

async function assignRole(ctx: CommandContext, principalId: string, role: string, scope: string): Promise<void> {
  const s = scope.replace(/\/+$/, '');
  await ctx.client.send('PUT', `${s}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}`, {
    apiVersion: ROLE_ASSIGNMENTS_API_VERSION,
    body: {
      properties: {
        roleDefinitionId: `/subscriptions/${await ctx.subscription()}/providers/Microsoft.Authorization/roleDefinitions/${roleIdOf(role)}`,
        principalId,
        principalType: 'ServicePrincipal',
      },
    },
  });
}

async function tenantOf(ctx: CommandContext): Promise<string> {
  const list = (await ctx.client.get('/subscriptions')) as { value: { tenantId: string }[] };
  return list.value[0]?.tenantId ?? '';
}

export const adSpCommands = [
  defineCommand({
    path: ['ad', 'sp', 'create-for-rbac'],
    summary: 'Create a service principal (and, with --role, assign it a role over --scopes); prints its secret once.',
    args: {
      name: { names: ['--name', '--display-name', '-n'], required: true, help: 'Display name of the service principal.' },
      role: { names: ['--role'], help: 'A built-in role to assign: Owner, Contributor, Reader, Backup Contributor, Backup Operator, Backup Reader, User Access Administrator.' },
      scopes: { names: ['--scopes'], arity: 'many', help: 'Scopes the role is assigned over: /subscriptions/{id}, a resource group id or a resource id.' },
    },
    async run(a, ctx) {
      const role = a.role as string | undefined;
      const scopes = (a.scopes as string[] | undefined) ?? [];
      if (role !== undefined) roleIdOf(role);
      if (role !== undefined && !scopes.length) throw usage('usage error: --scopes is required with --role.');
      if (role === undefined && scopes.length) throw usage('usage error: --role is required with --scopes.');
      const made = (await ctx.client.send('POST', SP, { body: { displayName: a.name } })).body as Principal;
      ctx.warn('The output includes credentials that you must protect. Be sure that you do not include these credentials in your code or check the credentials into your source control.');
      for (const scope of scopes) {
        try {
          await assignRole(ctx, made.id, role!, scope);
        } catch (e) {
          // The principal exists and its secret is shown once: say what failed instead of losing it.
          ctx.warn(`Could not assign the role '${role}' over '${scope}': ${(e as Error).message}`);
        }
      }
      return { appId: made.appId, displayName: made.displayName, password: made.secretText, tenant: await tenantOf(ctx) };
    },
  }),
  defineCommand({
    path: ['ad', 'sp', 'list'],
    summary: 'List service principals (their secrets are never shown).',
    args: { all: { names: ['--all'], arity: 'flag', help: 'List all (accepted for az compatibility: dpvault always lists all).' } },
    async run(_a, ctx) {
      return ctx.client.listAll(SP);
    },
  }),
  defineCommand({
    path: ['ad', 'sp', 'show'],
    summary: 'Get a service principal.',
    args: { id: idArg },
    async run(a, ctx) {
      return ctx.client.get(`${SP}/${encodeURIComponent(a.id as string)}`);
    },
  }),
  defineCommand({
    path: ['ad', 'sp', 'delete'],
    summary: 'Delete a service principal: its tokens stop working at once.',
    args: { id: idArg },
    async run(a, ctx) {
      await ctx.client.send('DELETE', `${SP}/${encodeURIComponent(a.id as string)}`);
      return undefined;
    },
  }),
  defineCommand({
    path: ['ad', 'sp', 'credential', 'reset'],
    summary: "Replace a service principal's secret with a new one, printed once (the old one stops signing in).",
    args: { id: idArg },
    async run(a, ctx) {
      const p = (await ctx.client.get(`${SP}/${encodeURIComponent(a.id as string)}`)) as Principal;
      const reset = (await ctx.client.send('POST', `${SP}/${encodeURIComponent(p.id)}/resetPassword`)).body as { secretText: string };
      ctx.warn('The output includes credentials that you must protect. Be sure that you do not include these credentials in your code or check the credentials into your source control.');
      return { appId: p.appId, password: reset.secretText, tenant: await tenantOf(ctx) };
    },
  }),
];
