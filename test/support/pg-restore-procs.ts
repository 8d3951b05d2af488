// This process's pg_restore children, read from /proc: how many sessions a restore runs, and which one to kill.
import { readdirSync, readFileSync } from 'node:fs';

/** pids of this process's pg_restore children whose command line contains `needle`. */
export function pgRestores(needle: string): number[] {
  return pgRestoreProcs(needle).map((p) => p.pid);
}

/** The argv of each of this process's pg_restore children. */
export function pgRestoreArgv(needle: string): string[][] {
  return pgRestoreProcs(needle).map((p) => p.argv);
}

function pgRestoreProcs(needle: string): { pid: number; argv: string[] }[] {
  const out: { pid: number; argv: string[] }[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1]);
      if (ppid === process.pid && cmd[0]?.endsWith('pg_restore') && cmd.some((a) => a.includes(needle))) out.push({ pid: Number(p), argv: cmd });
    } catch {
      continue;
    }
  }
  return out;
}
