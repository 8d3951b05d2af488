// Master key rotation on a real data directory: refused while a server runs; afterwards the old
// key opens nothing, and a restarted server reads the same backup bytes and the same secret. An
// interrupted rotation keeps the server from starting until `dpvault server rotate-master-key`
// (the CLI, as an operator runs it) finishes it.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { startService, type RunningService } from '../../src/app.ts';
import type { StoredDump } from '../../src/domain/recovery-point-store.ts';
import { Repository } from '../../src/repository/repository.ts';
import { addSecretVersion, getSecretRecord, getSecretVersion, openSecretVersion } from '../../src/secrets/secret-store.ts';
import { rotateMasterKey } from '../../src/services/master-key-rotation.ts';
import { FsStorage } from '../../src/storage/fs.ts';
import { runCli } from '../support/service.ts';

const KV = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv';
const DATA = randomBytes(300_000);

async function readBack(svc: RunningService, stored: StoredDump): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of svc.ctx.store.read(stored, 'rp1')) parts.push(p as Buffer);
  return Buffer.concat(parts);
}

async function secretValue(svc: RunningService): Promise<string> {
  const secret = (await getSecretRecord(svc.ctx, KV, 'pgpw'))!;
  return openSecretVersion(svc.ctx, KV, secret, (await getSecretVersion(svc.ctx, KV, 'pgpw', secret.currentVersion))!);
}

const keyOf = (dir: string): string => readFileSync(join(dir, 'master.key'), 'utf8').trim();

test('rotating the master key re-wraps and re-seals; the server reads everything back', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dpvault-rotate-'));
  try {
    let svc = await startService({ dataDir, port: 0 });
    const stored = await svc.ctx.store.write({ vaultKey: 'rg--vault', datastore: 'VaultStore', recoveryPointId: 'rp1' }, Readable.from([DATA]));
    await addSecretVersion(svc.ctx, KV, 'pgpw', { value: 'p@ss;word', contentType: null, tags: {} }, new Date());
    await assert.rejects(rotateMasterKey(dataDir), { code: 'DataDirectoryInUse' });
    await assert.rejects(startService({ dataDir, port: 0 }), { code: 'DataDirectoryInUse' });
    await svc.close();

    await assert.rejects(rotateMasterKey(join(dataDir, 'elsewhere')), { code: 'DataDirectoryNotFound' });
    const oldKey = Buffer.from(keyOf(dataDir), 'hex');
    const report = await rotateMasterKey(dataDir);
    assert.deepEqual(report, { repositories: 1, repositoriesRewrapped: 1, secretsResealed: 1, newKey: 'master.key' });
    assert.notEqual(keyOf(dataDir), oldKey.toString('hex'));
    const repoDir = join(dataDir, 'backup-data', 'rg--vault', 'VaultStore');
    await assert.rejects(Repository.open(new FsStorage(repoDir), oldKey, { clock: { now: () => new Date() } }), { code: 'RepositoryKeyMismatch' });

    svc = await startService({ dataDir, port: 0 });
    assert.ok((await readBack(svc, stored)).equals(DATA));
    assert.equal(await secretValue(svc), 'p@ss;word');
    await svc.close();

    // A rotation that stopped after writing its new key: no server until it is finished.
    const beforeKey = keyOf(dataDir);
    writeFileSync(join(dataDir, 'master.key.new'), `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    await assert.rejects(startService({ dataDir, port: 0 }), { code: 'MasterKeyRotationInterrupted' });
    const cli = await runCli(['server', 'rotate-master-key', '--data-dir', dataDir]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(cli.json, { repositories: 1, repositoriesRewrapped: 1, secretsResealed: 1, newKey: 'master.key' });
    assert.notEqual(keyOf(dataDir), beforeKey);
    svc = await startService({ dataDir, port: 0 });
    assert.ok((await readBack(svc, stored)).equals(DATA));
    assert.equal(await secretValue(svc), 'p@ss;word');
    await svc.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('with the key in DPVAULT_MASTER_KEY the new one must be given, and no key file is written', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dpvault-rotate-env-'));
  const oldKey = randomBytes(32).toString('hex');
  const newKey = randomBytes(32).toString('hex');
  const saved = process.env.DPVAULT_MASTER_KEY;
  try {
    process.env.DPVAULT_MASTER_KEY = oldKey;
    const svc = await startService({ dataDir, port: 0 });
    await addSecretVersion(svc.ctx, KV, 'pgpw', { value: 'env secret', contentType: null, tags: {} }, new Date());
    await svc.close();
    await assert.rejects(rotateMasterKey(dataDir, { DPVAULT_MASTER_KEY: oldKey }), { code: 'NewMasterKeyRequired' });
    const report = await rotateMasterKey(dataDir, { DPVAULT_MASTER_KEY: oldKey, DPVAULT_NEW_MASTER_KEY: newKey });
    assert.deepEqual(report, { repositories: 0, repositoriesRewrapped: 0, secretsResealed: 1, newKey: 'DPVAULT_NEW_MASTER_KEY' });
    process.env.DPVAULT_MASTER_KEY = newKey;
    const after = await startService({ dataDir, port: 0 });
    assert.equal(await secretValue(after), 'env secret');
    await after.close();
  } finally {
    if (saved === undefined) delete process.env.DPVAULT_MASTER_KEY;
    else process.env.DPVAULT_MASTER_KEY = saved;
    rmSync(dataDir, { recursive: true, force: true });
  }
});
