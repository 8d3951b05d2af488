// Where a vault's data goes: `--location-storage LOCATION=URL` overrides `--storage` per Azure
// location, a vault keeps the storage of its location as it was at its creation, `--config FILE`
// (YAML or JSON) gives the same settings with flags winning over it and it over DPVAULT_STORAGE,
// and a bad or unreachable location storage is refused at start-up, within a minute, by name.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { startService, type RunningService } from '../../src/app.ts';
import { vaultStoreKey } from '../../src/domain/recovery-point-store.ts';
import { resolveStorageConfig } from '../../src/cli/server-storage-config.ts';
import { freePort } from '../support/object-stores.ts';
import { ownerCredentials, runServer, signIn } from '../support/service.ts';
import { scratchDir } from '../support/scratch.ts';
import { dumpText, readAll, streamOf } from '../repository/helpers.ts';

const MINUTE = 60_000;
const DP = '2026-03-01';

async function call(svc: RunningService, method: string, path: string, body?: unknown, apiVersion = DP): Promise<{ status: number; body: any }> {
  const token = await signIn(svc.url, ownerCredentials(svc.ctx.dataDir));
  const res = await fetch(`${svc.url}${path}?api-version=${apiVersion}`, { method, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Creates a vault in `location` over the API; returns its store key. */
async function vaultIn(svc: RunningService, name: string, location: string): Promise<string> {
  const sub = (await call(svc, 'GET', '/subscriptions', undefined, '2024-11-01')).body.value[0].subscriptionId as string;
  const rg = `/subscriptions/${sub}/resourceGroups/rg-${name}`;
  const group = await call(svc, 'PUT', rg, { location }, '2024-11-01');
  assert.ok([200, 201].includes(group.status), JSON.stringify(group));
  const vault = `${rg}/providers/Microsoft.DataProtection/backupVaults/${name}`;
  const res = await call(svc, 'PUT', vault, { location, properties: { storageSettings: [{ datastoreType: 'VaultStore', type: 'LocallyRedundant' }] } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  await svc.ctx.background.idle();
  return vaultStoreKey(res.body.id as string);
}

const holds = (root: string, vaultKey: string): boolean => existsSync(join(root, vaultKey, 'VaultStore', 'config'));

describe('--location-storage: a vault keeps the storage of the location it was created in', () => {
  it('puts each location where its setting says, and a changed URL moves no existing vault', async () => {
    const dataDir = scratchDir('dpvault-locations-');
    const westA = scratchDir('dpvault-westus-a-');
    const westB = scratchDir('dpvault-westus-b-');
    const data = dumpText(256 * 1024, 7);
    const lines: string[] = [];
    const first = await startService({ dataDir, port: 0, locationStorage: [{ azureLocation: 'westus', storage: { location: pathToFileURL(westA).href, setting: '--location-storage westus=...' } }] });
    let west: string;
    let east: string;
    let stored;
    try {
      west = await vaultIn(first, 'v-west', 'westus');
      east = await vaultIn(first, 'v-east', 'eastus');
      stored = await first.ctx.store.write({ vaultKey: west, datastore: 'VaultStore', recoveryPointId: 'rp-w' }, streamOf(data));
      await first.ctx.store.write({ vaultKey: east, datastore: 'VaultStore', recoveryPointId: 'rp-e' }, streamOf(data));
    } finally {
      await first.close();
    }
    assert.ok(holds(westA, west), 'the westus vault is in the westus storage');
    assert.ok(!holds(westA, east), 'the eastus vault is not');
    assert.ok(holds(join(dataDir, 'backup-data'), east), 'the eastus vault is in the server storage');
    assert.ok(!holds(join(dataDir, 'backup-data'), west));

    // westus now names another storage: the existing vault stays where its data is, a new one goes there.
    const second = await startService({ dataDir, port: 0, log: (l) => lines.push(l), locationStorage: [{ azureLocation: 'westus', storage: { location: pathToFileURL(westB).href, setting: '--location-storage westus=...' } }] });
    try {
      assert.ok(lines.some((l) => l.includes(`vault ${west} (westus) keeps its backup data in '${pathToFileURL(westA).href}'`)), lines.join('\n'));
      assert.ok((await readAll(second.ctx.store.read(stored, 'rp-w'))).equals(data), 'restores from where it was created');
      const again = await second.ctx.store.write({ vaultKey: west, datastore: 'VaultStore', recoveryPointId: 'rp-w2' }, streamOf(data));
      assert.ok(again.ref.startsWith(`${west}/`));
      const newer = await vaultIn(second, 'v-west-2', 'westus');
      await second.ctx.store.write({ vaultKey: newer, datastore: 'VaultStore', recoveryPointId: 'rp-n' }, streamOf(data));
    } finally {
      await second.close();
    }
    assert.deepEqual(readdirSync(westB), [vaultStoreKey(`/subscriptions/x/resourceGroups/rg-v-west-2/providers/Microsoft.DataProtection/backupVaults/v-west-2`)]);
    assert.ok(!existsSync(join(westB, west)), 'nothing of the old vault moved');
  });
});

describe('the storage settings from flags, a config file and DPVAULT_STORAGE', () => {
  it('flags win over the file, the file over the environment, per location', () => {
    const file = { storage: 's3://from-file', locationStorage: { westus: 'file:///w', EastUS: 'file:///e' }, pairedLocations: { westus: 'eastus' } };
    const fromFile = resolveStorageConfig({}, file, 'dpvault.yaml', { DPVAULT_STORAGE: '/from/env' });
    assert.deepEqual(fromFile.storage, { location: 's3://from-file', setting: 'storage in dpvault.yaml' });
    assert.deepEqual(fromFile.locationStorage.map((l) => [l.azureLocation, l.storage.location, l.storage.setting]), [
      ['westus', 'file:///w', 'locationStorage.westus in dpvault.yaml'],
      ['eastus', 'file:///e', 'locationStorage.EastUS in dpvault.yaml'],
    ]);
    assert.deepEqual(fromFile.pairedLocations, { westus: 'eastus' });
    const flags = resolveStorageConfig({ storage: '/flag', locationStorage: ['westus=file:///flag-w'], pairedLocation: ['westus=centralus'] }, file, 'dpvault.yaml', { DPVAULT_STORAGE: '/from/env' });
    assert.deepEqual(flags.storage, { location: '/flag', setting: '--storage' });
    assert.deepEqual(flags.locationStorage.map((l) => [l.azureLocation, l.storage.location, l.storage.setting]), [
      ['westus', 'file:///flag-w', '--location-storage westus=...'],
      ['eastus', 'file:///e', 'locationStorage.EastUS in dpvault.yaml'],
    ]);
    assert.deepEqual(flags.pairedLocations, { westus: 'centralus' });
    assert.deepEqual(resolveStorageConfig({}, {}, '', { DPVAULT_STORAGE: '/from/env' }).storage, { location: '/from/env', setting: 'DPVAULT_STORAGE' });
  });

  it('refuses malformed settings with a usage error naming them, never echoing a URL', () => {
    const refuses = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: Error & { code?: string }) => e.code === 'InvalidArgumentValueError' && re.test(e.message) && !/hunter2/.test(e.message));
    refuses(() => resolveStorageConfig({ locationStorage: ['s3://u:hunter2@b'] }, {}, '', {}), /--location-storage: expected LOCATION=VALUE/);
    refuses(() => resolveStorageConfig({ locationStorage: ['West US=file:///x'] }, {}, '', {}), /'West US' is not an Azure location name/);
    refuses(() => resolveStorageConfig({ locationStorage: ['westus='] }, {}, '', {}), /--location-storage westus=\.\.\.: expected a storage URL/);
    refuses(() => resolveStorageConfig({ pairedLocation: ['westus=westus'] }, {}, '', {}), /cannot be its own pair/);
    refuses(() => resolveStorageConfig({}, { locationStorage: ['file:///x'] }, 'c.yaml', {}), /locationStorage in c.yaml: expected a mapping/);
    refuses(() => resolveStorageConfig({ maxUploadMbps: '-3' }, {}, '', {}), /--max-upload-mbps: expected a number of megabits/);
  });
});

describe('dpvault server refuses a location storage it cannot use, by name, within a minute', () => {
  const refused = async (args: string[], setting: RegExp, why: RegExp): Promise<void> => {
    const r = await runServer(['--port', '0', '--data-dir', scratchDir('dpvault-locstorage-'), ...args], { env: { AWS_ACCESS_KEY_ID: 'AKIDNOTREAL', AWS_SECRET_ACCESS_KEY: 'not-a-secret-at-all' }, limitMs: MINUTE });
    assert.equal(r.killed, false, `still running after a minute: ${r.stderr}`);
    assert.equal(r.code, r.stderr.includes('InvalidArgumentValueError') ? 2 : 1, r.stderr);
    assert.match(r.stderr, setting);
    assert.match(r.stderr, why);
    assert.doesNotMatch(r.stderr, /listening/);
  };

  it('an unreachable URL given by flag or by config file', async () => {
    const closed = await freePort();
    const url = `s3://bkt?endpoint=http%3A%2F%2F127.0.0.1%3A${closed}&region=us-east-1`;
    await refused(['--location-storage', `westus=${url}`], /The storage given by --location-storage westus=\.\.\. cannot be used/, /ECONNREFUSED/);
    const dir = scratchDir('dpvault-config-');
    const yaml = join(dir, 'dpvault.yaml');
    writeFileSync(yaml, `# where vaults keep their data\nlocationStorage:\n  eastus: "${url}"\n`);
    await refused(['--config', yaml], new RegExp(`The storage given by locationStorage.eastus in ${yaml.replace(/[.]/g, '\\.')} cannot be used`), /ECONNREFUSED/);
    const json = join(dir, 'dpvault.json');
    writeFileSync(json, JSON.stringify({ storage: 'gopher://x/y' }));
    await refused(['--config', json], /The storage given by storage in .*dpvault\.json cannot be used/, /No storage backend handles 'gopher:'/);
    // The flag wins over the file: the file's bad storage is never tried.
    await refused(['--config', json, '--storage', 'relative/dir'], /The storage given by --storage cannot be used/, /neither an absolute path/);
  });

  it('a config file that is not YAML, or has unknown keys', async () => {
    const dir = scratchDir('dpvault-config-');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'storage: [unclosed\n');
    await refused(['--config', bad], /argument --config: .* is neither YAML nor JSON/, /./);
    const unknown = join(dir, 'unknown.yaml');
    writeFileSync(unknown, 'storages: file:///x\n');
    await refused(['--config', unknown], /unknown key\(s\) storages/, /./);
  });
});
