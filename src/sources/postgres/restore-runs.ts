// The pg_restore runs of one multi-session restore (parallel-restore.ts, ranged-restore.ts):
// each started with the same connection, settings and arguments, tracked while it runs, and all
// stopped together at the first failure, so that the caller can drop the database they were
// connected to once every one has exited.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PgConnection } from './connection-string.ts';
import { errors } from '../../domain/errors.ts';
import { writeArchiveHead, type ArchiveHead } from './archive-toc.ts';
import { fitArchiveToRoles, type RoleReport, type TargetRoles } from './role-mapping.ts';
import { RESTORE_FAILED } from './errors.ts';
import { pgRestoreArgs, type RestoreOptions } from './restore.ts';
import { runTool, type ToolRun } from './tool-process.ts';

export class RestoreRuns {
  readonly #file: string;
  readonly #target: PgConnection;
  readonly #opts: RestoreOptions;
  readonly #baseArgs: string[];
  readonly #running = new Set<ToolRun>();
  #stopped = false;

  constructor(file: string, target: PgConnection, opts: RestoreOptions) {
    this.#file = file;
    this.#target = target;
    this.#opts = opts;
    this.#baseArgs = pgRestoreArgs(opts.targetDatabase, opts.noOwner);
  }

  /** Starts one pg_restore reading its archive from stdin (or from a file named in `args`). */
  start(name: string, args: string[]): ToolRun {
    if (this.#stopped) throw errors.restoreFailed('The restore was stopped.');
    const o = this.#opts;
    const run = runTool({ name, file: this.#file, args: [...args, ...this.#baseArgs], conn: this.#target, stream: 'stdin', failureCode: RESTORE_FAILED, signal: o.signal, settings: o.settings });
    this.#running.add(run);
    run.done.then(() => this.#running.delete(run), () => this.#running.delete(run));
    return run;
  }

  /** Runs one pg_restore from a file to its end. */
  async fromFile(name: string, args: string[], path: string): Promise<void> {
    const run = this.start(name, [...args, path]);
    run.child.stdin?.end();
    await run.done;
  }

  /**
   * Writes the fitted head (header and TOC, no data) to `dir`/head.dump (mode 0600) and restores
   * the schema from it (`--section=pre-data`); returns the file, from which post-data runs too.
   */
  async schema(dir: string, headBytes: Buffer): Promise<string> {
    const headFile = join(dir, 'head.dump');
    await writeFile(headFile, headBytes, { mode: 0o600 });
    await this.fromFile('pg_restore (pre-data)', ['--section=pre-data'], headFile);
    return headFile;
  }

  /** Stops every run; nothing more starts. */
  stopAll(): void {
    this.#stopped = true;
    for (const r of this.#running) r.child.kill('SIGTERM');
  }

  /** Resolves once every run started has exited. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#running].map((r) => r.done));
  }
}

/** Resolves when every promise has; rejects with the first rejection, without waiting for the rest (the caller stops them). */
export function allOrNone(promises: Promise<void>[]): Promise<void> {
  return new Promise((resolve, reject) => {
    let left = promises.length;
    if (left === 0) resolve();
    for (const p of promises) p.then(() => --left === 0 && resolve(), reject);
  });
}

/** The archive's head fitted to the target's roles (when known) and then rewritten as the options ask; its bytes, and what fitting changed. */
export function fitHead(head: ArchiveHead, roles: TargetRoles | null, opts: Pick<RestoreOptions, 'noOwner' | 'rewriteHead'>): { head: ArchiveHead; bytes: Buffer; report: RoleReport | null } {
  let fitted = head;
  let report: RoleReport | null = null;
  if (roles) {
    const f = fitArchiveToRoles(head, roles, !opts.noOwner);
    report = f.report;
    fitted = f.head;
  }
  if (opts.rewriteHead) fitted = opts.rewriteHead(fitted);
  return { head: fitted, bytes: writeArchiveHead(fitted), report };
}
