// A dpvault service on a temporary data directory and a free port, and the CLI binary to drive it.
// Usage: const svc = await startTestService(); after(() => svc.close());
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { startService, type RunningService } from '../../src/app.ts';
import type { Clock } from '../../src/util/clock.ts';
import type { SignInLimitSettings } from '../../src/identity/sign-in-limits.ts';
import { testStorage } from './object-stores.ts';

export interface TestService extends RunningService {
  dataDir: string;
  /** Sends a raw HTTP request to the API (api-version added unless given). */
  http(method: string, path: string, body?: unknown, apiVersion?: string | null): Promise<{ status: number; body: any; headers: Headers }>;
}

/**
 * Backup data goes where DPVAULT_TEST_STORAGE says (support/object-stores.ts `testStorage`).
 * Test databases are small, so by default every table with a primary key is dumped in key order
 * (keyOrderMinBytes 0), which is the path big tables take in production.
 */
export async function startTestService(
  opts: {
    clock?: Clock; dataDir?: string; keyOrderMinBytes?: number; log?: (line: string) => void; restoreFilesRoots?: string[];
    signInLimits?: Partial<SignInLimitSettings>;
  } = {},
): Promise<TestService> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'dpvault-test-'));
  const storage = await testStorage();
  const svc = await startService({
    dataDir, storage, port: 0, clock: opts.clock, keyOrderMinBytes: opts.keyOrderMinBytes ?? 0, log: opts.log, restoreFilesRoots: opts.restoreFilesRoots,
    signInLimits: opts.signInLimits,
  });
  return {
    ...svc,
    dataDir,
    async http(method, path, body, apiVersion = '2026-03-01') {
      const url = new URL(svc.url + path);
      if (apiVersion !== null && !url.searchParams.has('api-version')) url.searchParams.set('api-version', apiVersion);
      const res = await fetch(url, {
        method,
        headers: body !== undefined ? { 'Content-Type': 'application/json' } : {},
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
    },
    async close() {
      await svc.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const CLI_BIN = resolve(import.meta.dirname, '../../bin/dpvault.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (undefined when empty). */
  json: any;
}

/** Runs the built `dpvault` binary as a user would. */
export async function runCli(args: string[], opts: { endpoint?: string; cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI_BIN, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, ...(opts.endpoint ? { DPVAULT_ENDPOINT: opts.endpoint } : {}), ...opts.env },
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
