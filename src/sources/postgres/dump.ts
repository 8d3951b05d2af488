// Streams a pg_dump of one database out of a child process, with the pg_dump of the server's
// major version and Azure's arguments (but with owners and grants, which a restore gives back
// where the target has the roles: role-mapping.ts): custom format, no tablespaces, all
// identifiers quoted, and a serializable deferrable snapshot (a consistent dump that never
// fails on a serialization conflict; on an idle or primary server it starts at once).
// Nothing is staged on disk: the caller reads `stdout`.
import type { Readable } from 'node:stream';
import type { ArchiveLayout } from '../../domain/archive-layout.ts';
import { badArgument } from '../../domain/errors.ts';
import type { PgConnection } from './connection-string.ts';
import { DUMP_FAILED } from './errors.ts';
import { dbnameConninfo, runTool } from './tool-process.ts';
import { findTool } from './tools.ts';

export interface DumpOptions {
  /** The server's major version; the pg_dump of that version is used. */
  major: number;
  /** Compression level 0 (none) to 9; custom format compresses with gzip. Default 0: the repository compresses. */
  compress?: number;
  format?: 'custom';
  /** Default true. Turn off for a hot standby with PostgreSQL older than 10, which refuses it. */
  serializableDeferrable?: boolean;
  /** Aborting kills pg_dump with SIGTERM; `done` then rejects. */
  signal?: AbortSignal;
  /**
   * Only these tables (with their indexes, constraints, owned sequences and grants), each an
   * always-quoted `"schema"."table"` (literal, not a pattern); each must exist (--strict-names).
   */
  tables?: string[];
}

export interface DumpHandle {
  /** The archive bytes. Read it to the end (or destroy it to give up). */
  stdout: Readable;
  /** Once the archive has been read to its end: where its data lies; absent or null when not known. */
  layout?: () => ArchiveLayout | null;
  /** Resolves when pg_dump exits with status 0; rejects with a DpError holding its last stderr lines. */
  done: Promise<void>;
  pid: number | undefined;
  kill(signal?: NodeJS.Signals): void;
}

/** pg_dump's arguments; the connection travels by environment, so no secret is among them. */
export function pgDumpArgs(conn: PgConnection, opts: DumpOptions): string[] {
  const level = opts.compress ?? 0;
  if (!Number.isInteger(level) || level < 0 || level > 9) throw badArgument('The dump compression level must be a whole number from 0 to 9.');
  if ((opts.format ?? 'custom') !== 'custom') throw badArgument('Only the custom dump format is supported.');
  return [
    '--no-tablespaces',
    ...(opts.serializableDeferrable === false ? [] : ['--serializable-deferrable']),
    '--quote-all-identifiers',
    '--format=custom',
    `--compress=${level}`,
    ...(opts.tables?.length ? ['--strict-names', ...opts.tables.map((t) => `--table=${t}`)] : []),
    '--no-password',
    `--dbname=${dbnameConninfo(conn.database)}`,
  ];
}

/** pg_dump's stdout buffer: 64 KiB writes, one pipe read each (tool-process.ts). */
export const DUMP_STDOUT_BUFFER = 64 * 1024;

export async function startDump(conn: PgConnection, opts: DumpOptions): Promise<DumpHandle> {
  const args = pgDumpArgs(conn, opts);
  const file = await findTool('pg_dump', opts.major);
  const { child, stdout, done } = runTool({ name: 'pg_dump', file, args, conn, stream: 'stdout', failureCode: DUMP_FAILED, signal: opts.signal, stdoutBuffer: DUMP_STDOUT_BUFFER });
  return {
    stdout: stdout!,
    done,
    pid: child.pid,
    kill: (signal = 'SIGTERM') => void child.kill(signal),
  };
}
