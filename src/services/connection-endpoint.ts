// Where a protected database is reached, and why there: the datasource id names the server, so
// the server's registration gives host and port; the key vault secret gives the credentials; the
// datasource id names the database. The secret's own Server and Port are compared with the
// registration, never silently dropped: the registered host with another port is a conflict (one
// of the two is wrong), another host is a warning (the same server has many names, and a secret
// copied from Azure names the Azure host). Pure: no I/O.
import { errors } from '../domain/errors.ts';
import type { RegisteredServer, SslMode } from '../domain/postgres-server.ts';
import type { ParsedConnectionString, PgConnection } from '../sources/postgres/connection-string.ts';
import { serverConnection } from './postgres-servers.ts';

/** What validateForBackup shows: every part of the connection with where it came from (never the password). */
export interface ConnectionReport {
  host: string;
  hostSource: string;
  port: number;
  portSource: string;
  database: string;
  databaseSource: string;
  user: string;
  userSource: string;
  sslMode: SslMode;
  sslModeSource: string;
}

export interface ResolvedEndpoint {
  conn: PgConnection;
  report: ConnectionReport;
  warnings: string[];
}

/**
 * The connection to `database` on `server` with the credentials of the secret at `secretUri`.
 * Throws UserErrorConnectionStringConflict when the secret names the registered host with another port.
 */
export function resolveEndpoint(server: RegisteredServer, secret: ParsedConnectionString, secretUri: string, database: string): ResolvedEndpoint {
  const conn = serverConnection(server, secret.conn, database);
  const registered = `the registered PostgreSQL server ${server.id}`;
  const fromSecret = `the key vault secret ${secretUri}`;
  const sameHost = secret.conn.host.toLowerCase() === conn.host.toLowerCase();
  const portDiffers = secret.portGiven && secret.conn.port !== conn.port;
  if (sameHost && portDiffers) {
    throw errors.connectionStringConflict(
      `The key vault secret ${secretUri} says Server=${secret.conn.host};Port=${secret.conn.port}, but the PostgreSQL server '${server.name}' ` +
        `is registered at ${conn.host}:${conn.port}. dpvault connects where the server named by the datasource id is registered, so one of the two is wrong: ` +
        `correct the Port in the secret (or leave it out), or register the server again with ` +
        `'dpvault postgres server create -g ${server.resourceGroup} -n ${server.name} --host ${conn.host} --port ${secret.conn.port}'.`,
    );
  }
  const warnings: string[] = [];
  if (!sameHost) {
    const named = secret.portGiven ? `${secret.conn.host}:${secret.conn.port}` : secret.conn.host;
    warnings.push(
      `The key vault secret ${secretUri} names the server ${named}; dpvault connects to ${conn.host}:${conn.port}, where the PostgreSQL server ` +
        `'${server.name}' is registered, and takes only the user and password from the secret.`,
    );
  }
  const sslFrom = conn.sslMode === server.properties.sslMode ? (conn.sslMode === secret.conn.sslMode ? 'both agree' : registered) : fromSecret;
  return {
    conn,
    warnings,
    report: {
      host: conn.host,
      hostSource: registered,
      port: conn.port,
      portSource: secret.portGiven && !portDiffers ? `${registered} (the secret agrees)` : registered,
      database,
      databaseSource: 'the datasource id',
      user: conn.user,
      userSource: fromSecret,
      sslMode: conn.sslMode,
      sslModeSource: `the stricter of the registered server's and the secret's: ${sslFrom}`,
    },
  };
}
