// `dpvault role assignment create|list|delete` and `role definition list`, run as the built binary
// against a real service. Principals are made in the service's catalog as the token service makes
// them. Needs `npm run build`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PrincipalCaller } from '../../src/services/caller.ts';
import { addPrincipal } from '../support/principals.ts';
import { runCli, startTestService, type TestService } from '../support/service.ts';

let svc: TestService;
let alice: PrincipalCaller;
const cli = (...args: string[]) => runCli(args, { endpoint: svc.url });
const rg = () => `/subscriptions/${svc.ctx.subscriptionId}/resourceGroups/rolerg`;
/** `role assignment list --all` without the Owner's own assignment at `/` (made at first start). */
const allButOwner = async () => ((await cli('role', 'assignment', 'list', '--all')).json as { principalId: string }[]).filter((a) => a.principalId !== svc.ownerObjectId);

describe('role', () => {
  before(async () => {
    svc = await startTestService();
    alice = await addPrincipal(svc.ctx, 'alice');
    assert.equal((await cli('group', 'create', '-n', 'rolerg', '-l', 'westus')).code, 0);
  });
  after(() => svc?.close());

  it('lists the built-in roles, or one by name', async () => {
    const all = await cli('role', 'definition', 'list', '--query', '[].properties.roleName', '-o', 'tsv');
    assert.equal(all.code, 0, all.stderr);
    assert.deepEqual(all.stdout.trim().split('\n'), ['Owner', 'Contributor', 'Reader', 'Backup Contributor', 'Backup Operator', 'Backup Reader', 'User Access Administrator', 'Monitoring Reader', 'PostgreSQL Flexible Server Long Term Retention Backup Role']);
    const one = await cli('role', 'definition', 'list', '--name', 'backup reader');
    assert.deepEqual(one.json.map((d: { name: string }) => d.name), ['a795c7a0-d4a2-40c1-ae25-d81f01202912']);
  });

  it('assigns a role by application id, lists it as az shows it, and deletes it by assignee, role and scope', async () => {
    const made = await cli('role', 'assignment', 'create', '--assignee', alice.appId, '--role', 'Backup Operator', '--scope', rg());
    assert.equal(made.code, 0, made.stderr);
    assert.equal(made.json.properties.principalId, alice.objectId);
    const listed = await cli('role', 'assignment', 'list', '--assignee', alice.objectId, '--scope', rg());
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(listed.json.map((a: Record<string, unknown>) => [a.principalName, a.roleDefinitionName, a.scope, a.principalId]), [
      [alice.appId, 'Backup Operator', rg(), alice.objectId],
    ]);
    assert.deepEqual((await cli('role', 'assignment', 'list')).json, [], 'by default only assignments at the subscription');
    assert.equal((await allButOwner()).length, 1);
    const deleted = await cli('role', 'assignment', 'delete', '--assignee', alice.appId, '--role', 'Backup Operator', '--scope', rg());
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.deepEqual(await allButOwner(), []);
    const again = await cli('role', 'assignment', 'delete', '--assignee', alice.appId, '--role', 'Backup Operator', '--scope', rg());
    assert.equal(again.code, 1);
    assert.match(again.stderr, /No matched assignments were found to delete/);
  });

  it('deletes by --ids', async () => {
    const made = await cli('role', 'assignment', 'create', '--assignee', alice.objectId, '--role', 'Reader');
    assert.equal(made.code, 0, made.stderr);
    assert.equal((await cli('role', 'assignment', 'delete', '--ids', made.json.id)).code, 0);
    assert.deepEqual(await allButOwner(), []);
  });

  it('refuses an unknown principal or role with a clear error', async () => {
    const nobody = await cli('role', 'assignment', 'create', '--assignee', '11111111-2222-4333-8444-555555555555', '--role', 'Reader', '--scope', rg());
    assert.equal(nobody.code, 1);
    assert.match(nobody.stderr, /PrincipalNotFound/);
    const norole = await cli('role', 'assignment', 'create', '--assignee', alice.appId, '--role', 'Backup Admin', '--scope', rg());
    assert.equal(norole.code, 1);
    assert.match(norole.stderr, /RoleDefinitionDoesNotExist.*Backup Admin/);
    assert.deepEqual(await allButOwner(), []);
  });
});
