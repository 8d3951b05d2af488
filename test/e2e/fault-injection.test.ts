// Fault injection on real data: a real cluster, the real service and CLI. For each kind of damage
// (a flipped byte in a pack's data, in its trailer, in an index file, a manifest, a chunk list; a
// truncated pack; a deleted pack; a deleted index file), in a vault of its own: `vault verify`
// names it, `vault repair` restores what can be restored, the next backup completes and restores
// equal, and afterwards no recovery point shown as healthy fails to restore, while each one shown
// Corrupted fails its restore at once, naming the damage.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { compareDatabases } from '../support/pg-compare.ts';
import { shopSql } from '../support/pg-fixtures.ts';
import { startTestService, type TestService } from '../support/service.ts';
import { shellSession } from '../support/shell.ts';
import { scratchDir } from '../support/scratch.ts';
import { filesUnder } from '../support/files.ts';

const PASSWORD = 'Fault-inj3ction-pw';
let svc: TestService;
let pgc: PgCluster;
let cwd: string;
let sub: string;
const { sh, ok, waitJob } = shellSession(() => ({ cwd, endpoint: svc.url }));

const repoDir = (vault: string): string => join(svc.dataDir, 'backup-data', `rg--${vault}`, 'VaultStore');

/** Files under one vault's VaultStore repository, by kind (the layout of docs/repository-format.md). */
function files(vault: string, kind: 'packs' | 'index' | 'manifests' | 'chunklists'): string[] {
  return filesUnder(join(repoDir(vault), kind)).filter((p) => !p.split('/').pop()!.startsWith('.')).sort();
}

function flip(path: string, at: number): void {
  const fd = openSync(path, 'r+');
  const b = Buffer.alloc(1);
  const size = statSync(path).size;
  const pos = ((at % size) + size) % size;
  const old = readFileSync(path).subarray(pos, pos + 1)[0]!;
  b[0] = old ^ 0x5a;
  writeSync(fd, b, 0, 1, pos);
  closeSync(fd);
}

const largest = (paths: string[]): string => paths.sort((a, b) => statSync(b).size - statSync(a).size)[0]!;

interface Damage {
  name: string;
  apply(vault: string): void;
  /** Whether the first recovery point can still be restored once repaired (its data is all still readable). */
  firstPointSurvives: boolean;
}

const DAMAGE: Damage[] = [
  { name: 'a flipped byte in a pack\'s data', apply: (v) => flip(largest(files(v, 'packs')), 1000), firstPointSurvives: false },
  { name: 'a flipped byte in a pack\'s trailer', apply: (v) => flip(largest(files(v, 'packs')), -20), firstPointSurvives: true },
  { name: 'a truncated pack', apply: (v) => { const p = largest(files(v, 'packs')); truncateSync(p, Math.floor(statSync(p).size / 2)); }, firstPointSurvives: false },
  { name: 'a deleted pack', apply: (v) => rmSync(largest(files(v, 'packs'))), firstPointSurvives: false },
  { name: 'a deleted index file', apply: (v) => { for (const f of files(v, 'index')) rmSync(f); }, firstPointSurvives: true },
  { name: 'a flipped byte in an index file', apply: (v) => flip(files(v, 'index')[0]!, 100), firstPointSurvives: true },
  { name: 'a flipped byte in a manifest', apply: (v) => flip(files(v, 'manifests')[0]!, 40), firstPointSurvives: false },
  { name: 'a flipped byte in a chunk list', apply: (v) => flip(files(v, 'chunklists')[0]!, 60), firstPointSurvives: false },
  { name: 'a flipped byte in the config', apply: (v) => flip(join(repoDir(v), 'config'), 200), firstPointSurvives: true },
];

before(async () => {
  pgc = await startCluster();
  await pgc.createDatabase('appdb', shopSql(300));
  // Enough incompressible rows for several packs, so damage to one pack leaves others to save.
  await pgc.query('appdb', "CREATE TABLE blobs (id int PRIMARY KEY, body text); INSERT INTO blobs SELECT g, repeat(md5(g::text || random()::text), 8) FROM generate_series(1, 20000) g");
  for (let i = 0; i <= DAMAGE.length + 1; i++) await pgc.query('postgres', `CREATE DATABASE appdb${i} TEMPLATE appdb`);
  await pgc.createRole('backupuser', PASSWORD, { login: true, superuser: true });
  svc = await startTestService();
  cwd = scratchDir('dpvault-fault-');
  sub = (await ok('dpvault account show')).id;
  await ok('dpvault group create -n rg -l westus');
  await ok(`dpvault postgres server create -g rg -n pgsrv --host 127.0.0.1 --port ${pgc.port}`);
  await ok('dpvault keyvault create -g rg -n kvfault -l westus');
  await ok('dpvault backup-policy get-default-policy-template --datasource-type AzureDatabaseForPostgreSQL > policy.json');
});
after(async () => {
  await svc?.close();
  await pgc?.stop();
});

/** Vault `fault<i>` protecting database `appdb<i>` (a datasource is protected in one vault only). */
async function protect(i: number): Promise<string> {
  const vault = `fault${i}`;
  await ok(`dpvault keyvault secret set --vault-name kvfault -n db${i} --value 'Server=127.0.0.1;Database=appdb${i};Port=${pgc.port};User Id=backupuser;Password=${PASSWORD};Ssl Mode=Disable;' -o none`);
  await ok(`dpvault backup-vault create -g rg -v ${vault} -l westus --type SystemAssigned --storage-settings datastore-type=VaultStore type=LocallyRedundant -o none`);
  const principal = (await sh(`dpvault backup-vault show -g rg -v ${vault} --query identity.principalId -o tsv`)).stdout.trim();
  await ok(`dpvault keyvault set-policy -n kvfault --object-id ${principal} --secret-permissions get list -o none`);
  const policyId = (await ok(`dpvault backup-policy create -g rg --vault-name ${vault} -n pol --policy policy.json`)).id;
  const dbId = `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/servers/pgsrv/databases/appdb${i}`;
  await ok(`dpvault backup-instance initialize --datasource-id ${dbId} --datasource-type AzureDatabaseForPostgreSQL -l westus --policy-id ${policyId} --secret-store-type AzureKeyVault --secret-store-uri https://kvfault.vault.azure.net/secrets/db${i} > ${vault}.json`);
  const bi = JSON.parse(readFileSync(join(cwd, `${vault}.json`), 'utf8'));
  bi.backup_instance_name = 'app';
  writeFileSync(join(cwd, `${vault}.json`), JSON.stringify(bi));
  await ok(`dpvault backup-instance create -g rg --vault-name ${vault} --backup-instance ${vault}.json -o none`);
  return vault;
}

async function backup(vault: string): Promise<any> {
  return waitJob((await ok(`dpvault backup-instance adhoc-backup -n app -g rg -v ${vault} --rule-name BackupWeekly`)).jobId);
}

async function points(vault: string): Promise<any[]> {
  return ok(`dpvault recovery-point list --backup-instance-name app -g rg -v ${vault}`);
}

async function restore(vault: string, rp: string, db: string): Promise<any> {
  const i = vault.slice('fault'.length);
  const target = `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/servers/pgsrv/databases/${db}`;
  await ok(`dpvault backup-instance restore initialize-for-data-recovery --datasource-type AzureDatabaseForPostgreSQL --restore-location westus --source-datastore VaultStore --recovery-point-id ${rp} --target-resource-id ${target} --secret-store-type AzureKeyVault --secret-store-uri https://kvfault.vault.azure.net/secrets/db${i} > restore-${db}.json`);
  return waitJob((await ok(`dpvault backup-instance restore trigger -g rg -v ${vault} -n app --restore-request-object restore-${db}.json`)).jobId);
}

async function restoresEqual(vault: string, rp: string, db: string): Promise<void> {
  const job = await restore(vault, rp, db);
  assert.equal(job.properties.status, 'Completed', `restore of ${rp}: ${JSON.stringify(job.properties.errorDetails)}`);
  assert.deepEqual(await compareDatabases({ cluster: pgc, db: `appdb${vault.slice('fault'.length)}` }, { cluster: pgc, db }), []);
  await pgc.query('postgres', `DROP DATABASE ${db}`);
}

describe('fault injection: every kind of damage is named, repaired where it can be, and never shown as healthy', () => {
  DAMAGE.forEach((damage, i) => {
    it(damage.name, async () => {
      const vault = await protect(i);
      assert.equal((await backup(vault)).properties.status, 'Completed');
      const [first] = await points(vault);
      damage.apply(vault);

      const verify = await waitJob((await ok(`dpvault vault verify -g rg -v ${vault}`)).jobId);
      assert.equal(verify.properties.status, 'Failed', 'verify names the damage');
      assert.equal(verify.properties.errorDetails[0].code, 'UserErrorBackupDataDamaged');

      const repair = await waitJob((await ok(`dpvault vault repair -g rg -v ${vault}`)).jobId);
      assert.equal(repair.properties.operation, 'Repair');
      assert.equal(repair.properties.status, damage.firstPointSurvives ? 'Completed' : 'Failed', JSON.stringify(repair.properties.errorDetails));

      // The next backup stores what was lost again, completes, and restores equal.
      const next = await backup(vault);
      assert.equal(next.properties.status, 'Completed', JSON.stringify(next.properties.errorDetails));
      const all = await points(vault);
      const latest = all.find((p: any) => p.name !== first.name);
      assert.equal(latest.properties.recoveryPointState, 'Completed');
      await restoresEqual(vault, latest.name, `f${i}_latest`);

      // Once verified again, every point shown Completed restores; one shown Corrupted fails at once.
      const again = await waitJob((await ok(`dpvault vault verify -g rg -v ${vault}`)).jobId);
      const shown = await points(vault);
      const firstNow = shown.find((p: any) => p.name === first.name);
      if (firstNow) {
        if (firstNow.properties.recoveryPointState === 'Completed') {
          await restoresEqual(vault, first.name, `f${i}_first`);
        } else {
          assert.equal(firstNow.properties.recoveryPointState, 'Corrupted');
          assert.ok(firstNow.properties.dataIntegrityError.message.length > 0);
          const failed = await restore(vault, first.name, `f${i}_first`);
          assert.equal(failed.properties.status, 'Failed');
          assert.equal(failed.properties.errorDetails[0].code, 'UserErrorRecoveryPointDataCorrupt');
          const exists = await pgc.query<{ n: string }>('postgres', `SELECT count(*) AS n FROM pg_database WHERE datname = 'f${i}_first'`);
          assert.equal(Number(exists[0]!.n), 0);
          // The data a lost chunk held came back with the next backup only where the database still has it.
          assert.equal(damage.firstPointSurvives, false, 'a point whose data survived is not shown Corrupted');
        }
      }
      if (damage.firstPointSurvives) assert.equal(again.properties.status, 'Completed', JSON.stringify(again.properties.errorDetails));
    });
  });
});

describe('a store that fails before it reads', () => {
  it('fails the backup at once with the storage error, and does not leave the dump hanging', async () => {
    const vault = await protect(DAMAGE.length);
    // Where the vault's repository would go, a plain file: every storage call fails at once.
    mkdirSync(join(svc.dataDir, 'backup-data', `rg--${vault}`), { recursive: true });
    writeFileSync(repoDir(vault), 'not a directory');
    const job = await backup(vault);
    assert.equal(job.properties.status, 'Failed');
    assert.match(job.properties.errorDetails[0].message, /VaultStore|not a directory|ENOTDIR|EEXIST/);
    rmSync(repoDir(vault));
    assert.equal((await backup(vault)).properties.status, 'Completed', 'once storage works again, so does the backup');
  });
});

describe('damage a restore runs into', () => {
  it('shows at once on every recovery point that needs it, not only after the next verify', async () => {
    const vault = await protect(DAMAGE.length + 1);
    assert.equal((await backup(vault)).properties.status, 'Completed');
    assert.equal((await backup(vault)).properties.status, 'Completed');
    const [a, b] = await points(vault);
    // Both points hold the same unchanged data: every pack serves both.
    for (const p of files(vault, 'packs')) flip(p, 1000);
    const failed = await restore(vault, a.name, `f${DAMAGE.length + 1}_a`);
    assert.equal(failed.properties.status, 'Failed');
    assert.equal(failed.properties.errorDetails[0].code, 'UserErrorRecoveryPointDataCorrupt');
    const shown = await points(vault);
    for (const p of [a, b]) {
      const now = shown.find((x: any) => x.name === p.name);
      assert.equal(now.properties.recoveryPointState, 'Corrupted', `${p.name} is shown as damaged without a verify`);
    }
  });
});
