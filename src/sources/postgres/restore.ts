// Streams a custom-format archive into pg_restore (the target server's major version) that
// restores it into an existing, empty database: no owners, no ACLs, stop at the first error.
// Create the database first (probe.ts createDatabase). Nothing is staged on disk: the caller
// writes the archive to `stdin` and ends it.
import type { Writable } from 'node:stream';
import type { PgConnection } from './connection-string.ts';
import { RESTORE_FAILED } from './errors.ts';
import { dbnameConninfo, runTool } from './tool-process.ts';
import { findTool } from './tools.ts';

export interface RestoreOptions {
  /** The target server's major version; the pg_restore of that version is used. */
  major: number;
  /** The database to restore into; it must exist. */
  targetDatabase: string;
  /** Aborting kills pg_restore with SIGTERM; `done` then rejects. */
  signal?: AbortSignal;
}

export interface RestoreHandle {
  /**
   * The archive goes here. A write error (EPIPE) only means pg_restore stopped reading:
   * `done` says why.
   */
  stdin: Writable;
  /** Resolves when pg_restore exits with status 0; rejects with a DpError holding its last stderr lines. */
  done: Promise<void>;
  pid: number | undefined;
  kill(signal?: NodeJS.Signals): void;
}

export function pgRestoreArgs(targetDatabase: string): string[] {
  return ['--no-owner', '--no-acl', '--exit-on-error', '--no-password', `--dbname=${dbnameConninfo(targetDatabase)}`];
}

export async function startRestore(conn: PgConnection, opts: RestoreOptions): Promise<RestoreHandle> {
  const file = await findTool('pg_restore', opts.major);
  const target: PgConnection = { ...conn, database: opts.targetDatabase };
  const { child, done } = runTool({
    name: 'pg_restore', file, args: pgRestoreArgs(opts.targetDatabase), conn: target, stream: 'stdin', failureCode: RESTORE_FAILED, signal: opts.signal,
  });
  return {
    stdin: child.stdin as Writable,
    done,
    pid: child.pid,
    kill: (signal = 'SIGTERM') => void child.kill(signal),
  };
}
