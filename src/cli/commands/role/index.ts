// `dpvault role assignment create|list|delete` and `role definition list`, as `az role`.
import { randomUUID } from 'node:crypto';
import { errors } from '../../../domain/errors.ts';
import { defineCommand, type CommandContext } from '../../command.ts';
import {
  AUTHZ_QUERY, authorizationPath, listRoleDefinitions, resolveRole, roleGuid, scopeArg, type AssignmentBody,
} from './definitions.ts';

const assignee = { names: ['--assignee'], help: "The principal: its object id or application (client) id." };
const role = { names: ['--role'], help: "Role name or id, e.g. 'Backup Operator'." };
const scope = { names: ['--scope'], help: "Scope of the assignment: '/', '/subscriptions/{id}', a resource group's or a resource's id. Default: the subscription." };

/** Assignments at `scope`, as az lists them: each with `roleDefinitionName` added. */
async function listAt(ctx: CommandContext, at: string, opts: { assignee?: string; all?: boolean; exact?: boolean }): Promise<Record<string, unknown>[]> {
  const filters = [...(opts.all ? [] : ['atScope()']), ...(opts.assignee ? [`principalId eq '${opts.assignee.replace(/'/g, "''")}'`] : [])];
  const query = filters.length ? { ...AUTHZ_QUERY, $filter: filters.join(' and ') } : AUTHZ_QUERY;
  const found = (await ctx.client.listAll(authorizationPath(at, 'roleAssignments'), query)) as AssignmentBody[];
  const names = new Map((await listRoleDefinitions(ctx, at)).map((d) => [d.name.toLowerCase(), d.properties.roleName]));
  return found
    .filter((a) => !opts.exact || a.properties.scope.toLowerCase() === at.replace(/\/+$/, '').toLowerCase() || (at === '/' && a.properties.scope === '/'))
    .map((a) => ({
      ...a.properties,
      id: a.id,
      name: a.name,
      type: 'Microsoft.Authorization/roleAssignments',
      roleDefinitionName: names.get(roleGuid(a.properties.roleDefinitionId)) ?? null,
    }));
}

export const roleCommands = [
  defineCommand({
    path: ['role', 'assignment', 'create'],
    summary: 'Create a new role assignment for a principal.',
    args: { assignee: { ...assignee, required: true }, role: { ...role, required: true }, scope },
    async run(a, ctx) {
      const at = await scopeArg(ctx, a.scope);
      const definition = await resolveRole(ctx, at, a.role as string);
      const body = { properties: { roleDefinitionId: definition.id, principalId: a.assignee as string, principalType: 'ServicePrincipal' } };
      return (await ctx.client.send('PUT', authorizationPath(at, `roleAssignments/${randomUUID()}`), { body, query: AUTHZ_QUERY })).body;
    },
  }),
  defineCommand({
    path: ['role', 'assignment', 'list'],
    summary: 'List role assignments.',
    args: {
      assignee,
      role,
      scope,
      all: { names: ['--all'], arity: 'flag', help: 'Show all assignments in the subscription, at every scope.' },
    },
    tableView: (r) => (r as Record<string, unknown>[]).map((x) => ({ Principal: x.principalName, Role: x.roleDefinitionName, Scope: x.scope })),
    async run(a, ctx) {
      const all = a.all === true;
      if (all && a.scope) throw errors.argumentsMutuallyExclusive('--all and --scope cannot be used together.');
      const at = await scopeArg(ctx, a.scope);
      const found = await listAt(ctx, at, { assignee: a.assignee as string | undefined, all, exact: !all });
      const wanted = a.role ? (await resolveRole(ctx, at, a.role as string)).properties.roleName : undefined;
      return found.filter((x) => wanted === undefined || x.roleDefinitionName === wanted);
    },
  }),
  defineCommand({
    path: ['role', 'assignment', 'delete'],
    summary: 'Delete role assignments, by id or by assignee, role and scope.',
    args: {
      ids: { names: ['--ids'], arity: 'many', help: 'One or more role assignment ids.' },
      assignee,
      role,
      scope,
    },
    async run(a, ctx) {
      const ids = a.ids as string[] | undefined;
      if (ids && (a.assignee || a.role || a.scope)) throw errors.argumentsMutuallyExclusive('--ids cannot be used with --assignee, --role or --scope.');
      let targets = ids;
      if (!targets) {
        if (!a.assignee && !a.role) throw errors.requestArgumentMissing('Give --ids, or --assignee and/or --role (with --scope).');
        const at = await scopeArg(ctx, a.scope);
        const wanted = a.role ? (await resolveRole(ctx, at, a.role as string)).properties.roleName : undefined;
        const found = await listAt(ctx, at, { assignee: a.assignee as string | undefined, exact: true });
        targets = found.filter((x) => wanted === undefined || x.roleDefinitionName === wanted).map((x) => x.id as string);
        if (!targets.length) throw errors.roleAssignmentNotFound('No matched assignments were found to delete.');
      }
      for (const id of targets) await ctx.client.send('DELETE', id, { query: AUTHZ_QUERY });
      return undefined;
    },
  }),
  defineCommand({
    path: ['role', 'definition', 'list'],
    summary: 'List role definitions.',
    args: { name: { names: ['--name', '-n'], help: 'A role\'s name, e.g. Reader.' }, scope },
    tableView: (r) => (r as { properties: { roleName: string; description: string } }[]).map((d) => ({ Name: d.properties.roleName, Description: d.properties.description })),
    async run(a, ctx) {
      return listRoleDefinitions(ctx, await scopeArg(ctx, a.scope), a.name as string | undefined);
    },
  }),
];
