// The authorization matrix, generated from the router's route list and the role table: every route
// x every built-in role x an assignment over the subscription, the resource group or the Backup
// vault the requests are about. The expected outcome is computed from the role table's actions
// and from where the request's path lies (under the assignment's scope or not), never written per
// row; the real answer must be a 403 exactly when the outcome is "denied", and never a 5xx; a
// list answered to a principal with a role over part of it holds nothing outside that part.
// Requests run in-process (`app.request`) against real catalog state made by the operator first
// (a resource group, a Backup vault with a policy, a key vault with a secret, a PostgreSQL server
// record; the instance, jobs and recovery points named in paths do not exist, which does not
// change who may ask), with a resolver that takes the principal from a test header:
// authentication (bearer tokens) is the token service's, tested over HTTP there.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { App } from '../../src/api/app.ts';
import { ROUTES_WITH_ACTIONS, routeAction } from '../../src/api/route-actions.ts';
import { buildRouter } from '../../src/api/routes/index.ts';
import { BUILT_IN_ROLE_IDS, type BuiltInRoleName } from '../../src/domain/role-assignment.ts';
import { assignRole } from '../../src/identity/role-assignments.ts';
import { BUILT_IN_ROLES, roleAllows } from '../../src/identity/roles.ts';
import type { PrincipalCaller } from '../../src/services/caller.ts';
import { API, createResources, subscriptionOf } from '../support/api-resources.ts';
import { getDefaultPolicyTemplate } from '../../src/policy/template.ts';
import { addPrincipal, appWithPrincipals, as } from '../support/principals.ts';
import { startTestService, type TestService } from '../support/service.ts';

const router = buildRouter();
const routes = router.list();
const N = { rg: 'matrix', vault: 'mvault', policy: 'mpol', kv: 'matrixkv', secret: 'msecret', server: 'mpg' };

type Level = 'subscription' | 'resourceGroup' | 'vault';
interface Grant { role: BuiltInRoleName; level: Level; scope: string; principal: PrincipalCaller }

let svc: TestService;
let app: App;
let sub: string;
const grants: Grant[] = [];
let nobody: PrincipalCaller;

/** A concrete path for a pattern: the resources the operator made, made-up names for the rest. */
function concrete(pattern: string): string {
  const values: Record<string, string> = {
    sub, rg: N.rg, vault: N.vault, policy: N.policy, kv: N.kv, secret: N.secret, server: N.server, db: 'postgres',
    instance: 'mpg-shop', bi: 'mpg-shop', job: randomUUID(), rp: randomUUID(), op: randomUUID(), loc: 'westus', kind: 'add', version: 'v1',
    assignment: randomUUID(), definition: BUILT_IN_ROLE_IDS.Reader, namespace: 'Microsoft.DataProtection', type: 'backupVaults', name: N.vault,
    childType: 'backupInstances', childName: 'mpg-shop', id: randomUUID(), guard: 'mguard', proxy: 'DppResourceGuardProxy', alert: randomUUID(),
  };
  return pattern.replace(/\{(\w+)\}/g, (_, p: string) => {
    assert.ok(values[p] !== undefined, `no value for {${p}} in ${pattern}`);
    return values[p]!;
  });
}

const scopeFor = (level: Level): string =>
  ({
    subscription: `/subscriptions/${sub}`,
    resourceGroup: `/subscriptions/${sub}/resourceGroups/${N.rg}`,
    vault: `/subscriptions/${sub}/resourceGroups/${N.rg}/providers/Microsoft.DataProtection/backupVaults/${N.vault}`,
  })[level];

/** Whether `path` lies at or under `scope`, by whole segments in any case (computed apart from the service's own scope reading). */
const under = (path: string, scope: string) => `${path.toLowerCase()}/`.startsWith(`${scope.toLowerCase()}/`);

/** Reads first, then actions, writes and deletes, so the real state serves as many rows as it can. */
const ORDER = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'];
const ordered = [...routes].sort((a, b) => ORDER.indexOf(a.method) - ORDER.indexOf(b.method));

async function call(principal: PrincipalCaller, method: string, pattern: string, versions: string) {
  const path = concrete(pattern);
  const version = versions === 'none' ? '' : `?api-version=${API[versions as keyof typeof API]}`;
  const body = ['PUT', 'POST', 'PATCH'].includes(method) ? {} : undefined;
  const res = await app.request(method, `${path}${version}`, { ...as(principal), ...(body ? { body } : {}) });
  assert.ok(res.status < 500, `${principal.name}: ${method} ${path} answered ${res.status} ${JSON.stringify(res.body)}`);
  return { path, res };
}

describe('authorization matrix: every route x every built-in role x scope', () => {
  before(async () => {
    svc = await startTestService();
    sub = await subscriptionOf(svc);
    await createResources(svc, sub, N);
    // A policy no path names keeps the vault (and so its group and the assignments over them) for
    // the whole matrix: once a role deletes 'mpol', a later DELETE of the vault is accepted and
    // the vault went whenever the background ran its deletion, which the matrix's timing decided.
    const keep = await svc.http('PUT', `${scopeFor('vault')}/backupPolicies/matrix-keep`, { properties: getDefaultPolicyTemplate('AzureDatabaseForPostgreSQL') }, API.dataprotection);
    assert.equal(keep.status, 200, JSON.stringify(keep.body));
    const levels: Level[] = ['subscription', 'resourceGroup', 'vault'];
    for (const r of BUILT_IN_ROLES) {
      for (const level of levels) {
        const principal = await addPrincipal(svc.ctx, `${r.name} at ${level}`);
        const scope = scopeFor(level);
        await assignRole(svc.ctx, { scope, principalId: principal.objectId, role: r.name, name: randomUUID() });
        grants.push({ role: r.name, level, scope, principal });
      }
    }
    nobody = await addPrincipal(svc.ctx, 'no role');
    app = appWithPrincipals(svc.ctx, () => [...grants.map((g) => g.principal), nobody]);
  });
  after(async () => {
    await svc?.ctx.background.idle();
    await svc?.close();
  });

  it('has an action for every route of the router, and names no route the router lacks', () => {
    const missing = routes.filter((r) => routeAction(r.method, r.pattern) === undefined).map((r) => `${r.method} ${r.pattern}`);
    assert.deepEqual(missing, [], 'routes without an action in src/api/route-actions.ts');
    const registered = new Set(routes.map((r) => `${r.method} ${r.pattern}`.toLowerCase()));
    assert.deepEqual(ROUTES_WITH_ACTIONS.filter((r) => !registered.has(r.toLowerCase())), [], 'actions for routes that do not exist');
  });

  it('answers a principal with no role assignment 403 on every route but GET /subscriptions, and changes nothing', async () => {
    const before = await svc.ctx.catalog.listResources({});
    for (const r of ordered) {
      const { path, res } = await call(nobody, r.method, r.pattern, r.versions);
      if (routeAction(r.method, r.pattern) === 'none') {
        assert.equal(res.status, 200);
        assert.deepEqual(res.body.value, [], 'GET /subscriptions shows no subscription to a principal without a role in it');
        continue;
      }
      assert.equal(res.status, 403, `${r.method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    const after = await svc.ctx.catalog.listResources({});
    assert.deepEqual(after, before);
  });

  it('refuses before it reads the api-version or the body', async () => {
    const res = await app.request('PUT', concrete(`/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.DataProtection/backupVaults/{vault}`), {
      headers: { ...as(nobody).headers, 'content-type': 'application/json' }, body: '{"not json',
    });
    assert.equal(res.status, 403, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'AuthorizationFailed');
  });

  for (const level of ['subscription', 'resourceGroup', 'vault'] as const) {
    it(`allows exactly what each role's actions allow, assigned over the ${level}`, async () => {
      const wrong: string[] = [];
      for (const g of grants.filter((x) => x.level === level)) {
        const role = BUILT_IN_ROLES.find((x) => x.name === g.role)!;
        for (const r of ordered) {
          const found = routeAction(r.method, r.pattern);
          assert.ok(found !== undefined);
          const { path, res } = await call(g.principal, r.method, r.pattern, r.versions);
          // Secrets answer to the key vault's access policies, and no role grants one.
          const mayAct = found !== 'none' && !found.secretPermission && roleAllows(role, found.action);
          // A list spanning scopes answers one with the action over part of it with that part only.
          const listScope = path.replace(/(\/providers\/[^/]+)?\/[^/]+$/, ''); // the collection's parent
          const partly = found !== 'none' && found.filtersList === true && mayAct && !under(path, g.scope) && under(g.scope, listScope);
          const expected = found === 'none' || (mayAct && under(path, g.scope)) || partly;
          const allowed = res.status !== 403;
          if (partly && res.status === 200) {
            const outside = res.body.value.filter((item: { id: string }) => !under(item.id, g.scope)).map((item: { id: string }) => item.id);
            if (outside.length) wrong.push(`${g.role} over ${level}: ${r.method} ${r.pattern} lists ${outside.join(', ')}, outside its scope`);
          }
          if (allowed !== expected) wrong.push(`${g.role} over ${level}: ${r.method} ${r.pattern} -> ${res.status} ${JSON.stringify(res.body?.error?.code ?? '')}, expected ${expected ? 'allowed' : 'denied'}`);
          if (!allowed && found !== 'none' && !found.secretPermission) {
            assert.equal(res.body.error.code, 'AuthorizationFailed');
            assert.ok(res.body.error.message.includes(`'${g.principal.appId}' with object id '${g.principal.objectId}'`), res.body.error.message);
            assert.ok(res.body.error.message.includes(`action '${found.action}'`), res.body.error.message);
          }
        }
      }
      assert.deepEqual(wrong, []);
    });
  }

  it('lists the subscription to every principal holding a role anywhere in it', async () => {
    for (const g of grants) {
      const res = await app.request('GET', `/subscriptions?api-version=${API.resources}`, as(g.principal));
      assert.deepEqual(res.body.value.map((s: { subscriptionId: string }) => s.subscriptionId), [sub], g.principal.name);
    }
  });
});
