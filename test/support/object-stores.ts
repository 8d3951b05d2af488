// Object store peers the tests start themselves, each a child process on a free port with its
// data in a scratch directory: s3rver (an S3-compatible server, from npm) and Azurite
// (Microsoft's Azure Storage emulator, from npm). Each dies with the test process: SIGKILL on
// exit, and setpriv's parent-death signal when the machine has it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { scratchDir } from './scratch.ts';

const S3RVER_BIN = fileURLToPath(new URL('../../node_modules/s3rver/bin/s3rver.js', import.meta.url));
const AZURITE_BLOB = fileURLToPath(new URL('../../node_modules/azurite/dist/src/blob/main.js', import.meta.url));

/** s3rver's fixed credentials. */
export const S3RVER_KEY = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
/** Azurite's well-known development account. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface ObjectStorePeer {
  /** The service endpoint, as a location's `endpoint` parameter takes it. */
  endpoint: string;
  /** Environment variables with the peer's credentials, as the SDKs read them. */
  env: Record<string, string>;
  /** A storage URL for `container` (a bucket or container name) and an optional prefix. */
  url(container: string, prefix?: string): string;
  /** Where the peer keeps its data on disk. */
  dir: string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

const setpriv = spawnSync('setpriv', ['--help'], { stdio: 'ignore' }).status === 0;

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function startPeer(what: string, argv: string[], port: number): Promise<{ stop(): Promise<void> }> {
  const [file, ...rest] = setpriv ? ['setpriv', '--pdeathsig', 'SIGKILL', '--', ...argv] : argv;
  const child = spawn(file as string, rest, { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  // A peer shared by a whole test process (`testStorage`) must not keep it alive: it is killed on exit.
  child.unref();
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    running.delete(child);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited at start: ${stderr}`);
    if (await canConnect(port)) return { stop };
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error(`${what} did not listen on port ${port}: ${stderr}`);
}

/** An s3rver on a free port, its buckets in a scratch directory. */
export async function startS3rver(): Promise<ObjectStorePeer> {
  const dir = scratchDir('dpv-s3rver-');
  const port = await freePort();
  // s3rver's listing continuation tokens are DES-encrypted, which OpenSSL 3 keeps in its legacy provider.
  const node = [process.execPath, '--openssl-legacy-provider', S3RVER_BIN];
  const peer = await startPeer('s3rver', [...node, '--directory', dir, '--port', String(port), '--address', '127.0.0.1', '--silent'], port);
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    env: { ...S3RVER_KEY },
    dir,
    url: (bucket, prefix) => `s3://${bucket}${prefix ? `/${prefix}` : ''}?${new URLSearchParams({ endpoint, region: 'us-east-1' })}`,
    stop: peer.stop,
  };
}

/** An Azurite blob service on a free port, its data in a scratch directory. */
export async function startAzurite(): Promise<ObjectStorePeer> {
  const dir = scratchDir('dpv-azurite-');
  const port = await freePort();
  const args = ['--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', dir, '--skipApiVersionCheck', '--loose', '--silent'];
  const peer = await startPeer('azurite', [process.execPath, AZURITE_BLOB, ...args], port);
  const endpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  return {
    endpoint,
    env: { AZURE_STORAGE_ACCOUNT: AZURITE_ACCOUNT, AZURE_STORAGE_KEY: AZURITE_KEY },
    dir,
    url: (container, prefix) => `azblob://${container}${prefix ? `/${prefix}` : ''}?${new URLSearchParams({ endpoint })}`,
    stop: peer.stop,
  };
}

/**
 * A peer for the tests of the enclosing suite (or file): started before them with its credentials
 * put in the environment, stopped after them. Call the result inside the tests.
 */
export function usePeer(start: () => Promise<ObjectStorePeer>): () => ObjectStorePeer {
  let peer: ObjectStorePeer | undefined;
  before(async () => {
    peer = await start();
    Object.assign(process.env, peer.env);
  });
  after(async () => peer?.stop());
  return () => {
    if (!peer) throw new Error('the peer has not started');
    return peer;
  };
}

const shared = new Map<string, Promise<ObjectStorePeer>>();
let services = 0;

/**
 * The storage DPVAULT_TEST_STORAGE selects for the services the tests start (support/service.ts):
 * `s3` (an s3rver) or `azblob` (an Azurite), one peer per test process, each service under a
 * prefix of its own; unset or `fs`, the data directory as in production. Tests that read the
 * files of `<data-dir>/backup-data` themselves need the filesystem (the seed's `vault recover`
 * step starts its new installation on the same storage: support/service.ts `newInstallationOver`). `all` keeps every service on the filesystem, and runs the seed test on each
 * backend (test/support/seed-on.ts).
 */
export async function testStorage(): Promise<{ location: string; setting: string } | undefined> {
  const kind = process.env.DPVAULT_TEST_STORAGE ?? 'fs';
  // `all`: the seed test on every backend (test/support/seed-on.ts), every other test on fs.
  if (kind === 'fs' || kind === '' || kind === 'all') return undefined;
  const start = { s3: startS3rver, azblob: startAzurite }[kind];
  if (!start) throw new Error(`DPVAULT_TEST_STORAGE must be fs, s3, azblob or all, not '${kind}'`);
  let peer = shared.get(kind);
  if (!peer) {
    peer = start();
    shared.set(kind, peer);
  }
  const started = await peer;
  Object.assign(process.env, started.env);
  return { location: started.url('dpvault-tests', `svc-${process.pid}-${++services}`), setting: 'DPVAULT_TEST_STORAGE' };
}
