// A dpvault service on a temporary data directory and a free port, and the CLI binary to drive it.
// Usage: const svc = await startTestService(); after(() => svc.close());
// Every request signs in as the service's Owner: `svc.http` and `svc.app.request` send its token
// (a test may send another or none), and the CLI run against a test service finds its
// owner-credentials.json through DPVAULT_HOME. The CLI's config directory (tokens, logins) is a
// scratch directory of the test process, never the user's.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { startService, type RunningService } from '../../src/app.ts';
import type { StorageSetting } from '../../src/storage/configured.ts';
import type { Clock } from '../../src/util/clock.ts';
import type { SignInLimitSettings } from '../../src/identity/sign-in-limits.ts';
import type { AlertDeliverySettings } from '../../src/services/context.ts';
import { testStorage } from './object-stores.ts';
import { scratchDir } from './scratch.ts';

process.env.DPVAULT_CONFIG_DIR ??= scratchDir('dpvault-cli-config-');

/** The data directory of each running test service, by its URL: where the CLI finds the Owner's credentials. */
const DATA_DIRS = new Map<string, string>();

/** DPVAULT_HOME for a CLI talking to this endpoint (a test service's data directory), if known. */
export function dataDirFor(endpoint: string | undefined): string | undefined {
  return endpoint ? DATA_DIRS.get(endpoint.replace(/\/+$/, '')) : undefined;
}

export interface OwnerCredentials {
  appId: string;
  password: string;
  tenant: string;
  displayName: string;
}

/** The Owner's credentials the server wrote to its data directory. */
export function ownerCredentials(dataDir: string): OwnerCredentials {
  return JSON.parse(readFileSync(join(dataDir, 'owner-credentials.json'), 'utf8')) as OwnerCredentials;
}

/** A token from the service's token endpoint for these credentials (the CLI's audience). */
export async function signIn(url: string, c: { appId: string; password: string }): Promise<string> {
  const res = await fetch(`${url}/adfs/oauth2/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.appId, client_secret: c.password, scope: `${url}//.default` }),
  });
  const body = (await res.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`sign-in at ${url} failed: ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

/** A GET carrying `token`, with the Host header `host`: servers behind one name (a load balancer) see the same issuer and audience. */
export function getAs(url: string, host: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = httpRequest(url, { headers: { host, authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

export interface TestService extends RunningService {
  dataDir: string;
  /** The storage setting it was started with (undefined: `backup-data` in its data directory). */
  storage: StorageSetting | undefined;
  owner: OwnerCredentials;
  /** The Owner's access token, which `http` and `app.request` send by default. */
  ownerToken: string;
  /** The Owner's object id (what access policies and role assignments name). */
  ownerObjectId: string;
  /**
   * Sends a raw HTTP request to the API (api-version added unless given), as the Owner unless
   * `opts.token` names another token (`null`: none).
   */
  http(
    method: string, path: string, body?: unknown, apiVersion?: string | null, opts?: { token?: string | null },
  ): Promise<{ status: number; body: any; headers: Headers }>;
}

/**
 * Backup data goes where DPVAULT_TEST_STORAGE says (support/object-stores.ts `testStorage`).
 * Test databases are small, so by default every table with a primary key is dumped in key order
 * (keyOrderMinBytes 0), which is the path big tables take in production.
 */
export async function startTestService(
  opts: {
    clock?: Clock; dataDir?: string; keyOrderMinBytes?: number; log?: (line: string) => void; restoreFilesRoots?: string[]; restoreFilesContainers?: string[];
    signInLimits?: Partial<SignInLimitSettings>; alertWebhooks?: string[]; alertDelivery?: AlertDeliverySettings;
    /** Where backup data goes, instead of what DPVAULT_TEST_STORAGE says (`undefined`: the data directory). */
    storage?: StorageSetting | undefined;
  } = {},
): Promise<TestService> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'dpvault-test-'));
  const storage = 'storage' in opts ? opts.storage : await testStorage();
  const svc = await startService({
    dataDir, storage, port: 0, clock: opts.clock, keyOrderMinBytes: opts.keyOrderMinBytes ?? 0, log: opts.log, restoreFilesRoots: opts.restoreFilesRoots, restoreFilesContainers: opts.restoreFilesContainers,
    signInLimits: opts.signInLimits, alertWebhooks: opts.alertWebhooks, alertDelivery: opts.alertDelivery,
  });
  const owner = ownerCredentials(dataDir);
  const ownerToken = await signIn(svc.url, owner);
  DATA_DIRS.set(svc.url, dataDir);
  const host = new URL(svc.url).host;
  const request: RunningService['app']['request'] = (method, target, init = {}) =>
    svc.app.request(method, target, { ...init, headers: { host, authorization: `Bearer ${ownerToken}`, ...init.headers } });
  return {
    ...svc,
    app: { ...svc.app, request },
    dataDir,
    storage,
    owner,
    ownerToken,
    ownerObjectId: (JSON.parse(Buffer.from(ownerToken.split('.')[1]!, 'base64url').toString('utf8')) as { oid: string }).oid,
    async http(method, path, body, apiVersion = '2026-03-01', opts = {}) {
      const url = new URL(svc.url + path);
      if (apiVersion !== null && !url.searchParams.has('api-version')) url.searchParams.set('api-version', apiVersion);
      const token = opts.token === undefined ? ownerToken : opts.token;
      const res = await fetch(url, {
        method,
        headers: { ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...(token !== null ? { Authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
    },
    async close() {
      DATA_DIRS.delete(svc.url);
      await svc.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A new installation over an old one's backup data: a fresh data directory holding only the old
 * master key (and, when the data lives in the data directory, a copy of `backup-data`), and the
 * old storage setting; start it with `startTestService(await newInstallationOver(old))`.
 */
export function newInstallationOver(old: TestService): { dataDir: string; storage: StorageSetting | undefined } {
  const dataDir = mkdtempSync(join(tmpdir(), 'dpvault-recover-'));
  if (!old.storage) cpSync(join(old.dataDir, 'backup-data'), join(dataDir, 'backup-data'), { recursive: true });
  cpSync(join(old.dataDir, 'master.key'), join(dataDir, 'master.key'));
  return { dataDir, storage: old.storage };
}

export const CLI_BIN = resolve(import.meta.dirname, '../../bin/dpvault.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (undefined when empty). */
  json: any;
}

/** DPVAULT_ENDPOINT and, for a test service, DPVAULT_HOME (its Owner's credentials). */
export function cliEnv(endpoint: string | undefined): Record<string, string> {
  const home = dataDirFor(endpoint);
  return { ...(endpoint ? { DPVAULT_ENDPOINT: endpoint } : {}), ...(home ? { DPVAULT_HOME: home } : {}) };
}

/** Runs the built `dpvault` binary as a user would. */
export async function runCli(args: string[], opts: { endpoint?: string; cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI_BIN, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, ...cliEnv(opts.endpoint ?? opts.env?.DPVAULT_ENDPOINT), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const r = await captureChild(child);
  let json: unknown;
  try {
    json = r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
  } catch {
    json = undefined;
  }
  return { ...r, json };
}

/**
 * Runs `dpvault server ARGS` expecting it to exit; a run that outlives `limitMs` is killed and
 * reported as such (`killed`).
 */
export async function runServer(args: string[], opts: { env?: Record<string, string | undefined>; limitMs?: number } = {}): Promise<{ code: number; stderr: string; killed: boolean }> {
  const child = spawn(process.execPath, [CLI_BIN, 'server', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  let killed = false;
  const limit = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, opts.limitMs ?? 30_000);
  const r = await captureChild(child);
  clearTimeout(limit);
  return { code: r.code, stderr: r.stderr, killed };
}

/** Collects a child's output and exit code. */
export function captureChild(child: ChildProcessByStdio<null, Readable, Readable>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
  });
}
