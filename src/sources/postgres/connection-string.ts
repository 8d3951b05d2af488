// PostgreSQL connection strings: the ADO.NET form Azure keeps in Key Vault secrets
// (`Server=h;Database=d;Port=5432;User Id=u@srv;Password=p;Ssl Mode=Require;`) and libpq URLs
// (`postgres://u:p@h:5432/d?sslmode=require`), parsed into one shape, and turned into what the
// `pg` client and the libpq tools (pg_dump, pg_restore, psql) take. Pure: no I/O.
//
// Errors never quote the input: a misquoted password could sit in any part of it.
import type { ClientConfig } from 'pg';
import { errors } from '../../domain/errors.ts';
import type { SslMode } from '../../domain/postgres-server.ts';
import { ownValue } from '../../util/own-key.ts';

export interface PgConnection {
  host: string;
  port: number;
  /** The database named in the string, `postgres` when it names none. */
  database: string;
  /** As given, including Azure Single Server's `user@server` form. */
  user: string;
  password: string | null;
  sslMode: SslMode;
}

const fail = errors.connectionStringInvalid;

/** ADO.NET keys, lower-cased with spaces removed, to the field they set (Npgsql's names and aliases). */
const ADO_KEYS: Record<string, keyof PgConnection> = {
  server: 'host', host: 'host',
  port: 'port',
  database: 'database', db: 'database',
  userid: 'user', username: 'user', user: 'user', uid: 'user',
  password: 'password', pwd: 'password', psw: 'password',
  sslmode: 'sslMode',
};

const SSL_MODES: Record<string, SslMode> = {
  disable: 'disable', allow: 'allow', prefer: 'prefer', require: 'require', verifyca: 'verify-ca', verifyfull: 'verify-full',
};

/** A parsed connection string and whether it named a port (5432 is filled in when it does not). */
export interface ParsedConnectionString {
  conn: PgConnection;
  portGiven: boolean;
}

/** Parses either form; throws UserErrorSecretValueInUnsupportedFormat with a message that never echoes the input. */
export function parseConnectionString(text: string): PgConnection {
  return parseConnectionStringParts(text).conn;
}

/** As parseConnectionString, also saying whether the string named a port. */
export function parseConnectionStringParts(text: string): ParsedConnectionString {
  const s = text.trim();
  if (/^postgres(ql)?:\/\//i.test(s)) return parseUrl(s);
  return parseAdoNet(s);
}

export function parseSslMode(value: string, source: string): SslMode {
  const mode = ownValue(SSL_MODES, value.toLowerCase().replace(/[\s_-]/g, ''));
  if (!mode) {
    throw fail(`${source} must be one of Disable, Allow, Prefer, Require, VerifyCA or VerifyFull.`);
  }
  return mode;
}

function parsePort(value: string, source: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(port >= 1 && port <= 65535)) throw fail(`${source} must be a whole number from 1 to 65535.`);
  return port;
}

/** Splits `key=value;...` into pairs, honouring "..." and '...' quoting (a doubled quote inside is a literal quote). */
export function splitAdoNet(s: string): [string, string][] {
  const pairs: [string, string][] = [];
  let i = 0;
  let index = 0;
  while (i < s.length) {
    while (i < s.length && (s[i] === ';' || /\s/.test(s[i] ?? ''))) i++;
    if (i >= s.length) break;
    index++;
    const eq = s.indexOf('=', i);
    const semi = s.indexOf(';', i);
    if (eq < 0 || (semi >= 0 && semi < eq)) {
      throw fail(`Part ${index} of the connection string is not in the form Key=Value. Expected an ADO.NET connection string such as Server=<host>;Database=<db>;Port=5432;User Id=<user>;Password=<password>;Ssl Mode=Require; or a postgres:// URL. Quote values holding ';' with double quotes.`);
    }
    const key = s.slice(i, eq).trim();
    i = eq + 1;
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
    let value = '';
    const q = s[i];
    if (q === '"' || q === "'") {
      i++;
      let closed = false;
      while (i < s.length) {
        const c = s[i] as string;
        if (c === q) {
          if (s[i + 1] === q) {
            value += q;
            i += 2;
            continue;
          }
          closed = true;
          i++;
          break;
        }
        value += c;
        i++;
      }
      if (!closed) throw fail(`The value of ${describeKey(key)} opens a quote that is never closed.`);
      while (i < s.length && /\s/.test(s[i] ?? '')) i++;
      if (i < s.length && s[i] !== ';') throw fail(`The quoted value of ${describeKey(key)} is followed by text before the next ';'.`);
    } else {
      const end = semi < 0 ? s.length : semi;
      value = s.slice(i, end).trim();
      i = end;
    }
    pairs.push([key, value]);
  }
  return pairs;
}

/** Names a key in an error only when it is one we know: an unknown "key" may be a piece of a password. */
function describeKey(key: string): string {
  return ownValue(ADO_KEYS, key.toLowerCase().replace(/\s/g, '')) ? `'${key}'` : 'a key';
}

function parseAdoNet(s: string): ParsedConnectionString {
  const fields: Partial<Record<keyof PgConnection, string>> = {};
  for (const [rawKey, value] of splitAdoNet(s)) {
    const field = ownValue(ADO_KEYS, rawKey.toLowerCase().replace(/\s/g, ''));
    if (field) fields[field] = value; // The last one wins, as in ADO.NET; unknown keys are ignored.
  }
  if (!fields.host) throw fail('The connection string names no server: add Server=<host>.');
  if (/\s/.test(fields.host)) throw fail("The Server value holds spaces; separate the parts of the connection string with ';'.");
  if (!fields.user) throw fail('The connection string names no user: add User Id=<user>.');
  const conn: PgConnection = {
    host: fields.host,
    port: fields.port ? parsePort(fields.port, 'Port') : 5432,
    database: fields.database || 'postgres',
    user: fields.user,
    password: fields.password ? fields.password : null,
    sslMode: fields.sslMode ? parseSslMode(fields.sslMode, 'Ssl Mode') : 'prefer',
  };
  return { conn, portGiven: Boolean(fields.port) };
}

function decode(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw fail(`The ${what} in the postgres:// URL has an invalid percent-encoding.`);
  }
}

function parseUrl(s: string): ParsedConnectionString {
  // Parsed by hand: WHATWG URL errors quote the whole input, password included.
  const rest = s.replace(/^postgres(ql)?:\/\//i, '');
  const hashAt = rest.indexOf('#');
  const noFragment = hashAt < 0 ? rest : rest.slice(0, hashAt);
  const qAt = noFragment.indexOf('?');
  const beforeQuery = qAt < 0 ? noFragment : noFragment.slice(0, qAt);
  const query = qAt < 0 ? '' : noFragment.slice(qAt + 1);
  const slashAt = beforeQuery.indexOf('/');
  const authority = slashAt < 0 ? beforeQuery : beforeQuery.slice(0, slashAt);
  const path = slashAt < 0 ? '' : beforeQuery.slice(slashAt + 1);
  const at = authority.lastIndexOf('@');
  const userInfo = at < 0 ? '' : authority.slice(0, at);
  const hostPort = at < 0 ? authority : authority.slice(at + 1);
  const colon = userInfo.indexOf(':');
  let user = decode(colon < 0 ? userInfo : userInfo.slice(0, colon), 'user name');
  let password: string | null = colon < 0 ? null : decode(userInfo.slice(colon + 1), 'password');

  let host: string;
  let portText: string;
  const v6 = /^\[([^\]]+)\](?::(.*))?$/.exec(hostPort);
  if (v6) {
    host = v6[1] as string;
    portText = v6[2] ?? '';
  } else {
    const c = hostPort.lastIndexOf(':');
    host = decode(c < 0 ? hostPort : hostPort.slice(0, c), 'host');
    portText = c < 0 ? '' : hostPort.slice(c + 1);
  }
  let database = decode(path, 'database name');
  let sslMode: SslMode = 'prefer';
  let port = portText ? parsePort(portText, 'The port in the postgres:// URL') : 5432;
  let portGiven = Boolean(portText);
  for (const pair of query.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq), 'query').toLowerCase();
    const value = decode(eq < 0 ? '' : pair.slice(eq + 1).replace(/\+/g, ' '), 'query');
    if (key === 'sslmode') sslMode = parseSslMode(value, 'sslmode');
    else if (key === 'host' && value && !host) host = value;
    else if (key === 'port' && value) {
      port = parsePort(value, 'The port parameter');
      portGiven = true;
    }
    else if (key === 'user' && value) user = value;
    else if (key === 'password') password = value;
    else if (key === 'dbname' && value) database = value;
  }
  if (!host) throw fail('The postgres:// URL names no host.');
  if (!user) throw fail('The postgres:// URL names no user: use postgres://<user>:<password>@<host>:<port>/<database>.');
  return { conn: { host, port, database: database || 'postgres', user, password: password || null, sslMode }, portGiven };
}

/** The libpq environment for a child process, so the password travels by environment and never by argv. */
export function toLibpqEnv(conn: PgConnection): Record<string, string> {
  const env: Record<string, string> = {
    PGHOST: conn.host,
    PGPORT: String(conn.port),
    PGUSER: conn.user,
    PGDATABASE: conn.database,
    PGSSLMODE: conn.sslMode,
    PGCONNECT_TIMEOUT: '10',
    PGAPPNAME: 'dpvault',
  };
  if (conn.password !== null) env.PGPASSWORD = conn.password;
  return env;
}

/**
 * Options for the `pg` client. `pg` has no "prefer"/"allow": those map to no TLS here, and
 * probe.ts tries TLS first for "prefer" itself. "require" encrypts without checking the
 * certificate, "verify-ca" checks the chain only, "verify-full" also the host name (libpq's meanings).
 */
export function toPgConfig(conn: PgConnection, connectTimeoutMs = 5000): ClientConfig {
  const base: ClientConfig = {
    host: conn.host,
    port: conn.port,
    database: conn.database,
    user: conn.user,
    connectionTimeoutMillis: connectTimeoutMs,
    application_name: 'dpvault',
  };
  if (conn.password !== null) base.password = conn.password;
  switch (conn.sslMode) {
    case 'disable':
    case 'allow':
    case 'prefer':
      base.ssl = false;
      break;
    case 'require':
      base.ssl = { rejectUnauthorized: false };
      break;
    case 'verify-ca':
      base.ssl = { rejectUnauthorized: true, checkServerIdentity: () => undefined };
      break;
    case 'verify-full':
      base.ssl = { rejectUnauthorized: true };
      break;
  }
  return base;
}

/** A description safe for logs and errors: everything but the password. */
export function describeConnection(conn: PgConnection): string {
  return `${conn.user}@${conn.host}:${conn.port}/${conn.database}`;
}
