// A vault whose storage fills up during a backup, on a real size-limited filesystem (a tmpfs the
// test mounts over the service's backup-data directory; skipped where mounting is not permitted):
// the backup job fails with UserErrorStorageFull naming the vault, the datastore and the space,
// not with the dump's cancellation that followed; what it had stored is released at once; and
// once space exists, the next backup succeeds and restores equal.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type RunningService } from '../../src/app.ts';
import { startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { shellSession } from '../support/shell.ts';
import { scratchDir } from '../support/scratch.ts';
import { freeBytes as freeOn, mountTmpfs, unmount } from '../support/tmpfs.ts';

const PASSWORD = 'F1ll-the-d1sk';
const FS_BYTES = 48 * 1024 * 1024;
let dataDir: string;
let mountPoint: string;
let mounted = false;
let skipReason: string | null = null;
let pgc: PgCluster;
let svc: RunningService;
let cwd: string;
let sub: string;
const { sh, ok, waitJob } = shellSession(() => ({ cwd, endpoint: svc.url, dataDir }));

const freeBytes = (): number => freeOn(mountPoint);
function files(under: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) (e.isDirectory() ? walk : (p: string) => out.push(p))(join(d, e.name));
  };
  walk(under);
  return out;
}
const packFiles = () => files(mountPoint).filter((f) => f.includes('/packs/'));

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'dpvault-full-'));
  mountPoint = join(dataDir, 'backup-data');
  mkdirSync(mountPoint);
  skipReason = mountTmpfs(mountPoint, FS_BYTES);
  mounted = skipReason === null;
  if (skipReason) return;
  pgc = await startCluster();
  // About 33 MB of random bytes as hex in the dump: some 17 MB stored, however it compresses.
  await pgc.createDatabase('appdb', `
    CREATE TABLE noise (id int PRIMARY KEY, b bytea NOT NULL);
    INSERT INTO noise SELECT g, decode(md5(g::text || random()::text) || md5(random()::text), 'hex') FROM generate_series(1, 500000) g;`);
  await pgc.createRole('backupuser', PASSWORD, { login: true, superuser: true });
  svc = await startService({ dataDir, port: 0, keyOrderMinBytes: 0 });
  cwd = scratchDir('dpvault-full-cli-');
  sub = (await ok('dpvault account show')).id;
  await ok('dpvault group create -n rg -l westus');
  await ok('dpvault backup-vault create -g rg -v vault -l westus --type SystemAssigned --storage-settings datastore-type=VaultStore type=LocallyRedundant');
  await ok('dpvault backup-policy get-default-policy-template --datasource-type AzureDatabaseForPostgreSQL > policy.json');
  const policyId = (await ok('dpvault backup-policy create -g rg --vault-name vault -n pol --policy policy.json')).id;
  await ok(`dpvault postgres server create -g rg -n pgsrv --host 127.0.0.1 --port ${pgc.port}`);
  await ok('dpvault keyvault create -g rg -n kvfull -l westus');
  await ok(`dpvault keyvault secret set --vault-name kvfull -n db --value 'Server=127.0.0.1;Database=appdb;Port=${pgc.port};User Id=backupuser;Password=${PASSWORD};Ssl Mode=Disable;' -o none`);
  const principal = (await sh('dpvault backup-vault show -g rg -v vault --query identity.principalId -o tsv')).stdout.trim();
  await ok(`dpvault keyvault set-policy -n kvfull --object-id ${principal} --secret-permissions get list -o none`);
  const dbId = `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/servers/pgsrv/databases/appdb`;
  await ok(`dpvault backup-instance initialize --datasource-id ${dbId} --datasource-type AzureDatabaseForPostgreSQL -l westus --policy-id ${policyId} --secret-store-type AzureKeyVault --secret-store-uri https://kvfull.vault.azure.net/secrets/db > bi.json`);
  const bi = JSON.parse(readFileSync(join(cwd, 'bi.json'), 'utf8'));
  writeFileSync(join(cwd, 'bi.json'), JSON.stringify({ ...bi, backup_instance_name: 'app' }));
  await ok('dpvault backup-instance create -g rg -v vault --backup-instance bi.json');
});
after(async () => {
  await svc?.close();
  await pgc?.stop();
  if (mounted) unmount(mountPoint);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('a full disk', () => {
  it('fails the backup with UserErrorStorageFull, releases its data at once, and the next backup succeeds once space exists', async (t) => {
    if (skipReason) return t.skip(skipReason);
    // Leave 12 MiB free: room for a few 4 MiB packs, far less than the backup needs.
    const filler = join(mountPoint, 'filler');
    writeFileSync(filler, Buffer.alloc(freeBytes() - 12 * 1024 * 1024));
    const freeBefore = freeBytes();
    const { jobId } = await ok('dpvault backup-instance adhoc-backup -n app -g rg -v vault --rule-name BackupWeekly');
    const failed = await waitJob(jobId);
    assert.equal(failed.properties.status, 'Failed');
    const err = failed.properties.errorDetails[0];
    assert.equal(err.code, 'UserErrorStorageFull', JSON.stringify(err));
    assert.match(err.message, /VaultStore of Backup vault 'vault' has no space left/);
    // Writers race for the last bytes, so the free space may be down to nothing when it is read.
    assert.match(err.message, /(?:\d+ bytes|MiB \(\d+ bytes\)) was free and it needed [\d.]+ MiB \(\d+ bytes\) more/);
    assert.match(err.message, /The database is /);
    assert.doesNotMatch(err.message, /aborted|cancelled/);
    assert.ok(!JSON.stringify(failed).includes(PASSWORD));
    assert.deepEqual(packFiles(), [], 'the failed backup\'s packs are gone');
    assert.ok(freeBytes() >= freeBefore - 64 * 1024, `the space came back: ${freeBefore - freeBytes()} bytes still used`);
    assert.deepEqual(await ok('dpvault recovery-point list --backup-instance-name app -g rg -v vault'), []);

    rmSync(filler);
    const next = await waitJob((await ok('dpvault backup-instance adhoc-backup -n app -g rg -v vault --rule-name BackupWeekly')).jobId);
    assert.equal(next.properties.status, 'Completed', JSON.stringify(next.properties.errorDetails));
    const rp = (await sh('dpvault recovery-point list --backup-instance-name app -g rg -v vault --query "[0].name" -o tsv')).stdout.trim();
    const target = `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/servers/pgsrv/databases/appdb_restored`;
    await ok(`dpvault backup-instance restore initialize-for-data-recovery --datasource-type AzureDatabaseForPostgreSQL --restore-location westus --source-datastore VaultStore --recovery-point-id ${rp} --target-resource-id ${target} --secret-store-type AzureKeyVault --secret-store-uri https://kvfull.vault.azure.net/secrets/db > restore.json`);
    const restored = await waitJob((await ok('dpvault backup-instance restore trigger -g rg -v vault -n app --restore-request-object restore.json')).jobId);
    assert.equal(restored.properties.status, 'Completed', JSON.stringify(restored.properties.errorDetails));
    assert.deepEqual(await pgc.compareDatabases('appdb', 'appdb_restored'), []);
  });
});
