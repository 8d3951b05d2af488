// What `dpvault catalog migrate` compares between an embedded catalog and its copy on PostgreSQL:
// per table, the rows in key order, their count and a SHA-256 over their values (one JSON array a
// row, columns in a fixed order, numbers as numbers). Pure: the caller reads the rows.
import { createHash } from 'node:crypto';

/** The tables the catalog holds, each with its columns (first the one it is ordered by). */
export const CATALOG_TABLES = {
  resources: ['seq', 'key', 'id', 'type', 'parent_key', 'parent_id', 'body', 'created_at', 'updated_at'],
  operations: ['id', 'body'],
  settings: ['key', 'value'],
  audit_log: ['seq', 'event_timestamp', 'scope_key', 'caller_key', 'caller_name_key', 'body'],
} as const;

export type CatalogTable = keyof typeof CATALOG_TABLES;

export interface TableDigest {
  table: CatalogTable;
  rows: number;
  sha256: string;
}

/** A row's values as digested: sequence numbers (bigint in PostgreSQL) as numbers, the rest as they are. */
export function rowValues(table: CatalogTable, row: Record<string, unknown>): unknown[] {
  return CATALOG_TABLES[table].map((c) => (c === 'seq' ? Number(row[c]) : (row[c] ?? null)));
}

/** The digest of a table's rows, given in its order. */
export function tableDigest(table: CatalogTable, rows: readonly Record<string, unknown>[]): TableDigest {
  const h = createHash('sha256');
  for (const r of rows) h.update(`${JSON.stringify(rowValues(table, r))}\n`);
  return { table, rows: rows.length, sha256: h.digest('hex') };
}

/** How two digests of one table differ, or undefined when they agree. */
export function digestDifference(source: TableDigest, copy: TableDigest): string | undefined {
  if (source.rows !== copy.rows) return `${copy.rows} row(s) copied of ${source.rows}`;
  if (source.sha256 !== copy.sha256) return `checksum ${copy.sha256} of the copy, ${source.sha256} of the source`;
  return undefined;
}
