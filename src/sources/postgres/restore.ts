// Streams a custom-format archive into pg_restore (the target server's major version) that
// restores it into an existing, empty database, stopping at the first error. Owners and grants
// are restored as the archive has them, fitted to the target's roles (role-mapping.ts: the TOC
// is rewritten on its way in); with `noOwner` every object stays owned by the restoring user.
// Create the database first (probe.ts createDatabase). Nothing is staged on disk: the caller
// writes the archive to `stdin` and ends it.
import type { Writable } from 'node:stream';
import { writeThrough } from '../../util/write-through.ts';
import { ArchiveHeadReader, writeArchiveHead, type ArchiveHead } from './archive-toc.ts';
import type { PgConnection } from './connection-string.ts';
import { RESTORE_FAILED } from './errors.ts';
import { dbnameConninfo, runTool } from './tool-process.ts';
import { fitArchiveToRoles, type RoleReport, type TargetRoles } from './role-mapping.ts';
import { targetRoles } from './probe.ts';
import { findTool } from './tools.ts';

export interface RestoreOptions {
  /** The target server's major version; the pg_restore of that version is used. */
  major: number;
  /** The database to restore into; it must exist. */
  targetDatabase: string;
  /** Aborting kills pg_restore with SIGTERM; `done` then rejects. */
  signal?: AbortSignal;
  /** The target's roles, to fit owners and grants to; looked up in the target database (probe.ts targetRoles) when not given. */
  roles?: TargetRoles;
  /** Leave every object owned by the restoring user (pg_restore --no-owner). */
  noOwner?: boolean;
  /** Settings of pg_restore's sessions (restore-settings.ts). */
  settings?: Record<string, string>;
  /** More pg_restore arguments: `--use-list=FILE`, `--single-transaction` (item restores; startRestore only). */
  extraArgs?: string[];
  /** A change of the archive's TOC on its way in, after the roles are fitted. */
  rewriteHead?: (head: ArchiveHead) => ArchiveHead;
}

export interface RestoreHandle {
  /**
   * The archive goes here; a write completes when pg_restore's pipe has taken it. A write error
   * (EPIPE) only means pg_restore stopped reading: `done` says why.
   */
  stdin: Writable;
  /** What was changed to fit the target's roles, once the archive's TOC has been read. */
  report(): RoleReport | null;
  /** Resolves when pg_restore exits with status 0; rejects with a DpError holding its last stderr lines. */
  done: Promise<void>;
  pid: number | undefined;
  kill(signal?: NodeJS.Signals): void;
}

export function pgRestoreArgs(targetDatabase: string, noOwner = false): string[] {
  return [...(noOwner ? ['--no-owner'] : []), '--exit-on-error', '--no-password', `--dbname=${dbnameConninfo(targetDatabase)}`];
}

/** `out` behind a writer that rewrites the archive's head (its TOC) with `rewrite` on the way. */
function rewritingHead(out: Writable, rewrite: (head: ArchiveHead) => ArchiveHead): Writable {
  let reader: ArchiveHeadReader | null = new ArchiveHeadReader();
  const rewritten = (got: { head: ArchiveHead; rest: Buffer }): Buffer => {
    reader = null;
    return Buffer.concat([writeArchiveHead(rewrite(got.head)), got.rest]);
  };
  return writeThrough(
    out,
    (chunk) => {
      if (!reader) return chunk;
      const got = reader.push(Buffer.from(chunk)); // a copy: the feed reuses its buffers
      return got ? rewritten(got) : null;
    },
    () => (reader ? rewritten(reader.end()) : null),
  );
}

export async function startRestore(conn: PgConnection, opts: RestoreOptions): Promise<RestoreHandle> {
  const file = await findTool('pg_restore', opts.major);
  const target: PgConnection = { ...conn, database: opts.targetDatabase };
  // Not found (no such database, say): the archive goes in as it is and pg_restore says what is wrong.
  const roles = opts.roles ?? (await targetRoles(target, opts.major).catch(() => null));
  const { child, done } = runTool({
    name: 'pg_restore', file, args: [...(opts.extraArgs ?? []), ...pgRestoreArgs(opts.targetDatabase, opts.noOwner)], conn: target, stream: 'stdin', failureCode: RESTORE_FAILED, signal: opts.signal, settings: opts.settings,
  });
  let report: RoleReport | null = null;
  const stdin = rewritingHead(child.stdin as Writable, (head) => {
    let out = head;
    if (roles) {
      const fitted = fitArchiveToRoles(head, roles, !opts.noOwner);
      report = fitted.report;
      out = fitted.head;
    }
    return opts.rewriteHead ? opts.rewriteHead(out) : out;
  });
  // A write error reaches the writer's callback and `done` says why; never an uncaught 'error'.
  stdin.on('error', () => {});
  return {
    stdin,
    report: () => report,
    done,
    pid: child.pid,
    kill: (signal = 'SIGTERM') => void child.kill(signal),
  };
}
