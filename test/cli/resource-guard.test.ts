// `dpvault dataprotection resource-guard ...`, run as the built binary against a real service:
// create in the group's location, show, list, update's exclusion list (optional operations only),
// list-protected-operations, and delete. Needs `npm run build`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, startTestService, type TestService } from '../support/service.ts';

let svc: TestService;
const cli = (...args: string[]) => runCli(['dataprotection', 'resource-guard', ...args], { endpoint: svc.url });
const G = ['-g', 'secrg', '-n', 'guard1'];

before(async () => {
  svc = await startTestService();
  assert.equal((await runCli(['group', 'create', '-n', 'secrg', '-l', 'eastus'], { endpoint: svc.url })).code, 0);
});
after(async () => {
  await svc?.close();
});

describe('resource-guard commands', () => {
  it('creates, shows, lists, updates and deletes a resource guard', async () => {
    const created = await cli('create', ...G, '--tags', 'team=security');
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.json.location, 'eastus');
    assert.equal(created.json.type, 'Microsoft.DataProtection/resourceGuards');
    assert.deepEqual(created.json.tags, { team: 'security' });
    assert.equal((await cli('show', ...G)).json.id, created.json.id);
    assert.equal((await cli('list', '--query', '[].name', '-o', 'tsv')).stdout, 'guard1\n');
    assert.equal((await cli('list', '-g', 'secrg', '--query', 'length(@)')).stdout.trim(), '1');
    const all = (await cli('list-protected-operations', ...G)).json.map((o: any) => o.vaultCriticalOperation);
    assert.ok(all.includes('Microsoft.DataProtection/backupVaults/backupInstances/delete'));

    const updated = await cli('update', ...G, '--critical-operation-exclusion-list', 'deleteProtection', '--resource-type', 'Microsoft.DataProtection/backupVaults');
    assert.equal(updated.code, 0, updated.stderr);
    assert.deepEqual(updated.json.properties.vaultCriticalOperationExclusionList, ['Microsoft.DataProtection/backupVaults/backupInstances/delete']);
    assert.deepEqual(updated.json.tags, { team: 'security' });
    const protectedNow = (await cli('list-protected-operations', ...G)).json.map((o: any) => o.vaultCriticalOperation);
    assert.equal(protectedNow.length, all.length - 1);
    assert.ok(!protectedNow.includes('Microsoft.DataProtection/backupVaults/backupInstances/delete'));

    const mandatory = await cli('update', ...G, '--critical-operation-exclusion-list', 'deleteMapping');
    assert.equal(mandatory.code, 2, mandatory.stderr);
    assert.match(mandatory.stderr, /deleteMapping/);

    assert.equal((await cli('delete', ...G, '--yes')).code, 0);
    const gone = await cli('show', ...G);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /ResourceNotFound/);
  });
});
