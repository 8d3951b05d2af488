// Runs one libpq client tool (pg_dump, pg_restore) as a child process: credentials by
// environment only, stdin or stdout left to the caller as a stream, and a `done` promise that
// rejects with a DpError carrying a short, secret-free excerpt of the tool's stderr.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { PassThrough, pipeline, type Readable } from 'node:stream';
import { errors } from '../../domain/errors.ts';
import { toLibpqEnv, type PgConnection } from './connection-string.ts';
import { codeForToolStderr, scrub } from './errors.ts';
import { pgOptions } from './restore-settings.ts';

const TAIL_LINES = 20;
const TAIL_CHARS = 16 * 1024;
const LINE_CHARS = 400;

/** The child's environment: ours without any PG* variable (no stray PGPASSFILE or PGSERVICE), plus the connection's. */
export function toolEnv(conn: PgConnection): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PG')) env[k] = v;
  return { ...env, ...toLibpqEnv(conn), LC_ALL: 'C' };
}

/** A libpq conninfo holding only the database name, so a name like `host=x` is never read as a connection string. */
export function dbnameConninfo(name: string): string {
  return `dbname='${name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export interface ToolRun {
  child: ChildProcess;
  /**
   * With stream 'stdout': the tool's output, to read instead of `child.stdout`. Node discards
   * the unread output of a child that has exited unless something already consumes it, so a
   * small dump whose reader started late came out empty, with `done` resolved: this is piped
   * from the start, and keeps every byte until it is read.
   */
  stdout: Readable | null;
  /** Resolves when the tool exits with status 0; rejects with a DpError otherwise. */
  done: Promise<void>;
}

export interface RunToolOptions {
  /** The tool's name for messages: "pg_dump". */
  name: string;
  file: string;
  args: string[];
  conn: PgConnection;
  /** Which of stdin/stdout the caller streams through. */
  stream: 'stdin' | 'stdout';
  /**
   * With stream 'stdout': the tool's stdout buffer in bytes, set through coreutils' stdbuf when
   * it is installed. pg_dump writes through stdio, which flushes every 4 KiB into a
   * pipe; each flush is one read, one Buffer and one trip through the backup loop here.
   */
  stdoutBuffer?: number;
  /** The code used when stderr says nothing more specific. */
  failureCode: string;
  signal?: AbortSignal;
  /** Settings for every session the tool opens (PGOPTIONS; restore-settings.ts). */
  settings?: Record<string, string>;
}

/** Keeps the last TAIL_CHARS characters of a stream of text. */
function tailCollector(): { push(chunk: Buffer): void; lines(): string[] } {
  let text = '';
  return {
    push(chunk) {
      text = (text + chunk.toString('utf8')).slice(-TAIL_CHARS);
    },
    lines() {
      return text
        .split('\n')
        .map((l) => l.trimEnd())
        .filter(Boolean)
        .slice(-TAIL_LINES)
        .map((l) => (l.length > LINE_CHARS ? `${l.slice(0, LINE_CHARS)}…` : l));
    },
  };
}

/** coreutils' stdbuf, if this machine has it (looked up once). */
let stdbuf: string | null | undefined;
function findStdbuf(): string | null {
  if (stdbuf === undefined) {
    stdbuf = null;
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      const file = join(dir || '.', 'stdbuf');
      try {
        accessSync(file, constants.X_OK);
        stdbuf = file;
        break;
      } catch {
        continue;
      }
    }
  }
  return stdbuf;
}

export function runTool(opts: RunToolOptions): ToolRun {
  const { conn, name } = opts;
  const wrap = opts.stdoutBuffer && opts.stream === 'stdout' ? findStdbuf() : null;
  const [file, args] = wrap ? [wrap, ['-o', String(opts.stdoutBuffer), opts.file, ...opts.args]] : [opts.file, opts.args];
  const child = spawn(file, args, {
    env: opts.settings && Object.keys(opts.settings).length ? { ...toolEnv(conn), PGOPTIONS: pgOptions(opts.settings) } : toolEnv(conn),
    stdio: [opts.stream === 'stdin' ? 'pipe' : 'ignore', opts.stream === 'stdout' ? 'pipe' : 'ignore', 'pipe'],
  });
  // The caller's pipeline reports a broken pipe; `done` reports why. Never crash on it here.
  child.stdin?.on('error', () => {});
  const tail = tailCollector();
  let cancelled = false;
  const onAbort = (): void => {
    cancelled = true;
    child.kill('SIGTERM');
  };
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });

  const stderrEnded = new Promise<void>((resolve) => {
    if (!child.stderr) return resolve();
    child.stderr.on('data', (c: Buffer) => tail.push(c));
    child.stderr.on('close', () => resolve());
    child.stderr.on('error', () => resolve());
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  const done = (async () => {
    let result: { code: number | null; signal: NodeJS.Signals | null };
    try {
      result = await exited;
    } catch (e) {
      const msg = scrub((e as Error).message, [conn.password]);
      throw errors.toolNotStarted(opts.failureCode, `Could not start ${name} (${opts.file}): ${msg}`);
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
    await stderrEnded;
    if (result.code === 0) return;
    const excerpt = scrub(tail.lines().join('\n'), [conn.password]);
    const how = cancelled
      ? `${name} was cancelled (signal ${result.signal ?? 'SIGTERM'})`
      : result.signal
        ? `${name} was killed by signal ${result.signal}`
        : `${name} exited with status ${result.code}`;
    const code = cancelled || result.signal ? opts.failureCode : codeForToolStderr(excerpt, opts.failureCode);
    throw errors.toolFailed(code, excerpt ? `${how}:\n${excerpt}` : `${how}.`);
  })();
  done.catch(() => {}); // Handled by whoever awaits it; never an unhandled rejection.
  let stdout: Readable | null = null;
  if (opts.stream === 'stdout' && child.stdout) {
    // A pipeline, not .pipe(): a reader that gives up destroys the child's stdout too, so the
    // tool sees a broken pipe and exits instead of blocking on a write forever.
    const through = new PassThrough({ highWaterMark: 64 * 1024 });
    pipeline(child.stdout, through, () => {});
    stdout = through;
  }
  return { child, stdout, done };
}
