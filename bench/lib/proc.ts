// Child processes for the benchmark: run a tool and time it, and sample the memory of a process
// and its descendants from /proc (VmHWM: the kernel's own peak resident set size).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit. */
  seconds: number;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
}

const KEEP = 256 * 1024;
const tail = (s: string): string => (s.length > KEEP ? s.slice(-KEEP) : s);

/** Runs `file args` to its exit; never throws for a non-zero status (see `must`). */
export function run(file: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(file, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout = tail(stdout + d.toString())));
    child.stderr.on('data', (d: Buffer) => (stderr = tail(stderr + d.toString())));
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr, seconds: (performance.now() - t0) / 1000 }),
    );
  });
}

/** Runs `file args` and throws with its stderr when it does not exit 0. */
export async function must(file: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const r = await run(file, args, opts);
  if (r.code !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.code}:\n${r.stderr.slice(-3000)}`);
  return r;
}

/** A field of /proc/<pid>/status in KiB (VmHWM, VmRSS), or null when the process is gone. */
export function statusKiB(pid: number, field: 'VmHWM' | 'VmRSS'): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** pid → [parent pid, command name] for every process visible now. */
function processTable(): Map<number, [number, string]> {
  const out = new Map<number, [number, string]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const open = stat.indexOf('(');
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      out.set(Number(name), [Number(fields[1]), stat.slice(open + 1, close)]);
    } catch {
      // exited between readdir and read
    }
  }
  return out;
}

/** Every descendant of `root` now, with its command name. */
export function descendants(root: number): { pid: number; name: string }[] {
  const table = processTable();
  const found: { pid: number; name: string }[] = [];
  const frontier = [root];
  while (frontier.length > 0) {
    const parent = frontier.pop()!;
    for (const [pid, [ppid, name]] of table) {
      if (ppid === parent) {
        found.push({ pid, name });
        frontier.push(pid);
      }
    }
  }
  return found;
}

/**
 * Samples the descendants of a process (pg_dump, pg_restore, ...) every `intervalMs` and keeps
 * the highest VmHWM seen per command name. The process's own peak is its VmHWM, read directly.
 */
export class ChildMemorySampler {
  readonly #root: number;
  readonly #timer: NodeJS.Timeout;
  readonly peaks = new Map<string, number>();

  constructor(root: number, intervalMs = 100) {
    this.#root = root;
    this.#timer = setInterval(() => this.sample(), intervalMs);
    this.#timer.unref();
  }

  sample(): void {
    for (const { pid, name } of descendants(this.#root)) {
      const hwm = statusKiB(pid, 'VmHWM');
      if (hwm !== null && hwm > (this.peaks.get(name) ?? 0)) this.peaks.set(name, hwm);
    }
  }

  stop(): Map<string, number> {
    clearInterval(this.#timer);
    return this.peaks;
  }
}

/** The median of some numbers (mean of the middle two for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The nearest-rank p-th percentile (0 < p <= 100) of some numbers; NaN for none. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length, Math.ceil((p / 100) * s.length)) - 1]!;
}

/** `items` rotated left by `by` places: round i of a benchmark starts with contender i. */
export function rotated<T>(items: readonly T[], by: number): T[] {
  const k = ((by % items.length) + items.length) % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/**
 * Keeps a copy of a process's /proc/PID/smaps taken when its RSS was at its highest so far
 * (sampled every `intervalMs`; a new copy once the RSS has grown by `stepKiB` since the last),
 * written to `file`: what the peak memory is made of (V8's heap, array buffers, malloc arenas,
 * the binary's pages). For BENCH_SMAPS_DIR; summarized by bench/smaps-summary.ts.
 */
export class PeakSmaps {
  readonly #timer: NodeJS.Timeout;
  #highKiB = 0;

  constructor(pid: number, file: string, intervalMs = 50, stepKiB = 1024) {
    this.#timer = setInterval(() => {
      const rss = statusKiB(pid, 'VmRSS');
      if (rss === null || rss < this.#highKiB + stepKiB) return;
      try {
        writeFileSync(file, `# VmRSS ${rss} kB at ${new Date().toISOString()}\n${readFileSync(`/proc/${pid}/smaps`, 'utf8')}`);
        this.#highKiB = rss;
      } catch {
        // the process is gone
      }
    }, intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
