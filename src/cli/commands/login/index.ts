// `dpvault login --service-principal -u APPID -p SECRET --tenant TENANT` and `dpvault logout`, with
// az's flags: the sign-in is checked by getting a token, then kept (credentials and token, mode
// 0600) in the CLI's config directory for this endpoint (credentials.ts).
import { errors, usage } from '../../../domain/errors.ts';
import { defineCommand, type CommandContext } from '../../command.ts';
import { checkTokenTransport, requestToken } from '../../token-source.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The subscriptions the signed-in principal sees, as `az login` and `az account show` print them. */
export async function accountsOf(ctx: CommandContext): Promise<Record<string, unknown>[]> {
  const list = (await ctx.client.get('/subscriptions')) as { value: { subscriptionId: string; tenantId: string; displayName: string; state: string }[] };
  const who = ctx.tokens.credentials();
  return list.value.map((s, i) => ({
    cloudName: 'dpvault',
    homeTenantId: s.tenantId,
    id: s.subscriptionId,
    isDefault: i === 0,
    managedByTenants: [],
    name: s.displayName,
    state: s.state,
    tenantId: s.tenantId,
    user: { name: who?.appId ?? '', type: 'servicePrincipal' },
  }));
}

export const loginCommands = [
  defineCommand({
    path: ['login'],
    summary: 'Sign in to the dpvault service with a service principal (as az login --service-principal).',
    args: {
      servicePrincipal: { names: ['--service-principal'], arity: 'flag', help: 'Sign in with a service principal (the only kind dpvault has).' },
      username: { names: ['--username', '-u'], required: true, help: "The service principal's application (client) id." },
      password: { names: ['--password', '-p'], required: true, help: "The service principal's secret." },
      tenant: { names: ['--tenant', '-t'], required: true, help: "The installation's tenant id (a GUID, as ad sp create-for-rbac prints it)." },
    },
    async run(a, ctx) {
      if (a.servicePrincipal !== true) throw usage('dpvault signs in service principals only: give --service-principal with -u APPID -p SECRET --tenant TENANT.');
      const tenant = a.tenant as string;
      if (!GUID.test(tenant)) throw usage(`argument --tenant: '${tenant}' is not a tenant id (a GUID).`);
      const credentials = { appId: a.username as string, password: a.password as string, tenant };
      checkTokenTransport(new URL(ctx.client.endpoint), ctx.client.endpoint);
      const token = await requestToken(ctx.client.postForm, credentials);
      if (tenantOf(token.accessToken)?.toLowerCase() !== tenant.toLowerCase()) {
        throw errors.signInRefused('invalid_tenant', `the tenant '${tenant}' is not this installation's; use the tenant that ad sp create-for-rbac printed.`);
      }
      ctx.credentials.saveLogin(ctx.client.endpoint, credentials);
      ctx.credentials.saveToken(ctx.client.endpoint, credentials.appId, token);
      return accountsOf(ctx);
    },
  }),
  defineCommand({
    path: ['logout'],
    summary: 'Forget the sign-in (credentials and tokens) kept for this endpoint.',
    offline: true,
    args: {},
    async run(_a, ctx) {
      if (!ctx.credentials.logout(ctx.client.endpoint)) ctx.warn(`Nobody is signed in to ${ctx.client.endpoint} with dpvault login.`);
      return undefined;
    },
  }),
];

/** The `tid` claim of a token (read, not verified: the service verifies its own tokens). */
function tenantOf(token: string): string | undefined {
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { tid?: unknown };
    return typeof claims.tid === 'string' ? claims.tid : undefined;
  } catch {
    return undefined;
  }
}
