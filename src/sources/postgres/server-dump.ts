// Streams a whole server into one server archive (server-archive.ts): the roles
// (`pg_dumpall --roles-only --no-role-passwords`: no password hashes ever leave the server), the
// tablespaces (`pg_dumpall --tablespaces-only`), then every database that accepts connections,
// `postgres` included and the templates not, each as the key-ordered custom dump a database
// backup takes (ordered-dump.ts), one after another.
//
// Consistency: each database is dumped from one snapshot of its own (serializable, deferrable),
// taken when its dump starts. PostgreSQL cannot share a snapshot across databases (an exported
// snapshot is imported in the same database only), so a whole-server point is consistent per
// database, not across databases: a change committed in database B while A was being dumped is
// in B's dump if B's dump starts later. The globals are read first, before any database.
import { Readable } from 'node:stream';
import type { PgConnection } from './connection-string.ts';
import type { DumpHandle } from './dump.ts';
import { DUMP_FAILED } from './errors.ts';
import { startOrderedDump, type OrderedDumpOptions } from './ordered-dump.ts';
import { withClient } from './probe.ts';
import { SERVER_ARCHIVE_MAGIC, archiveEntry, type ServerEntryHeader } from './server-archive.ts';
import { dbnameConninfo, runTool, type ToolRun } from './tool-process.ts';
import { findTool } from './tools.ts';
import { RECYCLE, recyclerOf, type Recyclable } from '../../util/recycle.ts';

/** The databases a whole-server backup takes: every one that accepts connections and is not a template, by name. */
export function listServerDatabases(conn: PgConnection): Promise<{ names: string[]; sizeBytes: number }> {
  return withClient(conn, async (client) => {
    const r = await client.query<{ name: string; size: string }>(
      'SELECT datname AS name, pg_database_size(oid)::text AS size FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname',
    );
    return { names: r.rows.map((row) => row.name), sizeBytes: r.rows.reduce((n, row) => n + Number(row.size), 0) };
  });
}

/** pg_dumpall's arguments for one kind of globals; the connection travels by environment. */
export function pgDumpallArgs(kind: 'roles' | 'tablespaces', database: string): string[] {
  return [kind === 'roles' ? '--roles-only' : '--tablespaces-only', ...(kind === 'roles' ? ['--no-role-passwords'] : []), '--no-password', `--database=${dbnameConninfo(database)}`];
}

export interface ServerDumpOptions extends Omit<OrderedDumpOptions, 'signal'> {
  databases: string[];
}

/**
 * The server archive of the server `conn` reaches (its `database` is where pg_dumpall connects).
 * `done` settles when the last dump has ended; `kill` stops the tool running now and the rest.
 */
export function startServerDump(conn: PgConnection, opts: ServerDumpOptions): DumpHandle {
  let current: { kill(): void } | null = null;
  let killed = false;
  let settled = false;
  let settleWith!: { resolve: () => void; reject: (e: unknown) => void };
  const done = new Promise<void>((resolve, reject) => (settleWith = { resolve, reject }));
  const settle = {
    resolve: () => void (settled || ((settled = true), settleWith.resolve())),
    reject: (e: unknown) => void (settled || ((settled = true), settleWith.reject(e))),
  };
  done.catch(() => {});

  // The database dump's socket buffers go back to it as the archive's reader gives them back
  // (util/recycle.ts): otherwise each dump makes a new buffer for every read of its big tables,
  // and holds them all until it ends (hundreds of MB per scale-10 database).
  let recycleCurrent: ((chunk: Uint8Array) => void) | null = null;
  async function* tool(header: ServerEntryHeader, run: ToolRun | DumpHandle): AsyncGenerator<Buffer> {
    current = 'child' in run ? { kill: () => run.child.kill('SIGTERM') } : run;
    recycleCurrent = run.stdout ? recyclerOf(run.stdout) : null;
    if (killed) current.kill();
    yield* archiveEntry(header, run.stdout as AsyncIterable<Buffer>, recycleCurrent ?? undefined);
    await run.done;
  }

  async function* globals(kind: 'roles' | 'tablespaces'): AsyncGenerator<Buffer> {
    const file = await findTool('pg_dumpall', opts.major);
    const run = runTool({ name: 'pg_dumpall', file, args: pgDumpallArgs(kind, conn.database), conn, stream: 'stdout', failureCode: DUMP_FAILED });
    yield* tool({ name: kind, kind }, run);
  }

  async function* archive(): AsyncGenerator<Buffer> {
    try {
      yield SERVER_ARCHIVE_MAGIC;
      yield* globals('roles');
      yield* globals('tablespaces');
      for (const name of opts.databases) {
        const dump = await startOrderedDump({ ...conn, database: name }, opts);
        dump.stdout.on('error', () => {});
        yield* tool({ name, kind: 'database' }, dump);
      }
      settle.resolve();
    } catch (e) {
      settle.reject(e);
      throw e;
    } finally {
      current?.kill();
      // A reader that gave up (destroyed the stream) ends the generator here.
      settle.reject(new Error('The whole-server dump was stopped before its end.'));
    }
  }

  // One chunk per read (object mode), never joined: a joined copy could not be given back.
  const stdout: Readable & Recyclable = Readable.from(archive(), { objectMode: true, highWaterMark: 8 });
  stdout[RECYCLE] = (chunk) => recycleCurrent?.(chunk);
  return {
    stdout,
    done,
    pid: undefined,
    kill() {
      killed = true;
      current?.kill();
      stdout.destroy();
      settle.reject(new Error('The whole-server dump was stopped.'));
    },
  };
}
