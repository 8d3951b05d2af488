// `dpvault server --storage URL` and DPVAULT_STORAGE: where every vault's backup data lives. A
// setting that names no usable storage (not understood, unreachable, without or with wrong
// credentials) is refused at start-up, within a minute, by the real binary, with an error naming
// the setting and no secret; a good one puts backup data in the object store; and a data
// directory keeps the storage its vaults were created with.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { startService } from '../../src/app.ts';
import type { StoredDump } from '../../src/domain/recovery-point-store.ts';
import { rotateMasterKey } from '../../src/services/master-key-rotation.ts';
import { openStorage } from '../../src/storage/backends.ts';
import { freePort, startAzurite, startS3rver, usePeer } from '../support/object-stores.ts';
import { runServer } from '../support/service.ts';
import { scratchDir } from '../support/scratch.ts';
import { dumpText, readAll, streamOf } from '../repository/helpers.ts';

const MINUTE = 60_000;
const SECRET = `s3cr3t-${randomBytes(8).toString('hex')}`;
const env = { AWS_ACCESS_KEY_ID: 'AKIDNOTREAL', AWS_SECRET_ACCESS_KEY: SECRET, AZURE_STORAGE_ACCOUNT: undefined, AZURE_STORAGE_KEY: undefined, AZURE_STORAGE_CONNECTION_STRING: undefined };

const s3 = usePeer(startS3rver);

async function refused(args: string[], extraEnv: Record<string, string | undefined>, setting: string, why: RegExp): Promise<void> {
  const r = await runServer(['--port', '0', '--data-dir', scratchDir('dpvault-storage-'), ...args], { env: { ...env, ...extraEnv }, limitMs: MINUTE });
  assert.equal(r.killed, false, `the server was still running after a minute: ${r.stderr}`);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`ERROR: \\(InvalidStorageSetting\\) The storage given by ${setting} cannot be used: `));
  assert.match(r.stderr, why);
  assert.doesNotMatch(r.stderr, new RegExp(SECRET));
  assert.doesNotMatch(r.stderr, /listening/);
}

describe('dpvault server --storage refuses a storage it cannot use', () => {
  it('a location no backend understands', async () => {
    await refused(['--storage', 'gopher://host/x'], {}, '--storage', /No storage backend handles 'gopher:' locations/);
    await refused([], { DPVAULT_STORAGE: 'relative/dir' }, 'DPVAULT_STORAGE', /neither an absolute path nor a storage URL/);
  });

  it('credentials in the URL, without echoing them', async () => {
    await refused(['--storage', `s3://AKID:${SECRET}@bkt/x`], {}, '--storage', /credentials never go in the URL/);
  });

  it('an endpoint nothing listens on', async () => {
    const closed = await freePort();
    await refused([], { DPVAULT_STORAGE: `s3://bkt?endpoint=http%3A%2F%2F127.0.0.1%3A${closed}&region=us-east-1` }, 'DPVAULT_STORAGE', /ECONNREFUSED/);
    await refused(['--storage', `azblob://cont?endpoint=http%3A%2F%2F127.0.0.1%3A${closed}%2Facct`], { AZURE_STORAGE_ACCOUNT: 'acct', AZURE_STORAGE_KEY: Buffer.from(SECRET).toString('base64') }, '--storage', /ECONNREFUSED/);
  });

  it('an endpoint that answers 404 to everything (a proxy, a wrong address), not a missing bucket', async () => {
    const proxy = createServer((_req, res) => res.writeHead(404, { 'Content-Type': 'text/html' }).end('<html>Not Found</html>'));
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const endpoint = encodeURIComponent(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`);
    try {
      await refused(['--storage', `s3://bkt?endpoint=${endpoint}`], {}, '--storage', /Storage list of '' failed: .*404/);
      await refused(['--storage', `azblob://cont?endpoint=${endpoint}%2Facct`], { AZURE_STORAGE_ACCOUNT: 'acct', AZURE_STORAGE_KEY: Buffer.from(SECRET).toString('base64') }, '--storage', /Storage list of '' failed: .*404/);
    } finally {
      proxy.close();
    }
  });

  it('an Azure container without credentials in the environment', async () => {
    await refused(['--storage', 'azblob://cont?endpoint=http%3A%2F%2F127.0.0.1%3A1%2Facct'], {}, '--storage', /set AZURE_STORAGE_CONNECTION_STRING, or AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY/);
  });

  it('an S3 store that refuses the credentials', async () => {
    await refused(['--storage', s3().url('bkt')], {}, '--storage', /InvalidAccessKeyId|SignatureDoesNotMatch|AccessDenied/);
  });
});

describe('a server on object storage', () => {
  const az = usePeer(startAzurite);

  for (const [label, peer] of [['S3', s3], ['Azure Blob', az]] as const) {
    it(`keeps backup data in ${label}; its data directory keeps that storage, and a key rotation finds it`, async () => {
      const dataDir = scratchDir('dpvault-on-object-store-');
      const storage = { location: peer().url('server-data', 'dpvault'), setting: '--storage' };
      const svc = await startService({ dataDir, port: 0, storage });
      const data = dumpText(512 * 1024, 3);
      let stored: StoredDump;
      try {
        stored = await svc.ctx.store.write({ vaultKey: 'rg--vault', datastore: 'VaultStore', recoveryPointId: 'rp-1', sizeHint: data.length }, streamOf(data));
      } finally {
        await svc.close();
      }
      const listed: string[] = [];
      for await (const info of openStorage(peer().url('server-data', 'dpvault/rg--vault/VaultStore')).list('packs/')) listed.push(info.name);
      assert.ok(listed.length > 0, 'the packs are in the object store');

      await assert.rejects(startService({ dataDir, port: 0 }), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'StorageSettingChanged');
        assert.match(e.message, new RegExp(`keep their backup data in '${storage.location.replace(/[?.*+()]/g, '\\$&')}'`));
        return true;
      });
      // Rotating the master key re-wraps the repositories where the server keeps them.
      const rotated = await rotateMasterKey(dataDir);
      assert.equal(rotated.repositoriesRewrapped, 1, JSON.stringify(rotated));
      const again = await startService({ dataDir, port: 0, storage });
      try {
        assert.ok((await readAll(again.ctx.store.read(stored, 'rp-1'))).equals(data), 'restores after a restart');
      } finally {
        await again.close();
      }
    });
  }
});
