// A restore into an existing, empty database by several pg_restore sessions at once, each reading
// only its own tables' bytes from a source that can read any byte range of the archive (a
// recovery point whose dump recorded its layout: domain/archive-layout.ts). pg_restore -j needs a
// seekable file; this gets the same parallelism without staging the archive:
// 1. The head (header and TOC) is read, fitted to the target's roles (role-mapping.ts) and
//    written to a private temporary file: a few KiB to MiB, no data.
// 2. pre-data (the schema) by one `pg_restore --section=pre-data` from that file.
// 3. data: the big tables' blocks and the rest are dealt to `workers` sessions by size
//    (restore-plan.ts rangedSessions), a big table's block cut in two at a row boundary the dump
//    recorded where that evens them out; each `pg_restore --section=data -L <list>` is fed the
//    head and then only its own byte ranges, read in parallel with the others' (each byte once),
//    with a block start or end added where its part of a table begins or ends mid-block.
// 4. post-data (indexes, constraints, triggers) by one `pg_restore -j <workers>
//    --section=post-data` from the head file.
// The first failure of any run or read stops the others and is what this rejects with.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { ArchiveLayout } from '../../domain/archive-layout.ts';
import { errors } from '../../domain/errors.ts';
import { ArchiveHeadReader, copyBlockEnd, dataBlockStart, type ArchiveHead } from './archive-toc.ts';
import type { PgConnection } from './connection-string.ts';
import { feedRestore } from './feed-restore.ts';
import { targetRoles } from './probe.ts';
import { listFileText, rangedSessions, type RangedSession } from './restore-plan.ts';
import type { RestoreOptions } from './restore.ts';
import { allOrNone, fitHead, RestoreRuns } from './restore-runs.ts';
import type { RoleReport } from './role-mapping.ts';
import { findTool } from './tools.ts';
import { feedInto } from '../../util/feed-into.ts';

/**
 * Writes bytes `[start, end)` of the archive, range after range, into `sink` (leaving it open);
 * `share` reads run at once, and may share one read's memory.
 */
export type ReadRanges = (sink: Writable, ranges: readonly (readonly [number, number])[], share: number) => Promise<void>;

export interface RangedRestoreOptions extends RestoreOptions {
  /** pg_restore sessions for data and for post-data (at least 2 to be worth it). */
  workers: number;
  layout: ArchiveLayout;
  read: ReadRanges;
  /** Where the private directory for the TOC file and the lists is made (default the system's temporary directory). */
  tempDir?: string;
  /** Told the sessions once dealt, and as each phase ends (for logs and the benchmark). */
  onPlan?: (sessions: RangedSession[]) => void;
  onPhaseEnd?: (phase: 'pre-data' | 'data' | 'post-data') => void;
}

/**
 * The first read of a restore covers at least this much of the archive, what a streamed restore
 * reads ahead before its first write (the repository's restore budget): damage near its start is
 * found and isolated with the same reach either way, before any session starts.
 */
const HEAD_READ_BYTES = 16 * 1024 * 1024;

/** A sink that keeps a copy of the first `keep` bytes written to it (the feed reuses its buffers). */
function collector(keep: number): { sink: Writable; bytes(): Buffer } {
  const parts: Buffer[] = [];
  let held = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (held < keep) parts.push(Buffer.from(chunk.subarray(0, keep - held)));
      held += chunk.length;
      cb();
    },
  });
  return { sink, bytes: () => Buffer.concat(parts) };
}

/** Reads and parses the archive's head: `[0, dataStart)`. */
async function readHead(read: ReadRanges, layout: ArchiveLayout, share: number): Promise<ArchiveHead> {
  const c = collector(layout.dataStart);
  await read(c.sink, [[0, Math.min(layout.end, Math.max(layout.dataStart, HEAD_READ_BYTES))]], share);
  try {
    const got = new ArchiveHeadReader().push(c.bytes()) ?? new ArchiveHeadReader().end();
    if (got.rest.length > 0) throw new Error('its table of contents does not end where the recorded layout says');
    return got.head;
  } catch (e) {
    throw errors.restoreFailed(`The recovery point is not an archive pg_restore can read: ${(e as Error).message}`);
  }
}

/** Loads the archive; resolves with what was changed to fit the target's roles, once every phase has ended. */
export async function runRangedRestore(conn: PgConnection, opts: RangedRestoreOptions): Promise<RoleReport | null> {
  const file = await findTool('pg_restore', opts.major);
  const target: PgConnection = { ...conn, database: opts.targetDatabase };
  const roles = opts.roles ?? (await targetRoles(target, opts.major).catch(() => null));
  const { head: fitted, bytes: headBytes, report } = fitHead(await readHead(opts.read, opts.layout, opts.workers), roles, opts);
  let sessions: RangedSession[];
  try {
    sessions = rangedSessions(fitted.entries, opts.layout, opts.workers);
  } catch (e) {
    throw errors.restoreFailed(`The recovery point's recorded layout does not match its archive: ${(e as Error).message}`);
  }
  opts.onPlan?.(sessions);
  const intSize = fitted.header.intSize;
  const workers = Math.max(1, Math.floor(opts.workers));
  const runs = new RestoreRuns(file, target, opts);
  const feeds: Promise<void>[] = [];
  const stop = (): void => runs.stopAll();
  if (opts.signal?.aborted) stop();
  opts.signal?.addEventListener('abort', stop, { once: true });
  const dir = await mkdtemp(join(opts.tempDir ?? tmpdir(), 'dpvault-restore-'));
  try {
    const headFile = await runs.schema(dir, headBytes);
    opts.onPhaseEnd?.('pre-data');

    for (const [i, s] of sessions.entries()) {
      const listFile = join(dir, `data-${i + 1}.list`);
      await writeFile(listFile, listFileText(s.ids), { mode: 0o600 });
      const run = runs.start(sessions.length > 1 ? `pg_restore (data session ${i + 1} of ${sessions.length})` : 'pg_restore (data)', ['--section=data', `--use-list=${listFile}`]);
      const stdin = run.child.stdin as Writable;
      const fed = feedRestore({ stdin, done: run.done, kill: () => run.child.kill('SIGTERM') }, async (sink) => {
        await feedInto([headBytes], sink);
        for (const step of s.steps) {
          if ('read' in step) await opts.read(sink, step.read, sessions.length);
          else await feedInto(['blockStart' in step ? dataBlockStart(step.blockStart, intSize) : copyBlockEnd(intSize)], sink);
        }
      });
      fed.catch(() => undefined); // awaited below
      feeds.push(fed);
    }
    await allOrNone(feeds);
    opts.onPhaseEnd?.('data');

    await runs.fromFile('pg_restore (post-data)', ['--section=post-data', ...(workers > 1 ? [`--jobs=${workers}`] : [])], headFile);
    opts.onPhaseEnd?.('post-data');
    return report;
  } catch (e) {
    // Every session stops, and every read with it, before the caller drops the database.
    runs.stopAll();
    await Promise.allSettled(feeds);
    await runs.settled();
    throw e;
  } finally {
    opts.signal?.removeEventListener('abort', stop);
    await rm(dir, { recursive: true, force: true });
  }
}
