// The target database of an item-level restore: whether each table can be restored under its
// name there (the schema exists, the restoring user may create in it, the name is free), and,
// after the load, the foreign keys to tables that were not restored, added where the table they
// reference exists (validated: a key the restored rows break is skipped, and the job says why).
import pg from 'pg';
import { formatTableName, sqlTableName, type TableName } from '../../domain/item-path.ts';
import type { PgConnection } from './connection-string.ts';
import { withClient } from './probe.ts';

export interface TargetProblems {
  /** Names taken by a table, view, sequence, index or type in the target. */
  taken: TableName[];
  /** Schemas the target database does not have. */
  missingSchemas: string[];
  /** Schemas the restoring user may not create tables in. */
  notCreatable: string[];
}

/** What stands in the way of restoring tables under these names into `conn`'s database. */
export function targetProblems(conn: PgConnection, names: readonly TableName[]): Promise<TargetProblems> {
  return withClient(conn, async (client) => {
    const out: TargetProblems = { taken: [], missingSchemas: [], notCreatable: [] };
    for (const t of names) {
      const { rows } = await client.query<{ schema: boolean; create: boolean; taken: boolean }>(
        `SELECT n.oid IS NOT NULL AS schema, coalesce(has_schema_privilege(n.oid, 'CREATE'), false) AS create,
                EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = n.oid AND c.relname = $2)
                  OR EXISTS (SELECT 1 FROM pg_type y WHERE y.typnamespace = n.oid AND y.typname = $2) AS taken
         FROM (SELECT $1::text AS name) s LEFT JOIN pg_namespace n ON n.nspname = s.name`,
        [t.schema, t.table],
      );
      const r = rows[0]!;
      if (!r.schema) {
        if (!out.missingSchemas.includes(t.schema)) out.missingSchemas.push(t.schema);
      } else if (r.taken) out.taken.push(t);
      else if (!r.create && !out.notCreatable.includes(t.schema)) out.notCreatable.push(t.schema);
    }
    return out;
  });
}

/** A foreign key of a restored table to a table that was not restored, to add in the target. */
export interface PendingForeignKey {
  /** The restored table, by its name in the target. */
  table: TableName;
  name: string;
  /** pg_get_constraintdef, schema-qualified: `FOREIGN KEY (a) REFERENCES s.t(id) ...`. */
  definition: string;
  /** The referenced table, schema-qualified as SQL. */
  references: string;
}

export interface ForeignKeyOutcome {
  added: string[];
  skipped: string[];
}

/** Adds each key whose referenced table exists in the target, each in its own statement; says which were skipped and why. */
export function addForeignKeys(conn: PgConnection, keys: readonly PendingForeignKey[]): Promise<ForeignKeyOutcome> {
  const out: ForeignKeyOutcome = { added: [], skipped: [] };
  if (keys.length === 0) return Promise.resolve(out);
  return withClient(conn, async (client) => {
    await client.query("SET search_path = ''");
    for (const k of keys) {
      const what = `${k.name} of ${formatTableName(k.table)} (to ${k.references})`;
      const { rows } = await client.query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [k.references]);
      if (!rows[0]?.found) {
        out.skipped.push(`${what}: ${k.references} does not exist in the target database`);
        continue;
      }
      try {
        await client.query(`ALTER TABLE ${sqlTableName(k.table)} ADD CONSTRAINT ${pg.escapeIdentifier(k.name)} ${k.definition}`);
        out.added.push(what);
      } catch (e) {
        out.skipped.push(`${what}: ${(e as Error).message}`);
      }
    }
    return out;
  });
}

/** Names of the relations (tables, indexes, sequences, views) in a schema of `conn`'s database. */
export function relationNames(conn: PgConnection, schema: string): Promise<Set<string>> {
  return withClient(conn, async (client) => {
    const { rows } = await client.query<{ name: string }>('SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1', [schema]);
    return new Set(rows.map((r) => r.name));
  });
}
