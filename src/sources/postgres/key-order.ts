// The plan of a key-ordered dump, as pure functions: which tables dpvault copies itself in
// primary-key order, the SQL that copies them, and the archive TOC with a TABLE DATA entry for
// each of them in place of the one pg_dump would have written (pg_dump ran with
// --exclude-table-data for exactly those tables). pg_dump writes table data in heap order, and
// PostgreSQL moves updated rows and fills freed space anywhere in the heap, so a week of ordinary
// change would touch rows all over each table; in key order an unchanged row keeps its place and
// deduplicates (docs/benchmarks.md).
import { SECTION, type ArchiveHead, type TocEntry } from './archive-toc.ts';

export interface KeyOrderedTable {
  schema: string;
  name: string;
  /** The columns pg_dump would copy: not dropped, not generated, in attnum order. */
  columns: string[];
  /** The primary key's columns, in key order. */
  key: string[];
}

/** A data block to write: the dump id of its new TOC entry and the table it holds. */
export interface PlannedBlock {
  dumpId: number;
  table: KeyOrderedTable;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The table's schema-qualified, quoted name, for SQL. */
export function qualified(t: KeyOrderedTable): string {
  return `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;
}

/** pg_dump's pattern for exactly this table: quoted, so every character is literal. */
export function exactTablePattern(t: KeyOrderedTable): string {
  return qualified(t);
}

export function copyFromStatement(t: KeyOrderedTable): string {
  return `COPY ${qualified(t)} (${t.columns.map(quoteIdent).join(', ')}) FROM stdin;\n`;
}

export function copyToStatement(t: KeyOrderedTable): string {
  return `COPY (SELECT ${t.columns.map(quoteIdent).join(', ')} FROM ONLY ${qualified(t)} ORDER BY ${t.key.map(quoteIdent).join(', ')}) TO STDOUT`;
}

/**
 * The SQL that readies a copying session: settings as pg_dump makes them (so values print the
 * same way), the client encoding of the database (as pg_dump writes), and a transaction in the
 * dump's snapshot. Run as one simple query before `copyStatements`.
 */
export function copySessionSql(snapshotId: string, encoding: string): string {
  return [
    'SET statement_timeout = 0',
    'SET lock_timeout = 0',
    'SET idle_in_transaction_session_timeout = 0',
    'SET extra_float_digits TO 3',
    'SET DATESTYLE = ISO',
    'SET INTERVALSTYLE = POSTGRES',
    'SET quote_all_identifiers = true',
    'SET row_security = off',
    'SET synchronize_seqscans TO off',
    `SET client_encoding TO '${encoding.replace(/'/g, "''")}'`,
    'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY',
    `SET TRANSACTION SNAPSHOT '${snapshotId.replace(/'/g, "''")}'`,
  ].join(';\n');
}

/** The COPY statements of `tables`, in order, as one simple query. */
export function copyStatements(tables: KeyOrderedTable[]): string {
  return tables.map(copyToStatement).join(';\n');
}

const key = (schema: string | null, name: string | null): string => JSON.stringify([schema, name]);

/**
 * The TOC with a TABLE DATA entry for each table pg_dump dumped the definition of but not the
 * data, placed where the data section starts, and the blocks to write in that order. A table
 * pg_dump did not dump at all, or whose data it dumped anyway, is left to pg_dump.
 */
export function arrangeHead(head: ArchiveHead, tables: KeyOrderedTable[]): { head: ArchiveHead; blocks: PlannedBlock[] } {
  const definitions = new Map<string, TocEntry>();
  const withData = new Set<string>();
  let maxId = 0;
  for (const e of head.entries) {
    maxId = Math.max(maxId, e.dumpId);
    if (e.desc === 'TABLE') definitions.set(key(e.namespace, e.tag), e);
    if (e.desc === 'TABLE DATA') withData.add(key(e.namespace, e.tag));
  }
  const added: TocEntry[] = [];
  const blocks: PlannedBlock[] = [];
  for (const t of tables) {
    const def = definitions.get(key(t.schema, t.name));
    if (!def || withData.has(key(t.schema, t.name))) continue;
    const entry: TocEntry = {
      dumpId: ++maxId,
      hadDumper: true,
      tableoid: '0',
      oid: def.oid,
      tag: t.name,
      desc: 'TABLE DATA',
      section: SECTION.data,
      defn: null,
      dropStmt: null,
      copyStmt: copyFromStatement(t),
      namespace: t.schema,
      tablespace: null,
      tableam: null,
      relkind: def.relkind,
      owner: def.owner,
      deps: [def.dumpId],
    };
    added.push(entry);
    blocks.push({ dumpId: entry.dumpId, table: t });
  }
  let at = head.entries.findIndex((e) => e.section === SECTION.data || e.section === SECTION.postData);
  if (at < 0) at = head.entries.length;
  const entries = [...head.entries.slice(0, at), ...added, ...head.entries.slice(at)];
  return { head: { header: head.header, entries }, blocks };
}
