// Multi-user authorization against a real PostgreSQL backup and the real service over HTTP, with
// two principals signed in through the token service: the backup admin (Owner of the vault's
// group) and the security admin (Owner of another group, where the resource guard lives). Once the
// vault is mapped to the guard, every critical operation is refused for the backup admin alone
// (403, nothing changed, the refusal in the audit log), an excluded one is allowed, and all are
// allowed once the security admin grants the backup admin a role on the guard.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type RunningService } from '../../src/app.ts';
import { RECOVERY_POINT_TYPE } from '../../src/domain/backup-instance.ts';
import { BUILT_IN_ROLE_IDS } from '../../src/domain/role-assignment.ts';
import { API } from '../support/api-resources.ts';
import { startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { shopSql } from '../support/pg-fixtures.ts';
import { createProtectionResources, protectAndBackUp } from '../support/protection-resources.ts';
import { scratchDir } from '../support/scratch.ts';
import { ownerCredentials, signIn } from '../support/service.ts';
import { shellSession } from '../support/shell.ts';

const MUA_CODE = 'UserErrorMissingRequiredPermissionsOnResourceGuard';
let pgc: PgCluster;
let svc: RunningService;
let dataDir: string;
let cwd: string;
let sub: string;
let ownerToken: string;
const session = shellSession(() => ({ cwd, endpoint: svc.url, dataDir }));
const { sh, ok } = session;
const G = '-g rg -v vault';

interface Admin { objectId: string; token: string }
let backupAdmin: Admin;
let securityAdmin: Admin;

const rgId = (rg: string) => `/subscriptions/${sub}/resourceGroups/${rg}`;
const vaultPath = () => `${rgId('rg')}/providers/Microsoft.DataProtection/backupVaults/vault`;
const guardPath = () => `${rgId('security')}/providers/Microsoft.DataProtection/resourceGuards/guard1`;
const proxyPath = () => `${vaultPath()}/backupResourceGuardProxies/DppResourceGuardProxy`;
const instancePath = (name: string) => `${vaultPath()}/backupInstances/${name}`;

/** One HTTP request with a bearer token; api-version added for ARM paths. */
async function http(token: string, method: string, path: string, body?: unknown, apiVersion: string = API.dataprotection): Promise<{ status: number; body: any }> {
  const url = new URL(svc.url + path);
  if (!path.startsWith('/v1.0/') && !url.searchParams.has('api-version')) url.searchParams.set('api-version', apiVersion);
  const res = await fetch(url, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** A new service principal, signed in, holding Owner over `scope`. */
async function admin(name: string, scope: string): Promise<Admin> {
  const made = await http(ownerToken, 'POST', '/v1.0/servicePrincipals', { displayName: name });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  await grant(ownerToken, scope, 'Owner', made.body.id);
  return { objectId: made.body.id, token: await signIn(svc.url, { appId: made.body.appId, password: made.body.secretText }) };
}

async function grant(token: string, scope: string, role: keyof typeof BUILT_IN_ROLE_IDS, principalId: string): Promise<void> {
  const res = await http(token, 'PUT', `${scope}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}`, {
    properties: { roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLE_IDS[role]}`, principalId },
  }, API.authorization);
  assert.equal(res.status, 201, JSON.stringify(res.body));
}

const storedPoints = async (name: string) => (await svc.ctx.catalog.listResources({ type: RECOVERY_POINT_TYPE, parentId: instancePath(name) })).items.length;

/** The policy `pol` with its default retention rule's duration replaced. */
async function policyWithRetention(duration: string): Promise<unknown> {
  const current = (await http(ownerToken, 'GET', `${vaultPath()}/backupPolicies/pol`)).body;
  const properties = structuredClone(current.properties);
  for (const rule of properties.policyRules) for (const lc of rule.lifecycles ?? []) lc.deleteAfter.duration = duration;
  return { properties };
}

/** The instance `app` as a PUT body, moved to policy `policy`. */
async function instanceOnPolicy(policy: string): Promise<unknown> {
  const current = (await http(ownerToken, 'GET', instancePath('app'))).body;
  return { properties: { ...current.properties, policyInfo: { policyId: `${vaultPath()}/backupPolicies/${policy}` } } };
}

/** Every critical operation the backup admin may attempt, each with the state it must leave alone. */
const critical = () => [
  { what: 'disable immutability', call: () => http(backupAdmin.token, 'PATCH', vaultPath(), { properties: { securitySettings: { immutabilitySettings: { state: 'Disabled' } } } }) },
  { what: 'move the instance to a shorter policy', call: async () => http(backupAdmin.token, 'PUT', instancePath('app'), await instanceOnPolicy('short')) },
  { what: 'delete the backup instance', call: () => http(backupAdmin.token, 'DELETE', instancePath('app')) },
  { what: 'turn soft delete off', call: () => http(backupAdmin.token, 'PATCH', vaultPath(), { properties: { securitySettings: { softDeleteSettings: { state: 'Off' } } } }) },
  { what: 'shorten soft delete', call: () => http(backupAdmin.token, 'PATCH', vaultPath(), { properties: { securitySettings: { softDeleteSettings: { state: 'On', retentionDurationInDays: 14 } } } }) },
  { what: 'shorten the policy', call: async () => http(backupAdmin.token, 'PUT', `${vaultPath()}/backupPolicies/pol`, await policyWithRetention('P1M')) },
  { what: 'remove the mapping', call: () => http(backupAdmin.token, 'DELETE', proxyPath()) },
];

/** What the critical operations could change: the vault, the policy, the mapping, the instance and its points. */
async function guardedState(): Promise<string> {
  const get = async (path: string) => (await http(ownerToken, 'GET', path)).body;
  return JSON.stringify([await get(vaultPath()), await get(`${vaultPath()}/backupPolicies/pol`), await get(proxyPath()), await get(instancePath('app')), await storedPoints('app')]);
}

before(async () => {
  pgc = await startCluster();
  await pgc.createDatabase('shop', shopSql(20));
  await pgc.createRole('backupuser', 'Mua-backup-pw', { login: true, superuser: true });
  dataDir = mkdtempSync(join(tmpdir(), 'dpvault-mua-'));
  cwd = scratchDir('dpvault-mua-cli-');
  svc = await startService({ dataDir, port: 0, schedulerIntervalMs: 3_600_000, retentionIntervalMs: 3_600_000 });
  const created = await createProtectionResources(ok, pgc.port, 'kvmua');
  sub = created.sub;
  await ok(`dpvault keyvault secret set --vault-name kvmua -n pg --value "postgres://backupuser:Mua-backup-pw@127.0.0.1:${pgc.port}/postgres?sslmode=disable" -o none`);
  const principal = (await sh('dpvault backup-vault show -g rg -v vault --query identity.principalId -o tsv')).stdout.trim();
  await ok(`dpvault keyvault set-policy -n kvmua --object-id ${principal} --secret-permissions get list -o none`);
  // Security settings the critical operations would lower: soft delete 30 days, immutability Unlocked.
  await ok(`dpvault backup-vault update ${G} --soft-delete-state On --soft-delete-retention 30 --immutability-state Unlocked -o none`);
  await ok('dpvault group create -n security -l westus -o none');
  await protectAndBackUp(session, cwd, { sub, policyId: created.policyId, keyVault: 'kvmua', name: 'app' });
  ownerToken = await signIn(svc.url, ownerCredentials(dataDir));
  assert.equal((await http(ownerToken, 'PUT', `${vaultPath()}/backupPolicies/short`, await policyWithRetention('P1M'))).status, 200);
  backupAdmin = await admin('backup-admin', rgId('rg'));
  securityAdmin = await admin('security-admin', rgId('security'));
});
after(async () => {
  await svc?.close();
  await pgc?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('multi-user authorization with a resource guard', () => {
  it('lets only the security admin own the guard, and maps the vault once the backup admin may read it', async () => {
    const mine = await http(backupAdmin.token, 'PUT', guardPath(), { location: 'westus' });
    assert.equal(mine.status, 403);
    assert.equal(mine.body.error.code, 'AuthorizationFailed');
    const made = await http(securityAdmin.token, 'PUT', guardPath(), { location: 'westus' });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.equal(made.body.type, 'Microsoft.DataProtection/resourceGuards');
    assert.deepEqual(made.body.properties.vaultCriticalOperationExclusionList, []);
    assert.ok(made.body.properties.resourceGuardOperations.some((o: any) => o.vaultCriticalOperation === 'Microsoft.DataProtection/backupVaults/backupInstances/delete'));
    const mandatory = await http(securityAdmin.token, 'PUT', guardPath(), { location: 'westus', properties: { vaultCriticalOperationExclusionList: ['disableSoftDelete'] } });
    assert.equal(mandatory.status, 400);
    assert.equal(mandatory.body.error.code, 'UserErrorInvalidRequestParameter');
    assert.deepEqual((await http(securityAdmin.token, 'GET', guardPath())).body.properties.vaultCriticalOperationExclusionList, []);

    const unreadable = await http(backupAdmin.token, 'PUT', proxyPath(), { properties: { resourceGuardResourceId: guardPath() } });
    assert.equal(unreadable.status, 403, JSON.stringify(unreadable.body));
    assert.equal(unreadable.body.error.code, 'AuthorizationFailed');
    assert.equal((await http(ownerToken, 'GET', proxyPath())).status, 404);
    await grant(securityAdmin.token, guardPath(), 'Reader', backupAdmin.objectId);
    const mapped = await http(backupAdmin.token, 'PUT', proxyPath(), { properties: { resourceGuardResourceId: guardPath() } });
    assert.equal(mapped.status, 200, JSON.stringify(mapped.body));
    assert.equal(mapped.body.properties.resourceGuardResourceId, guardPath());
    assert.equal((await http(backupAdmin.token, 'GET', vaultPath())).body.properties.isVaultProtectedByResourceGuard, true);
  });

  it('refuses every critical operation to the backup admin alone, changing nothing, and the audit log lists each refusal', async () => {
    const before = await guardedState();
    for (const op of critical()) {
      const res = await op.call();
      assert.equal(res.status, 403, `${op.what}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, MUA_CODE, op.what);
      assert.match(res.body.error.message, /resourceGuards\/guard1/, op.what);
      assert.equal(await guardedState(), before, `${op.what} changed state`);
    }
    assert.equal(await storedPoints('app'), 1);
    const filter = encodeURIComponent(`caller eq '${backupAdmin.objectId}'`);
    const log = await http(ownerToken, 'GET', `/subscriptions/${sub}/providers/microsoft.insights/eventtypes/management/values?$filter=${filter}`, undefined, API.insights);
    assert.equal(log.status, 200, JSON.stringify(log.body));
    const refused = log.body.value.filter((e: any) => e.status.value === 'Failed' && e.subStatus.value === MUA_CODE);
    assert.equal(refused.length, critical().length, JSON.stringify(log.body.value.map((e: any) => [e.operationName.value, e.status.value, e.subStatus.value])));
  });

  it('allows an operation the guard excludes, and only that one', async () => {
    const excluded = await http(securityAdmin.token, 'PUT', guardPath(), { location: 'westus', properties: { vaultCriticalOperationExclusionList: ['deleteProtection'] } });
    assert.equal(excluded.status, 200, JSON.stringify(excluded.body));
    const deleted = await http(backupAdmin.token, 'DELETE', instancePath('app'));
    assert.equal(deleted.status, 202, JSON.stringify(deleted.body));
    await svc.ctx.background.idle();
    // Soft delete kept it with its point; the backup admin may undelete (not a critical operation).
    assert.equal(await storedPoints('app'), 1);
    const undeleted = await http(backupAdmin.token, 'POST', `${vaultPath()}/deletedBackupInstances/app/undelete`, {});
    assert.equal(undeleted.status, 202, JSON.stringify(undeleted.body));
    await svc.ctx.background.idle();
    const still = await http(backupAdmin.token, 'PATCH', vaultPath(), { properties: { securitySettings: { softDeleteSettings: { state: 'Off' } } } });
    assert.equal(still.status, 403);
    assert.equal(still.body.error.code, MUA_CODE);
    assert.equal((await http(securityAdmin.token, 'PUT', guardPath(), { location: 'westus', properties: { vaultCriticalOperationExclusionList: [] } })).status, 200);
  });

  it('allows every critical operation once the security admin grants the backup admin a role on the guard', async () => {
    await grant(securityAdmin.token, guardPath(), 'Contributor', backupAdmin.objectId);
    for (const op of critical()) {
      const res = await op.call();
      assert.ok(res.status < 300, `${op.what}: ${res.status} ${JSON.stringify(res.body)}`);
      await svc.ctx.background.idle();
    }
    const vault = (await http(ownerToken, 'GET', vaultPath())).body;
    assert.equal(vault.properties.securitySettings.immutabilitySettings.state, 'Disabled');
    assert.equal(vault.properties.isVaultProtectedByResourceGuard, false);
    assert.equal((await http(ownerToken, 'GET', proxyPath())).status, 404);
    // The instance was deleted while soft delete was still On: it is soft-deleted with its point.
    assert.equal((await http(ownerToken, 'GET', `${vaultPath()}/deletedBackupInstances/app`)).status, 200);
    assert.equal(await storedPoints('app'), 1);
  });
});
