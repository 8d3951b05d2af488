// The globals of a whole-server recovery point restored onto a server, before its databases:
// roles first, in one transaction (all of them or none), creating only the roles the target
// lacks (globals-script.ts plans it); then tablespaces. A tablespace the target has already is
// used as it is; one it lacks is created at its original LOCATION when the target lets it (the
// directory exists there, is empty and the user is a superuser); otherwise it is mapped to the
// default: its tables and indexes are restored into their database's default tablespace, and the
// job says so. Also the undoing of both, for a restore that fails later.
import pg from 'pg';
import { errors } from '../../domain/errors.ts';
import type { PgConnection } from './connection-string.ts';
import { planRoles, readGlobalsScript, readTablespaces } from './globals-script.ts';
import { withClient } from './probe.ts';

export interface RolesOutcome {
  created: string[];
  existing: string[];
}

/** Runs the roles script's statements for the roles the target lacks, in one transaction. */
export function restoreRoles(conn: PgConnection, script: string): Promise<RolesOutcome> {
  return withClient(conn, async (client) => {
    const existing = new Set((await client.query<{ name: string }>('SELECT rolname AS name FROM pg_roles')).rows.map((r) => r.name));
    const plan = planRoles(readGlobalsScript(script), existing);
    await client.query('BEGIN');
    try {
      for (const sql of plan.statements) {
        await client.query(sql).catch((e: unknown) => {
          throw errors.restoreFailed(`The roles could not be restored: ${(e as Error).message} (in: ${sql}). No role was created.`);
        });
      }
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      throw e;
    }
    return { created: plan.created, existing: plan.existing };
  });
}

export interface TablespacesOutcome {
  created: string[];
  existing: string[];
  /** Tablespaces the target lacks and could not get, with PostgreSQL's reason: their objects go to the default tablespace. */
  mapped: { name: string; reason: string }[];
}

export function restoreTablespaces(conn: PgConnection, script: string): Promise<TablespacesOutcome> {
  return withClient(conn, async (client) => {
    const have = new Set((await client.query<{ name: string }>('SELECT spcname AS name FROM pg_tablespace')).rows.map((r) => r.name));
    const out: TablespacesOutcome = { created: [], existing: [], mapped: [] };
    for (const t of readTablespaces(readGlobalsScript(script))) {
      if (have.has(t.name)) {
        out.existing.push(t.name);
        continue;
      }
      try {
        await client.query(t.create);
      } catch (e) {
        out.mapped.push({ name: t.name, reason: `${(e as Error).message} (LOCATION '${t.location}')` });
        continue;
      }
      out.created.push(t.name);
      for (const sql of t.rest) await client.query(sql);
    }
    return out;
  });
}

/** Drops tablespaces (empty ones: a restore's own, once its databases are dropped); says what it could not drop. */
export function dropTablespaces(conn: PgConnection, names: string[]): Promise<string[]> {
  return dropEach(conn, names, (n) => `DROP TABLESPACE IF EXISTS ${pg.escapeIdentifier(n)}`);
}

/** Drops roles (a restore's own, owning nothing once its databases are dropped); says what it could not drop. */
export function dropRoles(conn: PgConnection, names: string[]): Promise<string[]> {
  return dropEach(conn, [...names].reverse(), (n) => `DROP ROLE IF EXISTS ${pg.escapeIdentifier(n)}`);
}

async function dropEach(conn: PgConnection, names: string[], sql: (name: string) => string): Promise<string[]> {
  if (!names.length) return [];
  return withClient(conn, async (client) => {
    const failed: string[] = [];
    for (const n of names) await client.query(sql(n)).catch((e: unknown) => failed.push(`${n} (${(e as Error).message})`));
    return failed;
  });
}
