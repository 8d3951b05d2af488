// A pg_dump custom-format archive whose big tables' rows come in primary-key order, streamed
// with nothing staged on disk. One session exports a snapshot (serializable, deferrable, like
// Azure's dump; repeatable read on a standby) and holds ACCESS SHARE locks on the tables it
// picked; pg_dump runs in that snapshot with --exclude-table-data for those tables; a second
// session copies them, in the same snapshot, with ORDER BY their key, its rows read straight off
// the socket (copy-out.ts). The archive written is pg_dump's header
// and TOC with a TABLE DATA entry added per picked table (key-order.ts), then those tables' data
// blocks, then pg_dump's own data blocks: one consistent, pg_restore-ready archive.
import { Readable } from 'node:stream';
import type pg from 'pg';
import { ArchiveHeadReader, copyBlockEnd, dataBlockStart, writeArchiveHead } from './archive-toc.ts';
import type { PgConnection } from './connection-string.ts';
import { rawCopy, type RawCopy } from './copy-out.ts';
import { CopyServerError } from './copy-protocol.ts';
import { DUMP_STDOUT_BUFFER, pgDumpArgs, startDump, type DumpHandle, type DumpOptions } from './dump.ts';
import { DUMP_FAILED, fromPgError, scrub } from './errors.ts';
import { arrangeHead, copySessionSql, copyStatements, exactTablePattern, qualified, type KeyOrderedTable } from './key-order.ts';
import { connect } from './probe.ts';
import { runTool } from './tool-process.ts';
import { findTool } from './tools.ts';
import { DpError } from '../../domain/errors.ts';
import { RECYCLE, type Recyclable } from '../../util/recycle.ts';

/** Tables smaller than this stay in pg_dump's heap order: too small to matter, one query less. */
export const DEFAULT_MIN_TABLE_BYTES = 8 * 1024 * 1024;
/**
 * The servers whose catalog and archive format this knows: attgenerated from 12 (archive 1.14),
 * archive 1.16 in 17. Others are dumped by pg_dump alone, in heap order, rather than risk an
 * archive this code cannot read.
 */
const MIN_MAJOR = 12;
const MAX_MAJOR = 17;

export interface OrderedDumpOptions extends DumpOptions {
  /** Tables of at least this many bytes (pg_table_size: heap and TOAST) with a primary key are copied in key order. */
  minTableBytes?: number;
}

// Plain and partition tables (relkind r), permanent, or unlogged when not on a standby (a standby
// holds no unlogged data and refuses to read it: there they are left to pg_dump), outside system schemas, not
// belonging to an extension, with a primary key; columns as pg_dump copies them. Sizes are read
// once the tables are locked: pg_table_size would otherwise wait on a table's lock unguarded.
const TABLES_SQL = `
SELECT c.oid::text AS oid, n.nspname AS schema, c.relname AS name,
  (SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_attribute a
    WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '') AS columns,
  (SELECT array_agg(a.attname::text ORDER BY k.ord)
    FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
    WHERE i.indrelid = c.oid AND i.indisprimary) AS key
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND (c.relpersistence = 'p' OR (c.relpersistence = 'u' AND NOT pg_is_in_recovery()))
  AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
  AND EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')
ORDER BY n.nspname, c.relname`;

interface Snapshot {
  id: string;
  encoding: string;
  tables: KeyOrderedTable[];
}

/** Opens the snapshot the whole dump reads, and picks and locks the tables to copy in key order. */
async function exportSnapshot(client: pg.Client, minBytes: number, serializable: boolean): Promise<Snapshot> {
  // The session waits, idle in its transaction, until the copy imports its snapshot.
  await client.query('SET statement_timeout = 0; SET idle_in_transaction_session_timeout = 0');
  const standby = (await client.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0]?.r === true;
  await client.query(serializable && !standby ? 'BEGIN ISOLATION LEVEL SERIALIZABLE, READ ONLY, DEFERRABLE' : 'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
  const keyed = (await client.query<KeyOrderedTable & { oid: string }>(TABLES_SQL)).rows.filter((t) => t.columns?.length && t.key?.length);
  if (keyed.length > 0) await client.query(`LOCK TABLE ONLY ${keyed.map(qualified).join(', ')} IN ACCESS SHARE MODE`);
  const sizes = await client.query<{ oid: string }>('SELECT oid::text AS oid FROM unnest($1::oid[]) AS oid WHERE pg_table_size(oid) >= $2', [keyed.map((t) => t.oid), minBytes]);
  const big = new Set(sizes.rows.map((r) => r.oid));
  const tables = keyed.filter((t) => big.has(t.oid)).map(({ schema, name, columns, key }) => ({ schema, name, columns, key }));
  const enc = await client.query<{ e: string }>('SELECT pg_encoding_to_char(encoding) AS e FROM pg_database WHERE datname = current_database()');
  const snap = await client.query<{ id: string }>('SELECT pg_export_snapshot() AS id');
  return { id: snap.rows[0]!.id, encoding: enc.rows[0]!.e, tables };
}

/** What a failed key-ordered copy says: the server's words, or what happened to the connection. */
function copyFailure(e: unknown, conn: PgConnection): DpError {
  if (e instanceof DpError) return e;
  if (e instanceof CopyServerError || (e as { code?: unknown })?.code !== undefined) {
    const mapped = fromPgError(e, conn);
    if (mapped.code !== 'InternalError') return mapped;
  }
  const said = scrub(e instanceof Error ? e.message : String(e), [conn.password]);
  return new DpError('internal', DUMP_FAILED, `Copying the tables in key order failed: ${said}`);
}

export async function startOrderedDump(conn: PgConnection, opts: OrderedDumpOptions): Promise<DumpHandle> {
  if (opts.major < MIN_MAJOR || opts.major > MAX_MAJOR) return startDump(conn, opts);
  // Looked up (the first time, by running it) while the snapshot is exported.
  const tool = findTool('pg_dump', opts.major);
  tool.catch(() => undefined); // awaited below, unless the snapshot fails first
  const exporter = await connect(conn);
  const endExporter = (): Promise<void> => exporter.end().catch(() => {});
  let snapshot: Snapshot;
  let dumpFile: string;
  try {
    snapshot = await exportSnapshot(exporter, opts.minTableBytes ?? DEFAULT_MIN_TABLE_BYTES, opts.serializableDeferrable !== false).catch((e: unknown) => {
      throw fromPgError(e, conn);
    });
    // With no table to copy, pg_dump still runs in this snapshot: a second serializable,
    // deferrable start of its own would wait for a safe snapshot a second time.
    dumpFile = await tool;
  } catch (e) {
    await endExporter();
    throw e;
  }
  const args = [
    ...pgDumpArgs(conn, { ...opts, serializableDeferrable: false }),
    `--snapshot=${snapshot.id}`,
    ...snapshot.tables.map((t) => `--exclude-table-data=${exactTablePattern(t)}`),
  ];
  const dump = runTool({ name: 'pg_dump', file: dumpFile, args, conn, stream: 'stdout', failureCode: DUMP_FAILED, signal: opts.signal, stdoutBuffer: DUMP_STDOUT_BUFFER });
  /** The copying session, opened while pg_dump reads the catalog; ready for its COPY. */
  let copier: Promise<pg.Client> | null = null;
  let copy: RawCopy | null = null;
  let stopped = false;
  /** Set while the copy runs: pg_dump then sits blocked on its pipe, and a failure is the copy's. */
  let copying = false;
  const killAll = (signal: NodeJS.Signals = 'SIGTERM'): void => {
    stopped = true;
    dump.child.kill(signal);
    copy?.close();
    if (!copy) endCopier();
  };
  // pg_dump stops on the signal by itself (runTool); the copy must stop with it.
  opts.signal?.addEventListener('abort', () => killAll(), { once: true });

  const cancelled = (): DpError => new DpError('internal', DUMP_FAILED, 'The dump was cancelled before it finished.');
  /** Connects the copying session and puts it in the snapshot; rejects (ended) if stopped meanwhile. */
  const openCopier = async (): Promise<pg.Client> => {
    const client = await connect(conn, { slabReads: true });
    try {
      if (stopped) throw cancelled();
      await client.query(copySessionSql(snapshot.id, snapshot.encoding));
      if (stopped) throw cancelled();
      return client;
    } catch (e) {
      await client.end().catch(() => {});
      throw e;
    }
  };
  /** Ends the copying session if it was opened and no copy took it over. */
  const endCopier = (): void => {
    void copier?.then((c) => c.end()).catch(() => {});
  };

  async function* archive(): AsyncGenerator<Buffer> {
    // A second session, opened while pg_dump reads the catalog rather than after (tens of ms).
    if (snapshot.tables.length > 0) {
      copier = openCopier();
      copier.catch(() => undefined); // awaited below, once the archive's head is read
    }
    const source = dump.stdout![Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const reader = new ArchiveHeadReader();
    let got: ReturnType<ArchiveHeadReader['end']> | null = null;
    while (!got) {
      const r = await source.next();
      if (r.done) {
        await dump.done;
        got = reader.end();
      } else {
        got = reader.push(r.value);
      }
    }
    const { head, blocks } = arrangeHead(got.head, snapshot.tables);
    const intSize = head.header.intSize;
    yield writeArchiveHead(head);
    if (blocks.length > 0) {
      copying = true;
      const client = await (copier ??= openCopier());
      if (stopped) throw cancelled();
      copy = rawCopy(client, copyStatements(blocks.map((b) => b.table)), intSize);
      let done = 0;
      yield dataBlockStart(blocks[0]!.dumpId, intSize);
      for await (const ev of copy.events) {
        if (ev.kind === 'data') {
          if (done >= blocks.length) throw new DpError('internal', DUMP_FAILED, 'The copy wrote more than the tables asked for.');
          yield ev.bytes;
          continue;
        }
        yield copyBlockEnd(intSize);
        done++;
        if (done < blocks.length) yield dataBlockStart(blocks[done]!.dumpId, intSize);
      }
      if (done !== blocks.length) throw new DpError('internal', DUMP_FAILED, `The copy ended after ${done} of ${blocks.length} tables.`);
      copying = false;
    } else {
      endCopier();
    }
    if (got.rest.length > 0) yield got.rest;
    for (;;) {
      const r = await source.next();
      if (r.done) break;
      yield r.value;
    }
    await dump.done;
  }

  let settled = false;
  let settle!: { resolve: () => void; reject: (e: unknown) => void };
  const done = new Promise<void>((resolve, reject) => {
    settle = {
      resolve: () => ((settled = true), resolve()),
      reject: (e) => ((settled = true), reject(e)),
    };
  });
  done.catch(() => {});
  let closed: Promise<void> | null = null;
  /** Ends the snapshot's session once; when the archive did not finish, stops the tools first. */
  const finish = (): Promise<void> =>
    (closed ??= (async () => {
      if (!settled) {
        killAll();
        settle.reject(cancelled());
      }
      await exporter.query('COMMIT').catch(() => {});
      await endExporter();
    })());

  async function* guarded(): AsyncGenerator<Buffer> {
    try {
      yield* archive();
      settle.resolve();
    } catch (e) {
      const wasStopped = stopped;
      const copyFailed = copying && !wasStopped;
      killAll();
      // A tool that failed says why better than a broken pipe does; but while the copy ran,
      // pg_dump only waited on its pipe, and the signal that stopped it says nothing. Stopped
      // on purpose (the abort signal), the dump was cancelled, whatever broke after that.
      const said = await Promise.allSettled([dump.done]);
      const failed = said.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      const err = wasStopped ? (failed?.reason ?? cancelled()) : failed && !copyFailed ? failed.reason : copyFailure(e, conn);
      settle.reject(err);
      throw err;
    } finally {
      await finish();
    }
  }

  const stdout: Readable & Recyclable = Readable.from(guarded(), { objectMode: true, highWaterMark: 8 });
  // The copy's pieces are yielded as they are; its reads' buffers go round when given back.
  stdout[RECYCLE] = (chunk) => copy?.recycle(chunk);
  // A reader that gives up before the first read never runs the generator's finally.
  stdout.once('close', () => void finish());
  return { stdout, done, pid: dump.child.pid, kill: killAll };
}
