// `dpvault server` started as a user would (the built binary, a real port), for end-to-end tests:
// resolves once it printed its URL (and, over HTTPS, its certificate's fingerprint).
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI_BIN } from './service.ts';

export interface ServerProcess {
  proc: ChildProcess;
  /** `http(s)://127.0.0.1:PORT`, as the server printed it. */
  url: string;
  /** `sha256:<hex>` of its TLS certificate; '' over plain HTTP. */
  fingerprint: string;
  /** What it wrote on stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `dpvault server` with `args` on a free port and waits for the lines it prints at start. */
export async function startServerProcess(dataDir: string, args: string[], env: Record<string, string> = {}): Promise<ServerProcess> {
  const proc = spawn(process.execPath, [CLI_BIN, 'server', '--port', '0', '--data-dir', dataDir, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, DPVAULT_SERVER_REEXEC: '1', ...env },
  });
  let said = '';
  proc.stderr!.on('data', (d: Buffer) => (said += d.toString()));
  const started = await new Promise<{ url: string; fingerprint: string }>((resolve, reject) => {
    proc.stderr!.on('data', () => {
      const url = /listening on (https?:\/\/\S+)/.exec(said)?.[1];
      const fingerprint = /fingerprint: (sha256:[0-9a-f]{64})/.exec(said)?.[1];
      if (url && (fingerprint || url.startsWith('http:'))) resolve({ url, fingerprint: fingerprint ?? '' });
    });
    proc.on('exit', (code) => reject(new Error(`server exited ${code}: ${said}`)));
  });
  return {
    proc,
    ...started,
    output: () => said,
    stop: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}
