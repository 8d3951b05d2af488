// Runs command lines through bash with `dpvault` as a function that calls the built CLI, so a test
// can replay a document's commands verbatim (quotes, redirections and all). `session` adds the two
// steps every end-to-end test repeats: run-and-parse, and wait for a job.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { CLI_BIN, captureChild, cliEnv } from './service.ts';

export interface ShellResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `dataDir`: the data directory of a server the test started itself (a test service's is found by its URL). */
export function runShell(script: string, opts: { cwd: string; endpoint: string; dataDir?: string }): Promise<ShellResult> {
  const prelude = `dpvault() { "${process.execPath}" "${CLI_BIN}" "$@"; }\n`;
  return captureChild(
    spawn('bash', ['-c', prelude + script], { cwd: opts.cwd, env: { ...process.env, ...cliEnv(opts.endpoint), ...(opts.dataDir ? { DPVAULT_HOME: opts.dataDir } : {}) }, stdio: ['ignore', 'pipe', 'pipe'] }),
  );
}

export interface ShellSession {
  sh(script: string): Promise<ShellResult>;
  /** Runs a script that must succeed; returns its stdout parsed as JSON (undefined when empty). */
  ok(script: string): Promise<any>;
  /** Polls `job show --ids` until the job leaves InProgress; returns the job. */
  waitJob(jobId: string): Promise<any>;
}

export function shellSession(opts: () => { cwd: string; endpoint: string; dataDir?: string }): ShellSession {
  const sh = (script: string) => runShell(script, opts());
  const ok = async (script: string) => {
    const r = await sh(script);
    assert.equal(r.code, 0, `${script}\n${r.stderr}`);
    return r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
  };
  const waitJob = async (jobId: string) => {
    for (let i = 0; i < 1200; i++) {
      const job = await ok(`dpvault job show --ids "${jobId}"`);
      if (job.properties.status !== 'InProgress') return job;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`job ${jobId} did not end`);
  };
  return { sh, ok, waitJob };
}
