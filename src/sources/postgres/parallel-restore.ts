// A restore into an existing, empty database by several pg_restore sessions at once, from a
// stream (pg_restore -j itself needs a seekable file, and the archive is never staged whole).
// 1. The archive's head (header and TOC, fitted to the target's roles: role-mapping.ts) is read
//    off the stream and written to a private temporary file: a few KiB to MiB, no data.
// 2. pre-data (the schema) is restored by one `pg_restore --section=pre-data` from that file.
// 3. data: `workers` × `pg_restore --section=data -L <list>`, each fed the whole stream through
//    a FanOut (bytes read once, memory bounded by a window; the slowest sets the pace); each
//    skips the data blocks not in its list (restore-plan.ts deals the tables out).
// 4. post-data (indexes, constraints, triggers) by one `pg_restore -j <workers>
//    --section=post-data` from the head file: post-data entries have no data, so the head alone
//    is an archive pg_restore can run in parallel, ordering constraints after their indexes.
// The first failure of any run kills the others and rejects `done` with that run's words.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { errors } from '../../domain/errors.ts';
import { FanOut } from '../../util/fan-out.ts';
import { ArchiveHeadReader, type ArchiveHead } from './archive-toc.ts';
import type { PgConnection } from './connection-string.ts';
import { targetRoles } from './probe.ts';
import { dataWorkerLists, listFileText } from './restore-plan.ts';
import type { RestoreHandle, RestoreOptions } from './restore.ts';
import { allOrNone, fitHead, RestoreRuns } from './restore-runs.ts';
import type { RoleReport } from './role-mapping.ts';
import type { ToolRun } from './tool-process.ts';
import { findTool } from './tools.ts';

/** Bytes each data worker may lag behind the stream before the feed waits for it. */
export const DEFAULT_WINDOW_BYTES = 32 * 1024 * 1024;

export interface ParallelRestoreOptions extends RestoreOptions {
  /** pg_restore sessions for data and for post-data (at least 1); see restore-workers.ts. */
  workers: number;
  /** Bytes a data worker may lag behind (default DEFAULT_WINDOW_BYTES). */
  windowBytes?: number;
  /** Where the private directory for the TOC file and the lists is made (default the system's temporary directory). */
  tempDir?: string;
  /** Told as each phase ends (for logs and the benchmark). */
  onPhaseEnd?: (phase: 'pre-data' | 'data' | 'post-data') => void;
}

export interface ParallelRestoreHandle extends RestoreHandle {
  /** How the work was split, once the TOC has been read: one list of dump ids per data worker, and post-data's -j. */
  plan(): { dataWorkers: number[][]; postDataJobs: number } | null;
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => {
    resolve = a;
    reject = b;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

export async function startParallelRestore(conn: PgConnection, opts: ParallelRestoreOptions): Promise<ParallelRestoreHandle> {
  const file = await findTool('pg_restore', opts.major);
  const target: PgConnection = { ...conn, database: opts.targetDatabase };
  const roles = opts.roles ?? (await targetRoles(target, opts.major).catch(() => null));
  const workers = Math.max(1, Math.floor(opts.workers));
  const runs = new RestoreRuns(file, target, opts);
  let report: RoleReport | null = null;
  let plan: { dataWorkers: number[][]; postDataJobs: number } | null = null;

  const head = deferred<{ head: ArchiveHead; rest: Buffer }>();
  const fed = deferred<FanOut>();
  const reader = new ArchiveHeadReader();
  let headSeen = false;
  let fan: FanOut | null = null;
  const stdin = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (fan) return void fan.write(chunk).then(() => cb(), cb);
      let got: { head: ArchiveHead; rest: Buffer } | null;
      try {
        got = reader.push(Buffer.from(chunk)); // a copy: the feed reuses its buffers
      } catch (e) {
        head.reject(e);
        return cb(e as Error);
      }
      if (!got) return cb();
      headSeen = true;
      head.resolve(got);
      fed.promise.then((f) => {
        fan = f;
        cb();
      }, cb);
    },
    final(cb) {
      if (!headSeen) {
        try {
          headSeen = true;
          head.resolve(reader.end());
        } catch (e) {
          head.reject(e);
          return cb(e as Error);
        }
      }
      fed.promise.then((f) => {
        f.end();
        cb();
      }, cb);
    },
  });
  // A write error reaches the feed's callback and `done` says why; never an uncaught 'error'.
  stdin.on('error', () => {});

  const work = async (): Promise<void> => {
    let got: { head: ArchiveHead; rest: Buffer };
    try {
      got = await head.promise;
    } catch (e) {
      throw errors.restoreFailed(`The recovery point is not an archive pg_restore can read: ${(e as Error).message}`);
    }
    const fitted = fitHead(got.head, roles, opts);
    report = fitted.report;
    const headBytes = fitted.bytes;
    const lists = dataWorkerLists(fitted.head.entries, workers);
    plan = { dataWorkers: lists, postDataJobs: workers };
    const dir = await mkdtemp(join(opts.tempDir ?? tmpdir(), 'dpvault-restore-'));
    try {
      const headFile = await runs.schema(dir, headBytes);
      opts.onPhaseEnd?.('pre-data');

      const data: ToolRun[] = [];
      for (const [i, ids] of lists.entries()) {
        const listFile = join(dir, `data-${i + 1}.list`);
        await writeFile(listFile, listFileText(ids), { mode: 0o600 });
        data.push(runs.start(lists.length > 1 ? `pg_restore (data worker ${i + 1} of ${lists.length})` : 'pg_restore (data)', ['--section=data', `--use-list=${listFile}`]));
      }
      const f = new FanOut(data.map((r) => r.child.stdin as Writable), opts.windowBytes ?? DEFAULT_WINDOW_BYTES);
      await f.write(headBytes);
      await f.write(got.rest);
      fed.resolve(f);
      await allOrNone(data.map((r) => r.done));
      opts.onPhaseEnd?.('data');

      await runs.fromFile('pg_restore (post-data)', ['--section=post-data', ...(workers > 1 ? [`--jobs=${workers}`] : [])], headFile);
      opts.onPhaseEnd?.('post-data');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  // On the first failure: stop the feed and every other session, and settle only once they have
  // all exited, so the caller can drop the database they were connected to.
  const done = work().catch(async (e: unknown) => {
    runs.stopAll();
    fed.reject(e);
    stdin.destroy(e as Error);
    await runs.settled();
    throw e;
  });
  done.catch(() => {});

  const kill = (): void => {
    runs.stopAll();
    head.reject(new Error('the restore was stopped before the table of contents arrived'));
  };
  if (opts.signal?.aborted) kill();
  else opts.signal?.addEventListener('abort', kill, { once: true });
  void done.finally(() => opts.signal?.removeEventListener('abort', kill)).catch(() => {});
  return { stdin, report: () => report, plan: () => plan, done, pid: undefined, kill };
}
