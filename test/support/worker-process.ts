// `dpvault worker` started as a user would (the built binary), for tests of many processes on one
// PostgreSQL catalog: resolves once it says it is running; `kill9` loses it the hard way (no
// lease released, no task finished), `stop` sends SIGTERM and waits for its exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI_BIN } from './service.ts';

export interface WorkerProcess {
  proc: ChildProcess;
  /** What it wrote on stderr so far. */
  output(): string;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

export async function startWorkerProcess(dataDir: string, args: string[], env: Record<string, string> = {}): Promise<WorkerProcess> {
  const proc = spawn(process.execPath, [CLI_BIN, 'worker', '--data-dir', dataDir, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, DPVAULT_SERVER_REEXEC: '1', ...env },
  });
  let said = '';
  proc.stderr!.on('data', (d: Buffer) => (said += d.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    proc.stderr!.on('data', () => said.includes('dpvault worker running') && resolve());
    void exited.then(() => reject(new Error(`worker exited ${proc.exitCode ?? proc.signalCode}: ${said}`)));
  });
  const signal = async (s: NodeJS.Signals) => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(s);
    await exited;
  };
  return { proc, output: () => said, kill9: () => signal('SIGKILL'), stop: () => signal('SIGTERM') };
}
