// The staging database of an item-level restore, once pg_restore has loaded the tables into it:
// each table renamed (and moved to its new schema) as asked, with its indexes, constraints and
// owned sequences renamed after it (item-names.ts) by ALTER statements, so PostgreSQL rewrites
// every reference itself; and its foreign keys to tables not restored (loaded NOT VALID there,
// item-selection.ts) read with their final names, then dropped, to be added in the target.
// Runs in one transaction.
import type pg from 'pg';
import { sameTable, sqlTableName, type TableName } from '../../domain/item-path.ts';
import type { RestoreItem } from '../../domain/restore-items.ts';
import type { PgConnection } from './connection-string.ts';
import { dependentName } from './item-names.ts';
import type { ExternalForeignKey } from './item-selection.ts';
import type { PendingForeignKey } from './item-target.ts';
import { withClient } from './probe.ts';

const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export interface StagingOutcome {
  /** `schema.old → schema.new` of every dependent renamed. */
  renamed: string[];
  foreignKeys: PendingForeignKey[];
}

interface Dependent {
  kind: 'constraint' | 'index' | 'sequence';
  name: string;
}

/** Indexes, constraints (not NOT NULL ones) and owned sequences of table `oid`, constraints first (renaming one renames its index). */
async function dependentsOf(client: pg.Client, oid: string): Promise<Dependent[]> {
  const { rows } = await client.query<Dependent>(
    `SELECT 'constraint' AS kind, conname AS name, 1 AS ord FROM pg_constraint WHERE conrelid = $1 AND contype <> 'n'
     UNION ALL
     SELECT 'index', c.relname, 2 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
       WHERE i.indrelid = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = $1)
     UNION ALL
     SELECT 'sequence', c.relname, 3 FROM pg_depend d JOIN pg_class c ON c.oid = d.objid
       WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.refobjid = $1 AND c.relkind = 'S' AND d.deptype IN ('a', 'i')
     ORDER BY 3, 2`,
    [oid],
  );
  return rows;
}

/**
 * Renames the staged tables as `items` ask and takes out their external foreign keys.
 * `targetNames(schema)`: the relation names the target database already has in a schema.
 */
export async function prepareStaging(
  staging: PgConnection, items: readonly RestoreItem[], external: readonly ExternalForeignKey[], targetNames: (schema: string) => Promise<Set<string>>,
): Promise<StagingOutcome> {
  const taken = new Map<string, Set<string>>();
  for (const item of items) {
    if (!taken.has(item.restoreAs.schema)) taken.set(item.restoreAs.schema, await targetNames(item.restoreAs.schema));
  }
  return withClient(staging, async (client) => {
    await client.query("BEGIN; SET LOCAL search_path = ''");
    const out: StagingOutcome = { renamed: [], foreignKeys: [] };
    const oids = new Map<RestoreItem, string>();
    for (const item of items) {
      const { rows } = await client.query<{ oid: string }>('SELECT $1::regclass::oid AS oid', [sqlTableName(item.table)]);
      oids.set(item, rows[0]!.oid);
    }
    for (const item of items) {
      const oid = oids.get(item)!;
      const names = sameTable(item.table, item.restoreAs) ? new Map<string, string>() : await rename(client, oid, item, taken.get(item.restoreAs.schema)!, out);
      for (const key of external.filter((k) => sameTable(k.table, item.table))) {
        out.foreignKeys.push(await takeOutForeignKey(client, oid, item.restoreAs, names.get(key.name) ?? key.name, key.wasValid));
      }
    }
    await client.query('COMMIT');
    return out;
  });
}

/** Renames the table and its dependents; returns the new name of each dependent. */
async function rename(client: pg.Client, oid: string, item: RestoreItem, taken: Set<string>, out: StagingOutcome): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const { table: from, restoreAs: to } = item;
  const staged = await client.query<{ name: string }>('SELECT relname AS name FROM pg_class WHERE relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1)', [to.schema]);
  for (const r of staged.rows) taken.add(r.name);
  const table = `${ident(from.schema)}.${ident(to.table)}`;
  await client.query(`ALTER TABLE ${sqlTableName(from)} RENAME TO ${ident(to.table)}`);
  for (const d of await dependentsOf(client, oid)) {
    const name = dependentName(d.name, from.table, to.table, taken);
    if (d.kind === 'constraint') await client.query(`ALTER TABLE ${table} RENAME CONSTRAINT ${ident(d.name)} TO ${ident(name)}`);
    else await client.query(`ALTER ${d.kind === 'index' ? 'INDEX' : 'SEQUENCE'} ${ident(from.schema)}.${ident(d.name)} RENAME TO ${ident(name)}`);
    names.set(d.name, name);
    out.renamed.push(`${d.name} → ${name}`);
  }
  if (to.schema !== from.schema) {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident(to.schema)}`);
    await client.query(`ALTER TABLE ${table} SET SCHEMA ${ident(to.schema)}`);
  }
  return names;
}

/** The key's definition as PostgreSQL prints it now (names after the renames), then the key dropped from the staging table. */
async function takeOutForeignKey(client: pg.Client, oid: string, table: TableName, name: string, wasValid: boolean): Promise<PendingForeignKey> {
  const { rows } = await client.query<{ name: string; definition: string; references: string }>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS definition, confrelid::regclass::text AS references
     FROM pg_constraint WHERE conrelid = $1 AND contype = 'f' AND conname = $2`,
    [oid, name],
  );
  const k = rows[0]!;
  await client.query(`ALTER TABLE ${sqlTableName(table)} DROP CONSTRAINT ${ident(k.name)}`);
  const definition = wasValid ? k.definition.replace(/\s+NOT VALID$/, '') : k.definition;
  return { table, name: k.name, definition, references: k.references };
}
