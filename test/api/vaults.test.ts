// The vault and resource group API over real HTTP: shapes, long-running operations, Azure's rules.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestService, type TestService } from '../support/service.ts';

let svc: TestService;
let sub: string;
const rgPath = () => `/subscriptions/${sub}/resourceGroups/rg1`;
const vaultPath = (name = 'vault1') => `${rgPath()}/providers/Microsoft.DataProtection/backupVaults/${name}`;
const vaultBody = (extra: Record<string, unknown> = {}) => ({
  location: 'westus',
  identity: { type: 'SystemAssigned' },
  properties: { storageSettings: [{ datastoreType: 'VaultStore', type: 'LocallyRedundant' }], ...extra },
});

async function waitOp(url: string) {
  for (let i = 0; i < 100; i++) {
    const res = await fetch(url, { headers: { authorization: `Bearer ${svc.ownerToken}` } });
    const body = (await res.json()) as { status: string };
    if (body.status !== 'Inprogress') return body;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('operation did not finish');
}

before(async () => {
  svc = await startTestService();
  sub = ((await svc.http('GET', '/subscriptions', undefined, '2024-11-01')).body.value[0].subscriptionId) as string;
  const rg = await svc.http('PUT', rgPath(), { location: 'westus' }, '2024-11-01');
  assert.equal(rg.status, 201);
});
after(() => svc.close());

describe('api-version', () => {
  it('is required', async () => {
    const res = await svc.http('GET', vaultPath(), undefined, null);
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'MissingApiVersionParameter');
  });
  it('refuses an unknown version with the supported list', async () => {
    const res = await svc.http('GET', vaultPath(), undefined, '2020-01-01');
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'NoRegisteredProviderFound');
    assert.match(res.body.error.message, /2026-06-01/);
  });
});

describe('backup vaults', () => {
  it('creates a vault as a long-running operation', async () => {
    const res = await svc.http('PUT', vaultPath(), vaultBody());
    assert.equal(res.status, 201);
    const aao = res.headers.get('azure-asyncoperation');
    assert.ok(aao && res.headers.get('location'));
    assert.match(aao, /\/backupVaults\/vault1\/operationStatus\//);
    const op = await waitOp(aao);
    assert.equal(op.status, 'Succeeded');
    const got = await svc.http('GET', vaultPath());
    assert.equal(got.status, 200);
    assert.equal(got.body.name, 'vault1');
    assert.equal(got.body.type, 'Microsoft.DataProtection/backupVaults');
    assert.equal(got.body.identity.type, 'SystemAssigned');
    assert.match(got.body.identity.principalId, /^[0-9a-f-]{36}$/);
    assert.deepEqual(got.body.properties.securitySettings.softDeleteSettings, { state: 'On', retentionDurationInDays: 14 });
    assert.deepEqual(got.body.properties.storageSettings, [{ datastoreType: 'VaultStore', type: 'LocallyRedundant' }]);
  });

  it('finds vaults case-insensitively and keeps the principal across updates', async () => {
    const a = await svc.http('GET', vaultPath().toUpperCase().replace(sub.toUpperCase(), sub));
    assert.equal(a.status, 200);
    const before = a.body.identity.principalId;
    const upd = await svc.http('PUT', vaultPath('VAULT1'), vaultBody({ securitySettings: { immutabilitySettings: { state: 'Locked' } } }));
    assert.equal(upd.status, 200);
    assert.equal(upd.body.name, 'vault1');
    assert.equal(upd.body.identity.principalId, before);
    assert.equal(upd.body.properties.securitySettings.immutabilitySettings.state, 'Locked');
  });

  it('refuses irreversible transitions and changes nothing', async () => {
    const unlock = await svc.http('PATCH', vaultPath(), { properties: { securitySettings: { immutabilitySettings: { state: 'Unlocked' } } } });
    assert.equal(unlock.status, 400);
    assert.equal(unlock.body.error.code, 'UserErrorUnsupportedVaultImmutabilityStateChange');
    await svc.http('PATCH', vaultPath(), { properties: { securitySettings: { softDeleteSettings: { state: 'AlwaysOn' } } } });
    const off = await svc.http('PATCH', vaultPath(), { properties: { securitySettings: { softDeleteSettings: { state: 'On' } } } });
    assert.equal(off.status, 400);
    await svc.http('PATCH', vaultPath(), { properties: { featureSettings: { crossRegionRestoreSettings: { state: 'Enabled' } } } });
    const crr = await svc.http('PATCH', vaultPath(), { properties: { featureSettings: { crossRegionRestoreSettings: { state: 'Disabled' } } } });
    assert.equal(crr.status, 400);
    const now = (await svc.http('GET', vaultPath())).body;
    assert.equal(now.properties.securitySettings.immutabilitySettings.state, 'Locked');
    assert.equal(now.properties.securitySettings.softDeleteSettings.state, 'AlwaysOn');
    assert.equal(now.properties.featureSettings.crossRegionRestoreSettings.state, 'Enabled');
  });

  it('validates storage settings and names', async () => {
    const bad = await svc.http('PUT', vaultPath('vault2'), { location: 'westus', properties: { storageSettings: [{ datastoreType: 'VaultStore', type: 'Nope' }] } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.target, 'properties.storageSettings[0].type');
    const name = await svc.http('PUT', vaultPath('-bad'), vaultBody());
    assert.equal(name.status, 400);
    assert.equal(name.body.error.code, 'InvalidResourceName');
    assert.equal((await svc.http('GET', vaultPath('vault2'))).status, 404);
  });

  it('needs an existing resource group', async () => {
    const res = await svc.http('PUT', `/subscriptions/${sub}/resourceGroups/nope/providers/Microsoft.DataProtection/backupVaults/v`, vaultBody());
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'ResourceGroupNotFound');
  });

  it('lists per group and per subscription with nextLink paging', async () => {
    for (const n of ['pa', 'pb', 'pc']) assert.equal((await svc.http('PUT', vaultPath(n), vaultBody())).status, 201);
    const first = await svc.http('GET', `${rgPath()}/providers/Microsoft.DataProtection/backupVaults?$top=2`);
    assert.equal(first.body.value.length, 2);
    assert.ok(first.body.nextLink);
    const second = await fetch(first.body.nextLink, { headers: { authorization: `Bearer ${svc.ownerToken}` } }).then((r) => r.json() as Promise<any>);
    const names = [...first.body.value, ...second.body?.value ?? second.value].map((v: { name: string }) => v.name);
    assert.deepEqual(names.sort(), ['pa', 'pb', 'pc', 'vault1']);
    const all = await svc.http('GET', `/subscriptions/${sub}/providers/Microsoft.DataProtection/backupVaults`);
    assert.equal(all.body.value.length, 4);
  });

  it('deletes a vault as a long-running operation, and a missing one with 204', async () => {
    const res = await svc.http('DELETE', vaultPath('pc'));
    assert.equal(res.status, 202);
    assert.match(res.headers.get('azure-asyncoperation')!, /resourceGroups\/rg1\/providers\/Microsoft.DataProtection\/operationStatus\//);
    assert.equal((await waitOp(res.headers.get('azure-asyncoperation')!)).status, 'Succeeded');
    assert.equal((await svc.http('GET', vaultPath('pc'))).status, 404);
    assert.equal((await svc.http('DELETE', vaultPath('pc'))).status, 204);
  });

  it('refuses to delete a group that still holds vaults', async () => {
    const res = await svc.http('DELETE', rgPath(), undefined, '2024-11-01');
    assert.equal(res.status, 409);
    assert.equal(res.body.error.code, 'ResourceGroupNotEmpty');
  });
});

describe('deleting a vault', () => {
  const group = () => `/subscriptions/${sub}/resourceGroups/rg-gone`;
  const vault = () => `${group()}/providers/Microsoft.DataProtection/backupVaults/vgone`;

  it('takes its jobs with it, so the group can go and a vault of the same name starts empty', async () => {
    assert.equal((await svc.http('PUT', group(), { location: 'westus' }, '2024-11-01')).status, 201);
    const made = await svc.http('PUT', vault(), vaultBody());
    assert.equal(made.status, 201, JSON.stringify(made.body));
    await waitOp(made.headers.get('azure-asyncoperation')!);
    const maintain = await svc.http('POST', `${vault()}/maintain`, {});
    assert.equal(maintain.status, 202, JSON.stringify(maintain.body));
    await waitOp(maintain.headers.get('azure-asyncoperation')!);
    await svc.ctx.background.idle();
    const jobs = await svc.http('GET', `${vault()}/backupJobs`);
    assert.equal(jobs.body.value.length, 1, 'the maintenance job is listed');
    await waitJobsDone(jobs.body.value[0].id as string);

    const del = await svc.http('DELETE', vault());
    assert.equal(del.status, 202, JSON.stringify(del.body));
    await waitOp(del.headers.get('azure-asyncoperation')!);
    const again = await svc.http('PUT', vault(), vaultBody());
    assert.equal(again.status, 201);
    await waitOp(again.headers.get('azure-asyncoperation')!);
    assert.deepEqual((await svc.http('GET', `${vault()}/backupJobs`)).body.value, [], 'no job of the deleted vault');
    const delAgain = await svc.http('DELETE', vault());
    await waitOp(delAgain.headers.get('azure-asyncoperation')!);
    const rg = await svc.http('DELETE', group(), undefined, '2024-11-01');
    assert.equal(rg.status, 200, JSON.stringify(rg.body));
  });

  async function waitJobsDone(jobId: string) {
    for (let i = 0; i < 500; i++) {
      const job = await svc.http('GET', jobId);
      if (job.body.properties.status !== 'InProgress') return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('the job did not finish');
  }
});
