// The error codes of the PostgreSQL source, Azure's where Azure has one, and the two mappings
// into them: from a `pg` client error (probe.ts) and from pg_dump/pg_restore stderr
// (tool-process.ts). Every message passes through `scrub` so no password survives into it.
import { AUTH_FAILED, CONNECTION_CLOSED, DB_NOT_FOUND, DpError, errors, MISSING_PERMISSIONS, SERVER_UNREACHABLE } from '../../domain/errors.ts';
import { describeConnection, type PgConnection } from './connection-string.ts';

// The codes and their kinds live in the error catalog (src/domain/errors/postgres.ts).
export {
  AUTH_FAILED, CONNECTION_CLOSED, DB_NAME_IN_USE, DB_NOT_FOUND, DUMP_FAILED, kindForCode, MISSING_PERMISSIONS, RESTORE_FAILED, SERVER_UNREACHABLE,
} from '../../domain/errors.ts';

/** Replaces every occurrence of each secret (and its URL-encoded form) with `***`. */
export function scrub(text: string, secrets: (string | null | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (!s) continue;
    for (const form of new Set([s, encodeURIComponent(s)])) out = out.split(form).join('***');
  }
  return out;
}

const UNREACHABLE_ERRNO = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EADDRNOTAVAIL']);
const TLS_ERRNO = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;

/** Maps an error from the `pg` client (connect or query) to a DpError a DBA can act on. */
export function fromPgError(e: unknown, conn: PgConnection): DpError {
  if (e instanceof DpError) return e;
  const err = e as { code?: unknown; message?: unknown };
  const code = typeof err?.code === 'string' ? err.code : '';
  const server = `${conn.host}:${conn.port}`;
  const said = scrub(typeof err?.message === 'string' ? err.message : String(e), [conn.password]);
  const where = describeConnection(conn);
  switch (code) {
    case '28P01':
    case '28000':
      return errors.postgresAuthFailed(`The server ${server} rejected user "${conn.user}": ${said}. Check the user name and password in the connection string.`);
    case '3D000':
      return errors.postgresDatabaseNotFound(`The database "${conn.database}" does not exist on server ${server}.`);
    case '42501':
      return errors.postgresPermissionMissing(`User "${conn.user}" lacks a privilege on ${where}: ${said}.`);
    case '57P01':
    case '57P02':
    case '57P03':
    case '53300':
      return errors.postgresConnectionClosed(`The server ${server} would not serve the connection: ${said}. Try again later.`);
  }
  if (UNREACHABLE_ERRNO.has(code)) {
    const why = code === 'ECONNREFUSED' ? 'nothing accepts connections on that port' : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'the host name does not resolve' : `network error ${code}`;
    return errors.postgresServerUnreachable(`Cannot reach the PostgreSQL server ${server}: ${why}. Check the host, the port and the firewall rules.`);
  }
  if (/timeout/i.test(said) && /connect/i.test(said)) {
    return errors.postgresServerUnreachable(`The PostgreSQL server ${server} did not answer in time. Check the host, the port and the firewall rules.`);
  }
  if (/does not support SSL/i.test(said)) {
    return errors.postgresTlsRefused(`The server ${server} does not accept TLS connections, but Ssl Mode=${conn.sslMode} requires TLS.`);
  }
  if (TLS_ERRNO.test(code)) {
    return errors.postgresTlsRefused(`The TLS certificate of ${server} could not be verified (${code}) under Ssl Mode=${conn.sslMode}.`);
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || /terminated unexpectedly|Connection terminated/i.test(said)) {
    return errors.postgresConnectionClosed(`The server ${server} closed the connection: ${said}. Try again later.`);
  }
  return errors.postgresError(`PostgreSQL error on ${where}${code ? ` (${code})` : ''}: ${said}`);
}

/** Picks the code for a failed pg_dump/pg_restore from its (already scrubbed) stderr. */
export function codeForToolStderr(stderr: string, fallback: string): string {
  const s = stderr.toLowerCase();
  if (/password authentication failed|no password supplied|role ".*" does not exist|pg_hba\.conf/.test(s)) return AUTH_FAILED;
  if (/database ".*" does not exist/.test(s)) return DB_NOT_FOUND;
  if (/permission denied|must be owner|must be superuser/.test(s)) return MISSING_PERMISSIONS;
  if (/server closed the connection unexpectedly|connection to server was lost|terminating connection/.test(s)) return CONNECTION_CLOSED;
  if (/could not connect|connection refused|could not translate host name|timeout expired|no route to host/.test(s)) return SERVER_UNREACHABLE;
  return fallback;
}
