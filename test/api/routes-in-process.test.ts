// Every route of the route table, called in-process through `app.request` (no port) against the
// real service and a real PostgreSQL cluster: one protection's whole life (group, vault, policy,
// key vault, server, instance, backup, recovery points, restore, state changes, maintenance,
// operations, deletes). Each call records the pattern it reached; the last test fails when a
// route of `router.list()` was never reached, so a new route needs an in-process test here.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildRouter } from '../../src/api/routes/index.ts';
import type { InProcessResponse } from '../../src/api/app.ts';
import { getDefaultPolicyTemplate } from '../../src/policy/template.ts';
import { startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { shopSql } from '../support/pg-fixtures.ts';
import { startTestService, type TestService } from '../support/service.ts';
import { API } from '../support/api-resources.ts';
import { addPrincipal } from '../support/principals.ts';
import { raiseAlert } from '../../src/services/alerts.ts';
import { missedBackupAlert } from '../../src/domain/alert.ts';

const router = buildRouter();
const reached = new Set<string>();
const routeKey = (method: string, pattern: string) => `${method} ${pattern}`;

let svc: TestService;
let cluster: PgCluster;
let sub: string;

const DP = '/providers/Microsoft.DataProtection';
const rg = () => `/subscriptions/${sub}/resourceGroups/inproc`;
const vault = () => `${rg()}${DP}/backupVaults/vault1`;
const policy = () => `${vault()}/backupPolicies/pol1`;
const kv = () => `${rg()}/providers/Microsoft.KeyVault/vaults/inprockv`;
const secret = () => `${kv()}/secrets/dbkey`;
const server = () => `${rg()}/providers/Microsoft.DBforPostgreSQL/servers/pgsrv`;
const instance = () => `${vault()}/backupInstances/pgsrv-shop`;
const SECRET_URI = 'https://inprockv.vault.azure.net/secrets/dbkey';
const PASSWORD = 'in-pr0cess-secret';

/**
 * Calls the app in-process with the route's api-version and records the route it reached. Every
 * answer must come from the route itself: below 500 and not "no such route".
 */
async function call(method: string, target: string, body?: unknown): Promise<InProcessResponse> {
  const path = target.split('?')[0]!;
  const found = router.match(method, path);
  assert.ok('route' in found, `${method} ${path} matches no route`);
  reached.add(routeKey(method, found.route.pattern));
  const versions = found.route.versions;
  const withVersion = versions === 'none' || target.includes('api-version=') ? target : `${target}${target.includes('?') ? '&' : '?'}api-version=${API[versions]}`;
  const res = await svc.app.request(method, withVersion, body === undefined ? {} : { body });
  assert.ok(res.status < 500, `${method} ${target}: ${res.status} ${JSON.stringify(res.body)}`);
  assert.ok(!['InvalidResourceType', 'MethodNotAllowed'].includes(res.body?.error?.code), `${method} ${target}: ${JSON.stringify(res.body)}`);
  return res;
}

/** The path and query of an operation header (an absolute URL on the in-process host). */
const local = (url: string | null) => {
  assert.ok(url, 'the answer names an operation');
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

async function settle(): Promise<void> {
  await svc.ctx.background.idle();
  await svc.worker.drain();
  await svc.ctx.background.idle();
}

/** Follows a 202's Location to the operation's result, once the work has settled. */
async function result(res: InProcessResponse): Promise<any> {
  assert.equal(res.status, 202, JSON.stringify(res.body));
  await settle();
  const out = await call('GET', local(res.headers.get('location')));
  assert.ok(out.status === 200 || out.status === 204, JSON.stringify(out.body));
  return out.body;
}

before(async () => {
  [svc, cluster] = await Promise.all([startTestService(), startCluster()]);
  await cluster.createDatabase('shop', shopSql(50));
  await cluster.createRole('backupadmin', PASSWORD, { login: true, superuser: true });
});
after(async () => {
  await svc?.close();
  await cluster?.stop();
});

describe('every route, in-process', () => {
  let principalId: string;
  let jobId: string;
  let rpName: string;
  let vaultOp: string;

  it('serves the subscription and resource groups', async () => {
    sub = (await call('GET', '/subscriptions')).body.value[0].subscriptionId;
    assert.equal((await call('GET', `/subscriptions/${sub}`)).body.subscriptionId, sub);
    assert.equal((await call('PUT', rg(), { location: 'westus' })).status, 201);
    assert.equal((await call('PUT', `${rg()}-spare`, { location: 'westus' })).status, 201);
    assert.equal((await call('GET', rg())).body.name, 'inproc');
    assert.ok((await call('GET', `/subscriptions/${sub}/resourcegroups`)).body.value.some((g: any) => g.name === 'inproc'));
  });

  it('creates, reads, patches and lists a Backup vault and its policy', async () => {
    const body = { location: 'westus', identity: { type: 'SystemAssigned' }, properties: { storageSettings: [{ datastoreType: 'VaultStore', type: 'LocallyRedundant' }] } };
    const created = await call('PUT', vault(), body);
    assert.equal(created.status, 201);
    vaultOp = local(created.headers.get('azure-asyncoperation'));
    principalId = created.body.identity.principalId;
    assert.equal((await call('GET', vault())).body.name, 'vault1');
    assert.deepEqual((await call('PATCH', vault(), { tags: { team: 'dba' } })).body.tags, { team: 'dba' });
    assert.ok((await call('GET', `/subscriptions/${sub}${DP}/backupVaults`)).body.value.some((v: any) => v.name === 'vault1'));
    assert.equal((await call('GET', `${rg()}${DP}/backupVaults`)).body.value.length, 1);
    assert.equal((await call('PUT', policy(), { properties: getDefaultPolicyTemplate('AzureDatabaseForPostgreSQL') })).status, 200);
    assert.equal((await call('GET', policy())).body.name, 'pol1');
    assert.deepEqual((await call('GET', `${vault()}/backupPolicies`)).body.value.map((p: any) => p.name), ['pol1']);
  });

  it('serves operation status and results at the vault and resource group scopes', async () => {
    await settle();
    assert.equal((await call('GET', vaultOp)).body.status, 'Succeeded');
    const opId = vaultOp.split('?')[0]!.split('/').at(-1)!;
    assert.equal((await call('GET', `${rg()}${DP}/operationStatus/${opId}`)).body.status, 'Succeeded');
    assert.equal((await call('GET', `${vault()}/operationResults/${opId}`)).body.name, 'vault1');
  });

  it('keeps a key vault, its access policies and a secret whose value only listValue returns', async () => {
    assert.equal((await call('PUT', kv(), { location: 'westus', properties: { sku: { family: 'A', name: 'standard' } } })).status, 201);
    assert.equal((await call('GET', kv())).body.name, 'inprockv');
    assert.equal((await call('GET', `/subscriptions/${sub}/providers/Microsoft.KeyVault/vaults`)).body.value.length, 1);
    assert.equal((await call('GET', `${rg()}/providers/Microsoft.KeyVault/vaults`)).body.value.length, 1);
    const policies = await call('PUT', `${kv()}/accessPolicies/add`, {
      properties: { accessPolicies: [{ tenantId: svc.ctx.tenantId, objectId: principalId, permissions: { secrets: ['get', 'list'] } }] },
    });
    assert.ok(policies.body.properties.accessPolicies.some((p: any) => p.objectId === principalId));
    const value = `postgresql://backupadmin:${PASSWORD}@127.0.0.1:${cluster.port}/postgres?sslmode=disable`;
    assert.equal((await call('PUT', secret(), { properties: { value } })).status, 201);
    const shown = await call('GET', secret());
    assert.equal(shown.body.value, undefined);
    assert.ok(!JSON.stringify(shown.body).includes(PASSWORD));
    assert.equal((await call('GET', `${kv()}/secrets`)).body.value.length, 1);
    const versions = (await call('GET', `${secret()}/versions`)).body.value;
    assert.equal(versions.length, 1);
    const version = String(shown.body.id).split('/').at(-1)!;
    assert.equal((await call('GET', `${secret()}/versions/${version}`)).body.id, shown.body.id);
    assert.equal((await call('POST', `${secret()}/listValue`)).body.value, value);
    assert.equal((await call('POST', `${secret()}/versions/${version}/listValue`)).body.value, value);
  });

  it('registers the PostgreSQL server and lists its databases live', async () => {
    assert.equal((await call('PUT', server(), { location: 'westus', properties: { fullyQualifiedDomainName: '127.0.0.1', port: cluster.port } })).status, 201);
    assert.equal((await call('GET', server())).body.properties.port, cluster.port);
    assert.equal((await call('GET', `/subscriptions/${sub}/providers/Microsoft.DBforPostgreSQL/servers`)).body.value.length, 1);
    assert.equal((await call('GET', `${rg()}/providers/Microsoft.DBforPostgreSQL/servers`)).body.value.length, 1);
    const q = `?secretUri=${encodeURIComponent(SECRET_URI)}`;
    assert.ok((await call('GET', `${server()}/databases${q}`)).body.value.some((d: any) => d.name === 'shop'));
    assert.equal((await call('GET', `${server()}/databases/shop${q}`)).body.name, 'shop');
  });

  it('registers, lists and forgets a flexible server', async () => {
    const flex = `${rg()}/providers/Microsoft.DBforPostgreSQL/flexibleServers/pgflex`;
    const body = { properties: { fullyQualifiedDomainName: '127.0.0.1', port: cluster.port, administratorSecretUri: SECRET_URI } };
    assert.equal((await call('PUT', flex, body)).status, 201);
    assert.equal((await call('GET', flex)).body.properties.administratorSecretUri, SECRET_URI);
    assert.equal((await call('GET', `/subscriptions/${sub}/providers/Microsoft.DBforPostgreSQL/flexibleServers`)).body.value.length, 1);
    assert.equal((await call('GET', `${rg()}/providers/Microsoft.DBforPostgreSQL/flexibleServers`)).body.value.length, 1);
    assert.equal((await call('DELETE', flex)).status, 200);
  });

  const instanceProperties = () => ({
    friendlyName: 'pgsrv/shop',
    objectType: 'BackupInstance',
    dataSourceInfo: {
      datasourceType: 'Microsoft.DBforPostgreSQL/servers/databases', objectType: 'Datasource', resourceID: `${server()}/databases/shop`,
      resourceLocation: 'westus', resourceName: 'shop', resourceType: 'Microsoft.DBforPostgreSQL/servers/databases', resourceUri: '',
    },
    policyInfo: { policyId: policy() },
    datasourceAuthCredentials: { objectType: 'SecretStoreBasedAuthCredentials', secretStoreResource: { secretStoreType: 'AzureKeyVault', uri: SECRET_URI } },
  });

  it('validates and protects a database, and lists the instance', async () => {
    const validated = await result(await call('POST', `${vault()}/validateForBackup`, { backupInstance: instanceProperties() }));
    assert.equal(validated.objectType, 'OperationJobExtendedInfo');
    const created = await call('PUT', instance(), { properties: instanceProperties() });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal((await call('GET', instance())).body.properties.currentProtectionState, 'ProtectionConfigured');
    assert.equal((await call('GET', `${vault()}/backupInstances`)).body.value.length, 1);
    assert.equal((await call('GET', `/subscriptions/${sub}${DP}/backupInstances`)).body.value.length, 1);
  });

  it('takes an on-demand backup as a job, with its recovery point', async () => {
    const accepted = await call('POST', `${instance()}/backup`, { backupRuleOptions: { ruleName: 'BackupWeekly', triggerOption: { retentionTagOverride: 'Default' } } });
    const opId = local(accepted.headers.get('azure-asyncoperation')).split('?')[0]!.split('/').at(-1)!;
    jobId = String((await result(accepted)).jobId).split('/').at(-1)!;
    assert.equal((await call('GET', `${vault()}/backupJobs/${jobId}`)).body.properties.status, 'Completed');
    assert.ok((await call('GET', `${vault()}/backupJobs`)).body.value.some((j: any) => j.name === jobId));
    assert.ok((await call('GET', `/subscriptions/${sub}${DP}/backupJobs`)).body.value.some((j: any) => j.name === jobId));
    const points = (await call('GET', `${instance()}/recoveryPoints`)).body.value;
    assert.equal(points.length, 1);
    rpName = points[0].name;
    assert.equal((await call('GET', `${instance()}/recoveryPoints/${rpName}`)).body.name, rpName);
    // The same operation, asked at every scope it is published under.
    assert.equal((await call('GET', `/subscriptions/${sub}${DP}/locations/westus/operationStatus/${opId}`)).body.status, 'Succeeded');
    assert.equal((await call('GET', `${instance()}/operationStatus/${opId}`)).body.status, 'Succeeded');
    assert.ok(String((await call('GET', `${instance()}/operationResults/${opId}`)).body.jobId).endsWith(`/backupJobs/${jobId}`));
  });

  it('validates and runs a restore to a new database with every row', async () => {
    const request = {
      objectType: 'AzureBackupRecoveryPointBasedRestoreRequest', sourceDataStoreType: 'VaultStore', recoveryPointId: rpName,
      restoreTargetInfo: {
        objectType: 'RestoreTargetInfo', recoveryOption: 'FailIfExists', restoreLocation: 'westus',
        datasourceInfo: { ...instanceProperties().dataSourceInfo, resourceID: `${server()}/databases/shop_restored`, resourceName: 'shop_restored' },
        datasourceAuthCredentials: instanceProperties().datasourceAuthCredentials,
      },
    };
    assert.equal((await result(await call('POST', `${instance()}/validateRestore`, { restoreRequestObject: request }))).objectType, 'OperationJobExtendedInfo');
    const restoreJob = String((await result(await call('POST', `${instance()}/restore`, request))).jobId).split('/').at(-1);
    const job = await call('GET', `${vault()}/backupJobs/${restoreJob}`);
    assert.equal(job.body.properties.status, 'Completed', JSON.stringify(job.body.properties.errorDetails));
    assert.deepEqual(await cluster.compareDatabases('shop', 'shop_restored'), []);
  });

  it('answers the cross-region restore routes of a vault without cross region restore with a clear 400, and bad bodies too', async () => {
    const at = `${rg()}${DP}/locations/eastus`;
    const details = { sourceRegion: 'westus', sourceBackupInstanceId: instance() };
    const request = { objectType: 'AzureBackupRecoveryPointBasedRestoreRequest', sourceDataStoreType: 'VaultStore', recoveryPointId: rpName, restoreTargetInfo: {} };
    const calls: [string, unknown][] = [
      ['fetchSecondaryRecoveryPoints', details],
      ['crossRegionRestore', { objectType: 'CrossRegionRestoreRequestObject', restoreRequestObject: request, crossRegionRestoreDetails: details }],
      ['validateCrossRegionRestore', { objectType: 'ValidateCrossRegionRestoreRequestObject', restoreRequestObject: request, crossRegionRestoreDetails: details }],
      ['fetchCrossRegionRestoreJobs', { sourceRegion: 'westus', sourceBackupVaultId: vault() }],
      ['fetchCrossRegionRestoreJob', { sourceRegion: 'westus', sourceBackupVaultId: vault(), jobId: 'x' }],
    ];
    for (const [action, body] of calls) {
      const res = await call('POST', `${at}/${action}`, body);
      assert.equal(res.status, 400, `${action}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, 'UserErrorCrossRegionRestoreNotEnabled', action);
    }
    const noDetails = await call('POST', `${at}/crossRegionRestore`, { restoreRequestObject: request });
    assert.equal(noDetails.status, 400);
    assert.match(noDetails.body.error.message, /crossRegionRestoreDetails/);
    // A vault named outside the path's group is refused before anything is read of it.
    const elsewhere = await call('POST', `/subscriptions/${sub}/resourceGroups/other${DP}/locations/eastus/fetchCrossRegionRestoreJobs`, { sourceBackupVaultId: vault() });
    assert.equal(elsewhere.status, 400);
    assert.match(elsewhere.body.error.message, /outside the subscription and resource group/);
  });

  it('changes the protection state through each action', async () => {
    const state = async () => (await call('GET', instance())).body.properties.currentProtectionState;
    for (const [action, expected] of [
      ['suspendBackups', 'BackupsSuspended'], ['resumeBackups', 'ProtectionConfigured'], ['stopProtection', 'ProtectionStopped'], ['resumeProtection', 'ProtectionConfigured'],
    ] as const) {
      assert.equal((await call('POST', `${instance()}/${action}`)).status, 202);
      await settle();
      assert.equal(await state(), expected, action);
    }
  });

  it('verifies, maintains, repairs and recovers the vault as jobs and operations', async () => {
    for (const action of ['verify', 'maintain', 'repair']) {
      const { jobId: id } = await result(await call('POST', `${vault()}/${action}`, action === 'verify' ? { samplePercent: 100 } : undefined));
      const job = await call('GET', `${vault()}/backupJobs/${String(id).split('/').at(-1)}`);
      assert.equal(job.body.properties.status, 'Completed', `${action}: ${JSON.stringify(job.body.properties.errorDetails)}`);
    }
    const recovered = await result(await call('POST', `${vault()}/recover`));
    assert.equal(typeof recovered, 'object');
  });

  it("reports the vault's storage over time and the policy's retention calendar (the Backup center's reads)", async () => {
    const usage = await call('GET', `${vault()}/storageUsage`);
    assert.equal(usage.status, 200, JSON.stringify(usage.body));
    const vs = usage.body.datastores.find((d: any) => d.dataStoreType === 'VaultStore');
    assert.ok(vs.recoveryPoints >= 1 && vs.logicalBytes > 0 && vs.storedBytes > 0, JSON.stringify(vs));
    assert.ok(usage.body.history.filter((h: any) => h.storedBytes !== undefined).length >= 2, 'measured by the maintenance, and now');
    const sim = await call('GET', `${policy()}/simulate?start=2026-01-01&end=2026-03-01`);
    assert.equal(sim.status, 200, JSON.stringify(sim.body));
    assert.deepEqual(sim.body.months.map((m: any) => m.month), ['2026-01', '2026-02']);
  });

  it('assigns, reads, lists and deletes roles and reads role definitions over every scope', async () => {
    const reader = await addPrincipal(svc.ctx, 'inproc-reader');
    const AUTHZ = '/providers/Microsoft.Authorization';
    for (const [k, scope] of ['', `/subscriptions/${sub}`, rg(), vault(), instance()].entries()) {
      const name = `00000000-0000-4000-8000-00000000000${k}`;
      const one = `${scope}${AUTHZ}/roleAssignments/${name}`;
      const roleDefinitionId = `/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`;
      const made = await call('PUT', one, { properties: { roleDefinitionId, principalId: reader.objectId } });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      assert.equal((await call('GET', one)).body.properties.principalId, reader.objectId);
      const listed = await call('GET', `${scope}${AUTHZ}/roleAssignments?$filter=${encodeURIComponent(`principalId eq '${reader.objectId}'`)}`);
      assert.ok(listed.body.value.some((a: any) => a.name === name), JSON.stringify(listed.body));
      assert.equal((await call('DELETE', one)).status, 200);
      const roles = await call('GET', `${scope}${AUTHZ}/roleDefinitions?$filter=${encodeURIComponent("roleName eq 'Backup Reader'")}`);
      assert.deepEqual(roles.body.value.map((r: any) => r.properties.roleName), ['Backup Reader']);
      assert.equal((await call('GET', `${scope}${AUTHZ}/roleDefinitions/${roles.body.value[0].name}`)).body.properties.roleName, 'Backup Reader');
    }
  });

  it('creates, maps, lists, patches, unmaps and deletes a resource guard', async () => {
    const guard = `${rg()}${DP}/resourceGuards/guard1`;
    const proxy = `${vault()}/backupResourceGuardProxies/DppResourceGuardProxy`;
    assert.equal((await call('PUT', guard, { location: 'westus', properties: { vaultCriticalOperationExclusionList: ['deleteProtection'] } })).status, 201);
    assert.deepEqual((await call('GET', guard)).body.properties.vaultCriticalOperationExclusionList, ['Microsoft.DataProtection/backupVaults/backupInstances/delete']);
    assert.deepEqual((await call('PATCH', guard, { tags: { owner: 'security' } })).body.tags, { owner: 'security' });
    assert.ok((await call('GET', `/subscriptions/${sub}${DP}/resourceGuards`)).body.value.some((g: any) => g.name === 'guard1'));
    assert.equal((await call('GET', `${rg()}${DP}/resourceGuards`)).body.value.length, 1);
    const mapped = await call('PUT', proxy, { properties: { resourceGuardResourceId: guard } });
    assert.equal(mapped.status, 200, JSON.stringify(mapped.body));
    assert.equal((await call('GET', proxy)).body.properties.resourceGuardResourceId, guard);
    assert.equal((await call('GET', `${vault()}/backupResourceGuardProxies`)).body.value.length, 1);
    assert.equal((await call('GET', vault())).body.properties.isVaultProtectedByResourceGuard, true);
    assert.equal((await call('DELETE', guard)).body.error.code, 'UserErrorResourceGuardInUse');
    assert.equal((await call('DELETE', proxy)).status, 200);
    assert.equal((await call('GET', vault())).body.properties.isVaultProtectedByResourceGuard, false);
    assert.equal((await call('DELETE', guard)).status, 200);
  });

  it('deletes what it made, children first', async () => {
    const deleted = async (path: string) => {
      const res = await call('DELETE', path);
      assert.equal(res.status, 200, `${path}: ${JSON.stringify(res.body)}`);
    };
    // Soft delete (the vault's default On): the instance moves to deletedBackupInstances and back.
    assert.equal(await result(await call('DELETE', instance())), undefined);
    assert.equal((await call('GET', `${vault()}/backupInstances`)).body.value.length, 0);
    const softDeleted = `${vault()}/deletedBackupInstances/${instance().split('/').at(-1)}`;
    assert.equal((await call('GET', `${vault()}/deletedBackupInstances`)).body.value.length, 1);
    assert.equal((await call('GET', softDeleted)).body.properties.currentProtectionState, 'SoftDeleted');
    assert.equal(await result(await call('POST', `${softDeleted}/undelete`)), undefined);
    assert.equal((await call('GET', instance())).body.properties.currentProtectionState, 'ProtectionStopped');
    // Soft delete Off: the instance and its data go at once.
    assert.equal((await call('PATCH', vault(), { properties: { securitySettings: { softDeleteSettings: { state: 'Off' } } } })).status, 200);
    assert.equal(await result(await call('DELETE', instance())), undefined);
    assert.equal((await call('GET', `${vault()}/backupInstances`)).body.value.length, 0);
    assert.equal((await call('GET', `${vault()}/deletedBackupInstances`)).body.value.length, 0);
    await deleted(secret());
    await deleted(kv());
    await deleted(server());
    await deleted(policy());
    const vaultDeleted = await call('DELETE', vault());
    assert.equal(vaultDeleted.status, 202, JSON.stringify(vaultDeleted.body));
    await settle();
    assert.equal((await call('GET', local(vaultDeleted.headers.get('azure-asyncoperation')))).body.status, 'Succeeded');
    await deleted(`${rg()}-spare`);
    assert.equal((await call('GET', `/subscriptions/${sub}/resourcegroups`)).body.value.some((g: any) => g.name === 'inproc-spare'), false);
  });

  it('lists the mutating calls it made in the activity log, refused ones included', async () => {
    const res = await call('GET', `/subscriptions/${sub}/providers/microsoft.insights/eventtypes/management/values?$filter=${encodeURIComponent("resourceGroupName eq 'inproc'")}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const ops = new Set(res.body.value.map((e: any) => `${e.operationName.value} ${e.status.value}`));
    assert.ok(ops.has('Microsoft.DataProtection/backupVaults/backupInstances/delete Succeeded'), [...ops].join('\n'));
    assert.ok(ops.has('Microsoft.DataProtection/backupVaults/deletedBackupInstances/undelete/action Succeeded'), [...ops].join('\n'));
    const bad = await call('GET', `/subscriptions/${sub}/providers/microsoft.insights/eventtypes/management/values?$filter=${encodeURIComponent("level eq 'Error'")}`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'InvalidFilter');
  });

  it('answers GET /metrics in Prometheus text format', async () => {
    const res = await call('GET', '/metrics');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    assert.match(res.body, /^# TYPE dpvault_jobs_total counter$/m);
    assert.match(res.body, /^dpvault_queue_depth \d+$/m);
  });

  it('lists the alerts of the subscription and refuses an unknown one with 404', async () => {
    const listed = await call('GET', `/subscriptions/${sub}/providers/Microsoft.AlertsManagement/alerts?api-version=2019-05-05-preview&targetResourceGroup=nosuchgroup`);
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.deepEqual(listed.body.value, []);
    const missing = await call('GET', `/subscriptions/${sub}/providers/Microsoft.AlertsManagement/alerts/00000000-0000-0000-0000-000000000000?api-version=2019-05-05-preview`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'ResourceNotFound');
  });

  it("changes an alert's state as Azure Monitor's changestate does, refusing an unknown state and alert without a change, and audits it", async () => {
    const raised = await raiseAlert(svc.ctx, (webhooks) => missedBackupAlert({
      instanceId: instance(), vaultId: vault(), policyId: policy(), subscriptionId: sub, now: '2026-01-01T06:00:00.000Z', webhooks,
      due: new Date('2026-01-01T00:00:00Z'), overdueSince: new Date('2026-01-01T05:00:00Z'), lastSuccess: null,
    }));
    const alerts = `/subscriptions/${sub}/providers/Microsoft.AlertsManagement/alerts`;
    const path = `${alerts}/${raised!.id.split('/').pop()}/changestate?api-version=2019-05-05-preview`;
    const bad = await call('POST', `${path}&newState=Resolved`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'InvalidParameter');
    assert.match(bad.body.error.message, /'Resolved' is not a valid alert state\. Allowed values: New, Acknowledged, Closed/);
    assert.equal((await call('POST', path)).status, 400, 'newState is required');
    const unchanged = (await call('GET', `${alerts}/${raised!.id.split('/').pop()}?api-version=2019-05-05-preview`)).body;
    assert.deepEqual(unchanged, raised, 'a refused change leaves the alert as it was');
    const acked = await call('POST', `${path}&newState=acknowledged`);
    assert.equal(acked.status, 200, JSON.stringify(acked.body));
    assert.equal(acked.body.properties.essentials.alertState, 'Acknowledged');
    assert.equal(acked.body.properties.essentials.monitorCondition, 'Fired', 'a user changes the state, not the condition');
    assert.equal(acked.body.properties.essentials.lastModifiedUserName, 'dpvault-owner');
    const closed = await call('POST', `${path}&newState=Closed`);
    assert.equal(closed.body.properties.essentials.alertState, 'Closed');
    assert.deepEqual((await call('GET', `${alerts}/${raised!.id.split('/').pop()}?api-version=2019-05-05-preview`)).body, closed.body);
    const missing = await call('POST', `${alerts}/00000000-0000-0000-0000-000000000000/changestate?api-version=2019-05-05-preview&newState=Closed`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'ResourceNotFound');
    const log = await call('GET', `/subscriptions/${sub}/providers/microsoft.insights/eventtypes/management/values`);
    const changes = log.body.value.filter((e: any) => e.operationName.value === 'Microsoft.AlertsManagement/alerts/changestate/action');
    assert.deepEqual(changes.map((e: any) => e.status.value).sort(), ['Failed', 'Failed', 'Failed', 'Succeeded', 'Succeeded']);
  });

  it('creates, shows, lists, re-keys and deletes a service principal, never showing a stored secret', async () => {
    const made = await call('POST', '/v1.0/servicePrincipals', { displayName: 'inproc-sp' });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.equal(typeof made.body.secretText, 'string');
    const shown = await call('GET', `/v1.0/servicePrincipals/${made.body.appId}`);
    assert.equal(shown.body.id, made.body.id);
    const listed = await call('GET', '/v1.0/servicePrincipals');
    for (const name of ['dpvault-owner', 'inproc-sp']) assert.ok(listed.body.value.some((p: any) => p.displayName === name), name);
    const reset = await call('POST', `/v1.0/servicePrincipals/${made.body.id}/resetPassword`);
    assert.notEqual(reset.body.secretText, made.body.secretText);
    for (const answer of [made, shown, listed, reset]) assert.doesNotMatch(JSON.stringify(answer.body), /secretHash|scrypt\$/);
    assert.equal((await call('DELETE', `/v1.0/servicePrincipals/${made.body.id}`)).status, 204);
    assert.equal((await svc.app.request('GET', `/v1.0/servicePrincipals/${made.body.id}`)).status, 404);
  });

  it('has reached every route of the route table in-process', () => {
    const missing = router.list().map((r) => routeKey(r.method, r.pattern)).filter((k) => !reached.has(k));
    assert.deepEqual(missing, [], 'routes without an in-process test in this file');
  });
});
