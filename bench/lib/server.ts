// A `dpvault server` child process on its own data directory and port, driven as a user would:
// through the CLI binary with DPVAULT_ENDPOINT, and job polling over the HTTP API. Its peak memory
// is the kernel's VmHWM of the server pid; pg_dump/pg_restore and any other children it starts are
// sampled separately.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ChildMemorySampler, PeakSmaps, run, statusKiB, type RunResult } from './proc.ts';

const JOB_API_VERSION = '2026-06-01';

/** Servers still running; killed if the benchmark exits without stopping them. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** The Node flags `npm start` runs the server with (package.json): a small young generation keeps peak memory down. */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=2'];

export interface JobView {
  id: string;
  properties: {
    status: string;
    startTime: string;
    endTime: string | null;
    errorDetails?: { code?: string; message?: string }[];
    extendedInfo?: Record<string, unknown>;
  };
}

export interface JobRun {
  /** From spawning the CLI command that starts the job to the poll that saw it end. */
  seconds: number;
  /** The job's own startTime → endTime, as the service recorded it. */
  jobSeconds: number;
  job: JobView;
}

export class DpvaultServer {
  readonly entry: string;
  readonly dataDir: string;
  readonly url: string;
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  readonly #sampler: ChildMemorySampler;
  readonly #smaps: PeakSmaps | null;
  /** The Owner's access token for the job polls (signed in again when it expires). */
  #token: string | undefined;

  private constructor(entry: string, dataDir: string, url: string, child: ChildProcess, exited: Promise<void>, smapsFile: string | null) {
    this.entry = entry;
    this.dataDir = dataDir;
    this.url = url;
    this.#child = child;
    this.#exited = exited;
    this.#sampler = new ChildMemorySampler(child.pid!);
    // BENCH_SMAPS_DIR: keep the server's smaps at its peak RSS there (`<log name>.<pid>.smaps`; bench/smaps-summary.ts reads it).
    this.#smaps = smapsFile ? new PeakSmaps(child.pid!, smapsFile) : null;
  }

  /** Starts `node <entry> server --data-dir DIR --port 0 [ARGS]` (with `env` added) and waits for its listening line. */
  static async start(entry: string, dataDir: string, logFile: string, extra: { args?: string[]; env?: Record<string, string> } = {}): Promise<DpvaultServer> {
    return DpvaultServer.#spawn(entry, dataDir, logFile, ['server', '--port', '0'], /listening on (http:\/\/\S+)/, extra);
  }

  /**
   * Starts `node <entry> worker --data-dir DIR [ARGS]` and waits for its running line: a process
   * with no API (its `url` is empty), stopped as a server is.
   */
  static async startWorker(entry: string, dataDir: string, logFile: string, extra: { args?: string[]; env?: Record<string, string> } = {}): Promise<DpvaultServer> {
    return DpvaultServer.#spawn(entry, dataDir, logFile, ['worker'], /dpvault worker running()/, extra);
  }

  static async #spawn(
    entry: string, dataDir: string, logFile: string, command: string[], ready: RegExp, extra: { args?: string[]; env?: Record<string, string> },
  ): Promise<DpvaultServer> {
    mkdirSync(dataDir, { recursive: true });
    // BENCH_SERVER_NODE_FLAGS: more flags for the servers only (say `--cpu-prof --cpu-prof-dir=DIR`, which NODE_OPTIONS may not carry).
    const more = process.env.BENCH_SERVER_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
    const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...more, entry, ...command, '--data-dir', dataDir, ...(extra.args ?? [])], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...extra.env, DPVAULT_HOME: dataDir },
    });
    const log = createWriteStream(logFile, { flags: 'a' });
    child.stdout!.pipe(log);
    running.add(child);
    const exited = new Promise<void>((resolve) => child.once('exit', () => {
      running.delete(child);
      resolve();
    }));
    const url = await new Promise<string>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`dpvault ${command[0]} did not start in 60 s:\n${seen}`)), 60_000);
      child.stderr!.on('data', (d: Buffer) => {
        log.write(d);
        if (seen.length < 64 * 1024) seen += d.toString();
        const m = ready.exec(seen);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`dpvault ${command[0]} exited (${code}) before it was ready:\n${seen}`));
      });
    });
    const smaps = process.env.BENCH_SMAPS_DIR ? join(process.env.BENCH_SMAPS_DIR, `${basename(logFile)}.${child.pid}.smaps`) : null;
    return new DpvaultServer(entry, dataDir, url, child, exited, smaps);
  }

  get pid(): number {
    return this.#child.pid!;
  }

  /** The server process's peak resident set so far (VmHWM), in KiB. */
  peakKiB(): number {
    return statusKiB(this.pid, 'VmHWM') ?? 0;
  }

  /** The highest VmHWM seen per child command name (pg_dump, pg_restore, ...), in KiB. */
  childPeaksKiB(): Map<string, number> {
    this.#sampler.sample();
    return new Map(this.#sampler.peaks);
  }

  /**
   * Runs the CLI binary against this server, as its Owner: on loopback the CLI signs in with the
   * `owner-credentials.json` of DPVAULT_HOME (the server's data directory), and its sign-in cache
   * lives in the data directory too, never in the user's own.
   */
  cli(args: string[], cwd?: string): Promise<RunResult> {
    const env = { ...process.env, DPVAULT_ENDPOINT: this.url, DPVAULT_HOME: this.dataDir, DPVAULT_CONFIG_DIR: join(this.dataDir, 'cli-config') };
    return run(process.execPath, [this.entry, ...args], { cwd, env });
  }

  /** A token of the Owner from the service's token endpoint (the credentials the server wrote at its first start). */
  async #signIn(): Promise<string> {
    const c = JSON.parse(readFileSync(join(this.dataDir, 'owner-credentials.json'), 'utf8')) as { appId: string; password: string };
    const res = await fetch(`${this.url}/adfs/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.appId, client_secret: c.password, scope: `${this.url}//.default` }),
    });
    const body = (await res.json()) as { access_token?: string };
    if (!body.access_token) throw new Error(`sign-in at ${this.url} failed: HTTP ${res.status}`);
    return body.access_token;
  }

  /** Runs the CLI and returns its JSON output; throws with stderr when it fails. */
  async cliJson(args: string[], cwd?: string): Promise<any> {
    const r = await this.cli(args, cwd);
    if (r.code !== 0) throw new Error(`dpvault ${args.join(' ')} exited ${r.code}:\n${r.stderr.slice(-3000)}`);
    return r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
  }

  /** GETs a resource path (an id, or a collection's path) over the HTTP API as the Owner; throws unless 2xx. */
  async get(path: string): Promise<unknown> {
    const get = async () => fetch(`${this.url}${path}?api-version=${JOB_API_VERSION}`, { headers: { authorization: `Bearer ${(this.#token ??= await this.#signIn())}` } })
      .catch((e: unknown) => {
        // undici says only "fetch failed"; its cause and the server's state say why.
        const cause = (e as { cause?: { code?: string; message?: string } }).cause;
        const state = this.#child.exitCode !== null || this.#child.signalCode !== null
          ? `the server exited (code ${this.#child.exitCode}, signal ${this.#child.signalCode})`
          : 'the server is still running';
        throw new Error(`GET ${path} failed: ${cause?.code ?? ''} ${cause?.message ?? (e as Error).message}; ${state}`);
      });
    let res = await get();
    if (res.status === 401) {
      this.#token = undefined;
      res = await get();
    }
    if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status} ${await res.text()}`);
    return res.json();
  }

  /** GETs a job by its full id over the HTTP API. */
  async job(jobId: string): Promise<JobView> {
    return (await this.get(jobId)) as JobView;
  }

  /** Runs a CLI command that starts a job (adhoc-backup, restore trigger) and returns the job's id. */
  async startJob(args: string[], cwd?: string): Promise<string> {
    const started = await this.cliJson(args, cwd);
    const jobId = started?.jobId as string | undefined;
    if (!jobId) throw new Error(`dpvault ${args.join(' ')} printed no jobId: ${JSON.stringify(started)}`);
    return jobId;
  }

  /**
   * Runs a CLI command that starts a job (adhoc-backup, restore trigger) and polls the job every
   * `pollMs` until it is no longer InProgress; the clock starts before the CLI is spawned.
   */
  async timedJob(args: string[], cwd?: string, pollMs = 50, timeoutMs = 3 * 3600_000): Promise<JobRun> {
    const t0 = performance.now();
    const jobId = await this.startJob(args, cwd);
    for (;;) {
      const job = await this.job(jobId);
      if (job.properties.status !== 'InProgress') {
        const seconds = (performance.now() - t0) / 1000;
        const end = job.properties.endTime ? Date.parse(job.properties.endTime) : NaN;
        const jobSeconds = (end - Date.parse(job.properties.startTime)) / 1000;
        return { seconds, jobSeconds, job };
      }
      if (performance.now() - t0 > timeoutMs) throw new Error(`job ${jobId} still InProgress after ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  /** SIGTERM, then SIGKILL after 20 s. */
  async stop(): Promise<void> {
    this.#sampler.stop();
    this.#smaps?.stop();
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.#child.kill('SIGTERM');
    const killed = await Promise.race([this.#exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 20_000))]);
    if (!killed) {
      this.#child.kill('SIGKILL');
      await this.#exited;
    }
  }
}

/** A server log file name under the run's work directory. */
export const serverLog = (workDir: string, name: string): string => join(workDir, `${name}.server.log`);
