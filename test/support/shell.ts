// Runs command lines through bash with `dpvault` as a function that calls the built CLI, so a test
// can replay a document's commands verbatim (quotes, redirections and all).
import { spawn } from 'node:child_process';
import { CLI_BIN } from './service.ts';

export interface ShellResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runShell(script: string, opts: { cwd: string; endpoint: string }): Promise<ShellResult> {
  const prelude = `dpvault() { "${process.execPath}" "${CLI_BIN}" "$@"; }\n`;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', prelude + script], {
      cwd: opts.cwd,
      env: { ...process.env, DPVAULT_ENDPOINT: opts.endpoint },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
