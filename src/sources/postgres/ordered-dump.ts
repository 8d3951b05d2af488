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
import { ArchiveHeadReader, copyBlockEnd, dataBlockStart, writeArchiveHead, type ArchiveHead } from './archive-toc.ts';
import type { PgConnection } from './connection-string.ts';
import { rawCopy, type RawCopy } from './copy-out.ts';
import { CopyServerError } from './copy-protocol.ts';
import { DUMP_STDOUT_BUFFER, pgDumpArgs, startDump, type DumpHandle, type DumpOptions } from './dump.ts';
import type { ArchiveLayout } from '../../domain/archive-layout.ts';
import { DUMP_FAILED, fromPgError, scrub } from './errors.ts';
import { arrangeHead, copySessionSql, copyStatements, exactTablePattern, qualified, type KeyOrderedTable } from './key-order.ts';
import { connect } from './probe.ts';
import { blameFor, initialDumpState, isSettled, nextDumpState, type DumpEvent, type DumpState } from './ordered-dump-state.ts';
import { runTool, type ToolRun } from './tool-process.ts';
import { findTool } from './tools.ts';
import { DpError, errors, INTERNAL_ERROR } from '../../domain/errors.ts';
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
  /** How far apart the layout's cut points in a copied table's block are, at least (default 4 MiB). */
  cutEvery?: number;
}

/**
 * A cut point every 4 MiB: a session's share of a split table within 4 MiB of the ideal (0.7% of
 * a 600 MB point), 250 numbers a GiB of table in the point's layout.
 */
export const DEFAULT_CUT_EVERY = 4 * 1024 * 1024;

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
    if (mapped.code !== INTERNAL_ERROR) return mapped;
  }
  const said = scrub(e instanceof Error ? e.message : String(e), [conn.password]);
  return errors.dumpFailed(`Copying the tables in key order failed: ${said}`);
}

export async function startOrderedDump(conn: PgConnection, opts: OrderedDumpOptions): Promise<DumpHandle> {
  if (opts.major < MIN_MAJOR || opts.major > MAX_MAJOR) return startDump(conn, opts);
  // Looked up (the first time, by running it) while the snapshot is exported.
  const tool = findTool('pg_dump', opts.major);
  tool.catch(() => undefined); // awaited below, unless the snapshot fails first
  const exporter = await connect(conn);
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
    await exporter.end().catch(() => {});
    throw e;
  }
  const args = [
    ...pgDumpArgs(conn, { ...opts, serializableDeferrable: false }),
    `--snapshot=${snapshot.id}`,
    ...snapshot.tables.map((t) => `--exclude-table-data=${exactTablePattern(t)}`),
  ];
  const dump = runTool({ name: 'pg_dump', file: dumpFile, args, conn, stream: 'stdout', failureCode: DUMP_FAILED, signal: opts.signal, stdoutBuffer: DUMP_STDOUT_BUFFER });
  return new OrderedDump(conn, exporter, snapshot, dump, opts.signal, opts.cutEvery ?? DEFAULT_CUT_EVERY).handle();
}

const cancelled = (): DpError => errors.dumpFailed('The dump was cancelled before it finished.');

/**
 * One running key-ordered dump: pg_dump in the snapshot, the copying session, the snapshot's
 * session, and the state (ordered-dump-state.ts) that says which of them a failure is blamed on.
 */
class OrderedDump {
  #state: DumpState = initialDumpState;
  /** The copying session, opened while pg_dump reads the catalog; ready for its COPY. */
  #copier: Promise<pg.Client> | null = null;
  #copy: RawCopy | null = null;
  /** Set once the archive ended (or was given up): its sessions are being closed. */
  #closed: Promise<void> | null = null;
  #settle!: { resolve: () => void; reject: (e: unknown) => void };
  readonly #done: Promise<void>;
  readonly #conn: PgConnection;
  readonly #exporter: pg.Client;
  readonly #snapshot: Snapshot;
  readonly #dump: ToolRun;
  /** Bytes of the archive yielded so far, and where its parts began (ArchiveLayout). */
  #pos = 0;
  #dataStart = -1;
  readonly #blockStarts: { dumpId: number; start: number; cuts: number[] }[] = [];
  #restStart = -1;
  #layout: ArchiveLayout | null = null;
  readonly #cutEvery: number;

  constructor(conn: PgConnection, exporter: pg.Client, snapshot: Snapshot, dump: ToolRun, signal: AbortSignal | undefined, cutEvery: number) {
    this.#cutEvery = cutEvery;
    this.#conn = conn;
    this.#exporter = exporter;
    this.#snapshot = snapshot;
    this.#dump = dump;
    this.#done = new Promise<void>((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
    this.#done.catch(() => {});
    // pg_dump stops on the signal by itself (runTool); the copy must stop with it.
    signal?.addEventListener('abort', () => this.kill(), { once: true });
  }

  handle(): DumpHandle {
    const stdout: Readable & Recyclable = Readable.from(this.#guarded(), { objectMode: true, highWaterMark: 8 });
    // The copy's pieces are yielded as they are; its reads' buffers go round when given back.
    stdout[RECYCLE] = (chunk) => this.#copy?.recycle(chunk);
    // A reader that gives up before the first read never runs the generator's finally.
    stdout.once('close', () => void this.#finish());
    return { stdout, done: this.#done, pid: this.#dump.child.pid, kill: (signal) => this.kill(signal), layout: () => this.#layout };
  }

  #on(event: DumpEvent): void {
    this.#state = nextDumpState(this.#state, event);
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    this.#on({ type: 'stop' });
    this.#dump.child.kill(signal);
    this.#copy?.close();
    if (!this.#copy) this.#endCopier();
  }

  #succeed(): void {
    this.#on({ type: 'archiveEnded' });
    this.#settle.resolve();
  }

  #fail(e: unknown): void {
    this.#on({ type: 'fail' });
    this.#settle.reject(e);
  }

  /** Connects the copying session and puts it in the snapshot; rejects (ended) if stopped meanwhile. */
  async #openCopier(): Promise<pg.Client> {
    const client = await connect(this.#conn, { slabReads: true });
    try {
      if (this.#state.stopped) throw cancelled();
      await client.query(copySessionSql(this.#snapshot.id, this.#snapshot.encoding));
      if (this.#state.stopped) throw cancelled();
      return client;
    } catch (e) {
      await client.end().catch(() => {});
      throw e;
    }
  }

  /** Ends the copying session if it was opened and no copy took it over. */
  #endCopier(): void {
    void this.#copier?.then((c) => c.end()).catch(() => {});
  }

  /** pg_dump's header and TOC, read off its stdout, and what came after them in the same read. */
  async #readHead(source: AsyncIterator<Buffer>): Promise<{ head: ArchiveHead; rest: Buffer }> {
    const reader = new ArchiveHeadReader();
    for (;;) {
      const r = await source.next();
      if (r.done) {
        await this.#dump.done;
        return reader.end();
      }
      const got = reader.push(r.value);
      if (got) return got;
    }
  }

  /**
   * The picked tables' data blocks, in key order, off the copying session; each block's start
   * and the row starts the copy marked in it (where the block can be cut) go to the layout.
   */
  async *#copyBlocks(blocks: readonly { dumpId: number; table: KeyOrderedTable }[], intSize: number): AsyncGenerator<Buffer> {
    const client = await (this.#copier ??= this.#openCopier());
    if (this.#state.stopped) throw cancelled();
    this.#copy = rawCopy(client, copyStatements(blocks.map((b) => b.table)), intSize, this.#cutEvery);
    let done = 0;
    /** Block `i`'s start, its place noted (the bytes before it are counted: #guarded). */
    const begin = (i: number): Buffer => {
      this.#blockStarts.push({ dumpId: blocks[i]!.dumpId, start: this.#pos, cuts: [] });
      return dataBlockStart(blocks[i]!.dumpId, intSize);
    };
    yield begin(0);
    for await (const ev of this.#copy.events) {
      if (ev.kind === 'data') {
        if (done >= blocks.length) throw errors.dumpFailed('The copy wrote more than the tables asked for.');
        yield ev.bytes;
        continue;
      }
      const block = this.#blockStarts.at(-1)!;
      const rows = block.start + dataBlockStart(block.dumpId, intSize).length;
      block.cuts = ev.rowStarts.map((offset) => rows + offset);
      yield copyBlockEnd(intSize);
      done++;
      if (done < blocks.length) yield begin(done);
    }
    if (done !== blocks.length) throw errors.dumpFailed(`The copy ended after ${done} of ${blocks.length} tables.`);
  }

  async *#archive(): AsyncGenerator<Buffer> {
    // A second session, opened while pg_dump reads the catalog rather than after (tens of ms).
    if (this.#snapshot.tables.length > 0) {
      this.#copier = this.#openCopier();
      this.#copier.catch(() => undefined); // awaited below, once the archive's head is read
    }
    const source = this.#dump.stdout![Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const got = await this.#readHead(source);
    const { head, blocks } = arrangeHead(got.head, this.#snapshot.tables);
    const intSize = head.header.intSize;
    yield writeArchiveHead(head);
    this.#dataStart = this.#pos;
    this.#on({ type: 'headRead', blocksToCopy: blocks.length });
    if (blocks.length > 0) {
      yield* this.#copyBlocks(blocks, intSize);
      this.#on({ type: 'copyEnded' });
    } else {
      this.#endCopier();
    }
    this.#restStart = this.#pos;
    if (got.rest.length > 0) yield got.rest;
    for (;;) {
      const r = await source.next();
      if (r.done) break;
      yield r.value;
    }
    await this.#dump.done;
  }

  async *#guarded(): AsyncGenerator<Buffer> {
    try {
      for await (const piece of this.#archive()) {
        // Counted before it is yielded: the generator resumes only once the reader asks for more.
        this.#pos += piece.length;
        yield piece;
      }
      this.#layout = this.#layoutOf();
      this.#succeed();
    } catch (e) {
      const before = this.#state;
      this.kill();
      const said = await Promise.allSettled([this.#dump.done]);
      const failed = said.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      const blame = blameFor(before, failed !== undefined);
      const err = blame === 'dump' ? failed!.reason : blame === 'cancelled' ? cancelled() : copyFailure(e, this.#conn);
      this.#fail(err);
      throw err;
    } finally {
      await this.#finish();
    }
  }

  #layoutOf(): ArchiveLayout {
    const starts = this.#blockStarts;
    const blocks = starts.map((b, i) => ({
      dumpId: b.dumpId,
      start: b.start,
      end: i + 1 < starts.length ? starts[i + 1]!.start : this.#restStart,
      ...(b.cuts.length > 0 ? { cuts: b.cuts } : {}),
    }));
    return { dataStart: this.#dataStart, blocks, restStart: this.#restStart, end: this.#pos };
  }

  /** Ends the snapshot's session once; when the archive did not finish, stops the tools first. */
  #finish(): Promise<void> {
    return (this.#closed ??= (async () => {
      if (!isSettled(this.#state)) {
        this.kill();
        this.#fail(cancelled());
      }
      await this.#exporter.query('COMMIT').catch(() => {});
      await this.#exporter.end().catch(() => {});
    })());
  }
}
