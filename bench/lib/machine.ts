// What the numbers were measured on: CPU, memory, kernel, and the versions of every tool compared.
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, release } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './build.ts';
import { toolVersion } from './dedup.ts';
import { run } from './proc.ts';

export interface Machine {
  date: string;
  nproc: number;
  cpu: string;
  memTotal: string;
  kernel: string;
  node: string;
  postgres: string;
  pgDump: string;
  restic: string | null;
  borg: string | null;
  git: string;
  /** 1/5/15-minute load averages when the run started: other work on the machine shows here. */
  loadAtStart: string;
}

/** The load averages now, as "1.02 / 0.87 / 0.60". */
export const loadNow = (): string => loadavg().map((x) => x.toFixed(2)).join(' / ');

function cpuModel(): string {
  try {
    return /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function memTotal(): string {
  try {
    const kib = Number(/^MemTotal:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1]);
    return `${(kib / 2 ** 20).toFixed(1)} GiB`;
  } catch {
    return 'unknown';
  }
}

async function gitDescription(): Promise<string> {
  const head = await run('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT });
  if (head.code !== 0) return 'unknown';
  const status = await run('git', ['status', '--porcelain', '--', 'src'], { cwd: REPO_ROOT });
  return status.stdout.trim() ? `${head.stdout.trim()} with uncommitted changes under src/` : head.stdout.trim();
}

export async function describeMachine(bindir: string): Promise<Machine> {
  const first = async (file: string, args: string[]) => (await run(file, args)).stdout.trim().split('\n')[0] ?? 'unknown';
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    nproc: availableParallelism(),
    cpu: cpuModel(),
    memTotal: memTotal(),
    kernel: `Linux ${release()}`,
    node: process.version,
    postgres: await first(join(bindir, 'postgres'), ['--version']),
    pgDump: await first(join(bindir, 'pg_dump'), ['--version']),
    restic: await toolVersion('restic', ['version']),
    borg: await toolVersion('borg', ['--version']),
    git: await gitDescription(),
    loadAtStart: loadNow(),
  };
}
