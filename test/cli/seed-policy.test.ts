// The seed document's vault and policy commands, replayed verbatim through the built CLI against a
// running service (with `dpvault` for `az`, and file paths written with '/').
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestService, type TestService } from '../support/service.ts';
import { runShell } from '../support/shell.ts';
import { scratchDir } from '../support/scratch.ts';

let svc: TestService;
let cwd: string;
const sh = (script: string) => runShell(script, { cwd, endpoint: svc.url });
const json = (file: string) => JSON.parse(readFileSync(join(cwd, file), 'utf8'));

before(async () => {
  svc = await startTestService();
  cwd = scratchDir('dpvault-seed-');
  const rg = await sh('dpvault group create -n testBkpVaultRG -l westus');
  assert.equal(rg.code, 0, rg.stderr);
});
after(() => svc.close());

describe('the seed: vault', () => {
  it('creates the vault and prints it as the seed shows', async () => {
    const r = await sh(
      'dpvault dataprotection backup-vault create -g testBkpVaultRG --vault-name TestBkpVault -l westus --type SystemAssigned --storage-settings datastore-type="VaultStore" type="LocallyRedundant"',
    );
    assert.equal(r.code, 0, r.stderr);
    const v = JSON.parse(r.stdout);
    for (const k of ['eTag', 'id', 'identity', 'location', 'name', 'properties', 'resourceGroup', 'systemData', 'tags', 'type']) assert.ok(k in v, k);
    assert.equal(v.name, 'TestBkpVault');
    assert.equal(v.location, 'westus');
    assert.equal(v.resourceGroup, 'testBkpVaultRG');
    assert.equal(v.type, 'Microsoft.DataProtection/backupVaults');
    assert.equal(v.identity.type, 'SystemAssigned');
    assert.match(v.identity.principalId, /^[0-9a-f-]{36}$/);
    assert.equal(v.properties.provisioningState, 'Succeeded');
    assert.deepEqual(v.properties.storageSettings, [{ datastoreType: 'VaultStore', type: 'LocallyRedundant' }]);
    assert.match(r.stdout, /^\{\n {2}"eTag": null,\n {2}"id": /);
  });

  it('shows, lists and queries it', async () => {
    const r = await sh('dpvault backup-vault show -g testBkpVaultRG -v testbkpvault --query identity.type -o tsv');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'SystemAssigned\n');
    const l = await sh('dpvault backup-vault list -o table');
    assert.match(l.stdout, /^Location\s+Name\s+ResourceGroup\n/m);
    assert.match(l.stdout, /westus\s+TestBkpVault\s+testBkpVaultRG/);
  });

  it('refuses an unknown enum value with exit 2', async () => {
    const r = await sh('dpvault backup-vault update -g testBkpVaultRG -v TestBkpVault --immutability-state Sometimes');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /invalid choice: 'Sometimes' \(choose from 'Disabled', 'Locked', 'Unlocked'\)/);
  });
});

describe('the seed: policy', () => {
  it('builds the final policy through the helper commands', async () => {
    let r = await sh('dpvault dataprotection backup-policy get-default-policy-template --datasource-type AzureDatabaseForPostgreSQL > OSSPolicy.json');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(json('OSSPolicy.json').name, 'OssPolicy1');
    r = await sh(
      'dpvault dataprotection backup-policy trigger create-schedule --interval-type Weekly --interval-count 1 --schedule-days 2021-08-15T22:00:00 2021-08-18T22:00:00 2021-08-20T22:00:00',
    );
    assert.deepEqual(JSON.parse(r.stdout), ['R/2021-08-15T22:00:00+00:00/P1W', 'R/2021-08-18T22:00:00+00:00/P1W', 'R/2021-08-20T22:00:00+00:00/P1W']);
    r = await sh(
      'dpvault dataprotection backup-policy trigger set --policy ./OSSPolicy.json  --schedule R/2021-08-15T22:00:00+00:00/P1W R/2021-08-18T22:00:00+00:00/P1W R/2021-08-20T22:00:00+00:00/P1W > EditedOSSPolicy.json',
    );
    assert.equal(r.code, 0, r.stderr);
    r = await sh(
      'dpvault dataprotection backup-policy retention-rule create-lifecycle --retention-duration-count 6 --retention-duration-type Months --source-datastore VaultStore --target-datastore ArchiveStore --copy-option CopyOnExpiryOption > VaultToArchiveLifeCycle.JSON',
    );
    assert.equal(r.code, 0, r.stderr);
    // The seed's single-dash typo is refused clearly, naming the option it meant.
    r = await sh('dpvault dataprotection backup-policy retention-rule create-lifecycle --retention-duration-count 24 --retention-duration-type Months -source-datastore ArchiveStore > OnArchiveLifeCycle.JSON');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unrecognized arguments: -source-datastore ArchiveStore/);
    assert.match(r.stderr, /did you mean '--source-datastore'/);
    r = await sh('dpvault dataprotection backup-policy retention-rule create-lifecycle --retention-duration-count 24 --retention-duration-type Months --source-datastore ArchiveStore > OnArchiveLifeCycle.JSON');
    assert.equal(r.code, 0, r.stderr);
    r = await sh(
      'dpvault dataprotection backup-policy retention-rule set --lifecycles ./VaultToArchiveLifeCycle.JSON ./OnArchiveLifeCycle.JSON --name Monthly --policy ./EditedOSSPolicy.JSON > AddedRetentionRulePolicy.JSON',
    );
    assert.equal(r.code, 0, r.stderr);
    r = await sh('dpvault dataprotection backup-policy tag create-absolute-criteria --absolute-criteria FirstOfMonth > tagCriteria.JSON');
    assert.equal(r.code, 0, r.stderr);
    r = await sh('dpvault dataprotection backup-policy tag set --criteria ./tagCriteria.JSON --name Monthly --policy ./AddedRetentionRulePolicy.JSON > AddedRetentionRuleAndTag.JSON');
    assert.equal(r.code, 0, r.stderr);
    r = await sh('dpvault dataprotection backup-policy create --backup-policy-name FinalOSSPolicy --policy AddedRetentionRuleAndTag.JSON --resource-group testBkpVaultRG --vault-name TestBkpVault');
    assert.equal(r.code, 0, r.stderr);
    const created = JSON.parse(r.stdout);
    assert.equal(created.name, 'FinalOSSPolicy');
    assert.equal(created.type, 'Microsoft.DataProtection/backupVaults/backupPolicies');
    r = await sh('dpvault dataprotection backup-policy show -g testBkpVaultRG --vault-name TestBkpVault --name FinalOSSPolicy');
    assert.equal(r.code, 0, r.stderr);
    const shown = JSON.parse(r.stdout);
    const rules = shown.properties.policyRules;
    assert.deepEqual(rules.filter((x: any) => x.objectType === 'AzureRetentionRule').map((x: any) => x.name).sort(), ['Default', 'Monthly']);
    const tags = rules.find((x: any) => x.objectType === 'AzureBackupRule').trigger.taggingCriteria;
    assert.deepEqual(tags.map((t: any) => t.tagInfo.id).sort(), ['Default_', 'Monthly_']);
    const monthly = rules.find((x: any) => x.name === 'Monthly');
    assert.deepEqual(monthly.lifecycles[0].targetDataStoreCopySettings, [
      { copyAfter: { objectType: 'CopyOnExpiryOption' }, dataStore: { dataStoreType: 'ArchiveStore', objectType: 'DataStoreInfoBase' } },
    ]);
  });

  it('accepts the generic-criteria variant the seed shows', async () => {
    let r = await sh('dpvault dataprotection backup-policy tag create-generic-criteria --days-of-week Sunday Friday > tagCriteria.JSON');
    assert.equal(r.code, 0, r.stderr);
    r = await sh('dpvault dataprotection backup-policy tag set --criteria ./tagCriteria.JSON --name Monthly --policy ./AddedRetentionRulePolicy.JSON > AddedRetentionRuleAndTag.JSON');
    assert.equal(r.code, 0, r.stderr);
    r = await sh('dpvault backup-policy create -n GenericPolicy --policy AddedRetentionRuleAndTag.JSON -g testBkpVaultRG --vault-name TestBkpVault --query "properties.policyRules[0].trigger.taggingCriteria[?tagInfo.tagName==\'Monthly\'].criteria[0].daysOfTheWeek | [0]"');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), ['Sunday', 'Friday']);
  });
});

describe('bad input leaves state unchanged', () => {
  it('a missing or malformed JSON file', async () => {
    let r = await sh('dpvault backup-policy create -n P2 --policy ./nope.json -g testBkpVaultRG --vault-name TestBkpVault');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /does not exist/);
    writeFileSync(join(cwd, 'broken.json'), '{"datasourceTypes": [');
    r = await sh('dpvault backup-policy create -n P2 --policy broken.json -g testBkpVaultRG --vault-name TestBkpVault');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /failed to parse file 'broken.json' as JSON/);
  });

  it('a tag without a retention rule, and a Daily tag for PostgreSQL', async () => {
    const policy = json('OSSPolicy.json');
    policy.policyRules[0].trigger.taggingCriteria.push({ isDefault: false, taggingPriority: 20, tagInfo: { tagName: 'Weekly' }, criteria: [{ objectType: 'ScheduleBasedBackupCriteria', absoluteCriteria: ['FirstOfWeek'] }] });
    writeFileSync(join(cwd, 'orphanTag.json'), JSON.stringify(policy));
    let r = await sh('dpvault backup-policy create -n P3 --policy orphanTag.json -g testBkpVaultRG --vault-name TestBkpVault');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^ERROR: \(\w+\) .*Weekly/);
    r = await sh('dpvault backup-policy tag set --criteria ./tagCriteria.JSON --name Daily --policy ./OSSPolicy.json');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Selected Retention Tag Daily is not applicable for Datasource Type AzureDatabaseForPostgreSQL/);
    const list = await sh('dpvault backup-policy list -g testBkpVaultRG -v TestBkpVault --query "[].name"');
    assert.deepEqual(JSON.parse(list.stdout).sort(), ['FinalOSSPolicy', 'GenericPolicy']);
  });

  it('deleting a vault that holds a policy', async () => {
    const r = await sh('dpvault backup-vault delete -g testBkpVaultRG -v TestBkpVault --yes');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ERROR: \(UserErrorBackupVaultNotEmpty\) Cannot delete the Backup vault/);
    assert.equal((await sh('dpvault backup-vault show -g testBkpVaultRG -v TestBkpVault -o none')).code, 0);
  });

  it('a service that is not running', async () => {
    const r = await runShell('dpvault backup-vault list', { cwd, endpoint: 'http://127.0.0.1:9' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ServiceUnreachable.*dpvault server/);
  });
});
