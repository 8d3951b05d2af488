// Validation probes over the `pg` client: can we reach the server, which major version is it,
// does the database exist and may this user dump all of it; plus the few statements a restore
// needs (list, test and create databases). Failures come back as DpErrors with Azure's codes
// (errors.ts) and messages a DBA can act on. Connections time out after 5 s.
import pg from 'pg';
import { errors } from '../../domain/errors.ts';
import { describeConnection, toPgConfig, type PgConnection } from './connection-string.ts';
import { SlabReads } from './slab-socket.ts';
import { fromPgError } from './errors.ts';
import type { TargetRoles } from './role-mapping.ts';
import { majorFromVersionNum } from './tools.ts';

const CONNECT_TIMEOUT_MS = 5000;
const STATEMENT_TIMEOUT_MS = 60_000;

async function open(config: pg.ClientConfig): Promise<pg.Client> {
  const client = new pg.Client({ ...config, statement_timeout: STATEMENT_TIMEOUT_MS });
  client.on('error', () => {}); // A connection dropped while idle surfaces on the next query.
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => {});
    throw e;
  }
  return client;
}

export interface ConnectOptions {
  /**
   * Read an unencrypted session through a SlabReads socket (slab-socket.ts), for a copy whose
   * rows are read off it (copy-out.ts). TLS sessions are read as usual.
   */
  slabReads?: boolean;
}

/** Opens a client, following libpq's sslmode: "prefer" tries TLS first, "allow" tries plain first. */
export async function connect(conn: PgConnection, opts: ConnectOptions = {}): Promise<pg.Client> {
  const config = toPgConfig(conn, CONNECT_TIMEOUT_MS);
  const plain = (c: pg.ClientConfig): pg.ClientConfig => (opts.slabReads && !c.ssl ? { ...c, stream: () => new SlabReads().socket } : c);
  try {
    if (conn.sslMode === 'prefer') {
      try {
        return await open({ ...config, ssl: { rejectUnauthorized: false } });
      } catch (e) {
        if (!/does not support SSL/i.test((e as Error).message)) throw e;
      }
    }
    if (conn.sslMode === 'allow') {
      try {
        return await open(plain(config));
      } catch (e) {
        if ((e as { code?: string }).code !== '28000') throw e;
        return await open({ ...config, ssl: { rejectUnauthorized: false } });
      }
    }
    return await open(plain(config));
  } catch (e) {
    throw fromPgError(e, conn);
  }
}

/** Runs `fn` on a fresh connection and closes it; errors are mapped to DpErrors. */
export async function withClient<T>(conn: PgConnection, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connect(conn);
  try {
    return await fn(client);
  } catch (e) {
    throw fromPgError(e, conn);
  } finally {
    await client.end().catch(() => {});
  }
}

export interface ServerFacts {
  majorVersion: number;
  versionString: string;
  /** The maintenance_work_mem a new session of the connection's role gets, in bytes (pg_settings counts it in kB). */
  maintenanceWorkMemBytes: number;
}

async function serverFacts(client: pg.Client): Promise<ServerFacts> {
  const r = await client.query<{ num: string; version: string; mwm_kb: string }>(
    "SELECT current_setting('server_version_num') AS num, version() AS version, (SELECT setting FROM pg_settings WHERE name = 'maintenance_work_mem') AS mwm_kb",
  );
  const row = r.rows[0]!;
  return { majorVersion: majorFromVersionNum(Number(row.num)), versionString: row.version, maintenanceWorkMemBytes: Number(row.mwm_kb) * 1024 };
}

/** Connects to `conn.database` and reports the server's major version and the settings a restore fits itself to, in one round trip. */
export function probeServer(conn: PgConnection): Promise<ServerFacts> {
  return withClient(conn, serverFacts);
}

// Objects pg_dump must read: USAGE on each schema, SELECT on each table and sequence, except
// what belongs to an extension (pg_dump leaves those to CREATE EXTENSION).
const UNREADABLE_SQL = `
WITH objs AS (
  SELECT 1 AS ord, 'schema' AS kind, quote_ident(n.nspname) AS name, has_schema_privilege(n.oid, 'USAGE') AS ok
  FROM pg_namespace n
  WHERE n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')
  UNION ALL
  SELECT 2, CASE c.relkind WHEN 'S' THEN 'sequence' ELSE 'table' END,
         quote_ident(n.nspname) || '.' || quote_ident(c.relname),
         CASE c.relkind WHEN 'S' THEN has_sequence_privilege(c.oid, 'SELECT') ELSE has_table_privilege(c.oid, 'SELECT') END
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'S') AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
)
SELECT kind, name, count(*) OVER () AS total FROM objs WHERE NOT ok ORDER BY ord, name LIMIT 5`;

/**
 * What a dump of the database will roughly hold: the size of its user tables and materialized
 * views with their TOAST, without indexes (a dump holds their definitions only) and without the
 * system catalogs, from pg_class's page counts (as of the last VACUUM or ANALYZE). Read from the
 * catalog, so it takes no lock and never waits behind one (pg_table_size would). 0 when the
 * statistics know nothing yet. A dump's size is known only at its end; this estimates it.
 */
const DATA_BYTES_SQL = `
  SELECT (coalesce(sum(c.relpages::bigint + coalesce(t.relpages, 0)), 0) * current_setting('block_size')::bigint)::text AS bytes
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_class t ON t.oid = c.reltoastrelid
  WHERE c.relkind IN ('r', 'm') AND c.relpersistence <> 't' AND n.nspname NOT IN ('pg_catalog', 'information_schema')`;

/**
 * Checks that `conn.database` exists and that `conn.user` may dump all of it (CONNECT, USAGE on
 * every schema, SELECT on every table and sequence). Returns its size (pg_database_size), the size of
 * the table data a dump copies (DATA_BYTES_SQL) and the server's major version.
 */
export function probeDatabase(conn: PgConnection): Promise<{ sizeBytes: number; dataBytes: number } & ServerFacts> {
  return withClient(conn, async (client) => {
    const unreadable = await client.query<{ kind: string; name: string; total: string }>(UNREADABLE_SQL);
    if (unreadable.rows.length > 0) {
      const total = Number(unreadable.rows[0]?.total);
      const listed = unreadable.rows.map((r) => (r.kind === 'schema' ? `USAGE on schema ${r.name}` : `SELECT on ${r.kind} ${r.name}`));
      const more = total > listed.length ? ` and ${total - listed.length} more` : '';
      throw errors.postgresPermissionMissing(
        `User "${conn.user}" cannot back up database "${conn.database}": it lacks ${listed.join(', ')}${more}. ` +
          `Grant them, for example GRANT USAGE ON SCHEMA <schema> TO <user>; GRANT SELECT ON ALL TABLES IN SCHEMA <schema> TO <user>; ` +
          `GRANT SELECT ON ALL SEQUENCES IN SCHEMA <schema> TO <user>; or, on PostgreSQL 14 and later, GRANT pg_read_all_data TO <user>.`,
      );
    }
    const size = await client.query<{ size: string }>('SELECT pg_database_size(current_database()) AS size');
    const data = await client.query<{ bytes: string }>(DATA_BYTES_SQL);
    return { sizeBytes: Number(size.rows[0]?.size), dataBytes: Number(data.rows[0]?.bytes), ...(await serverFacts(client)) };
  });
}

export function databaseExists(conn: PgConnection, name: string): Promise<boolean> {
  return withClient(conn, async (client) => {
    const r = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return r.rows.length > 0;
  });
}

function checkDatabaseName(name: string): void {
  if (!name || Buffer.byteLength(name) > 63 || name.includes('\0')) {
    throw errors.databaseNameLength();
  }
}

/** Creates an empty database from template0 for a restore; an existing name fails with UserErrorDatabaseNameAlreadyInUse. */
export async function createDatabase(conn: PgConnection, name: string): Promise<void> {
  checkDatabaseName(name);
  const client = await connect(conn);
  try {
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)} TEMPLATE template0`);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === '42P04') {
      throw errors.databaseNameInUse(`A database named "${name}" already exists on server ${conn.host}:${conn.port}; restore into a new name.`);
    }
    if (code === '42501') {
      throw errors.postgresPermissionMissing(`User "${conn.user}" may not create databases on ${describeConnection(conn)}; it needs the CREATEDB attribute.`);
    }
    throw fromPgError(e, conn);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Whether the connecting user may create databases (CREATEDB, or a superuser), and whether it is a superuser. */
export function restoreUserPrivileges(conn: PgConnection): Promise<{ user: string; superuser: boolean; createdb: boolean }> {
  return withClient(conn, async (client) => {
    const r = await client.query<{ user: string; superuser: boolean; createdb: boolean }>(
      'SELECT rolname AS user, rolsuper AS superuser, rolcreatedb AS createdb FROM pg_roles WHERE rolname = current_user',
    );
    const row = r.rows[0]!;
    return { user: row.user, superuser: row.superuser, createdb: row.superuser || row.createdb };
  });
}

/**
 * The target server's roles, and those the connecting user may make owners of objects: all of
 * them for a superuser; else the roles it is a member of (from PostgreSQL 16, those it may SET).
 */
export function targetRoles(conn: PgConnection, major: number): Promise<TargetRoles> {
  const may = major >= 16 ? 'SET' : 'MEMBER';
  return withClient(conn, async (client) => {
    const r = await client.query<{ name: string; assignable: boolean; user: string }>(
      `SELECT r.rolname AS name, current_user AS user,
              (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) OR pg_has_role(current_user, r.oid, '${may}') AS assignable
       FROM pg_roles r`,
    );
    return {
      user: r.rows[0]?.user ?? conn.user,
      existing: new Set(r.rows.map((row) => row.name)),
      assignable: new Set(r.rows.filter((row) => row.assignable).map((row) => row.name)),
    };
  });
}

/**
 * Renames a database (a restored staging database to its target name); a target name taken in
 * the meantime fails with UserErrorDatabaseNameAlreadyInUse.
 */
export async function renameDatabase(conn: PgConnection, from: string, to: string): Promise<void> {
  checkDatabaseName(from);
  checkDatabaseName(to);
  const client = await connect(conn);
  try {
    await client.query(`ALTER DATABASE ${pg.escapeIdentifier(from)} RENAME TO ${pg.escapeIdentifier(to)}`);
  } catch (e) {
    if ((e as { code?: string }).code === '42P04') {
      throw errors.databaseNameInUse(`A database named "${to}" was created on server ${conn.host}:${conn.port} while the restore ran; restore into a new name.`);
    }
    throw fromPgError(e, conn);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Drops a database (for instance a half-restored one); a missing one is not an error. */
/**
 * Ends every session of a stopped dpvault process that still works on database `name`: sessions
 * connected to it (a pg_restore), and one still running its CREATE DATABASE (the server goes on
 * with a statement after its client died, so a check made meanwhile would miss the database it
 * then creates). Waits until they are gone, at most `waitMs`.
 */
export async function endSessionsOn(conn: PgConnection, name: string, waitMs = 15_000): Promise<void> {
  checkDatabaseName(name);
  const sql = `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
    WHERE pid <> pg_backend_pid() AND (datname = $1 OR (state = 'active' AND position($1 in query) > 0))`;
  await withClient(conn, async (client) => {
    for (let waited = 0; ; waited += 100) {
      const { rows } = await client.query<{ ended: boolean }>(sql, [name]);
      if (rows.length === 0 || waited >= waitMs) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
}

export async function dropDatabase(conn: PgConnection, name: string): Promise<void> {
  checkDatabaseName(name);
  await withClient(conn, (client) => client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)}`));
}
