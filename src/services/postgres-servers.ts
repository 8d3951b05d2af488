// PostgreSQL servers registered with dpvault, as Microsoft.DBforPostgreSQL/servers resources:
// where a server is (host, port) and how to reach it over TLS. Their databases are not stored:
// they are listed live, with credentials from a key vault secret the service resolves itself.
import { errors } from '../domain/errors.ts';
import { readTags } from '../domain/tags.ts';
import { INSTANCE_TYPE } from '../domain/backup-instance.ts';
import { resourceGroupId } from '../domain/resource-id.ts';
import type { Page } from '../catalog/catalog.ts';
import {
  POSTGRES_DATABASE_TYPE, POSTGRES_SERVER_TYPE, SSL_MODES, postgresServerId, type PostgresDatabase, type PostgresServer, type RegisteredServer, type SslMode,
} from '../domain/postgres-server.ts';
import { parseConnectionString, parseSslMode, type PgConnection } from '../sources/postgres/connection-string.ts';
import { withClient } from '../sources/postgres/probe.ts';
import type { ServiceContext } from './context.ts';
import { resolveSecret } from './key-vaults.ts';
import { getResourceGroup, listInGroup } from './resource-groups.ts';

const SERVER_NAME = /^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$/;
const HOST = /^[^\s,;'"\\]{1,255}$/;

export async function getPostgresServer(ctx: ServiceContext, sub: string, rg: string, name: string): Promise<PostgresServer> {
  await getResourceGroup(ctx, sub, rg);
  const found = await ctx.catalog.getResource<PostgresServer>(postgresServerId(sub, rg, name));
  if (!found) throw errors.resourceNotFoundInGroup(POSTGRES_SERVER_TYPE, name, rg);
  return found.body;
}

/** Registers (or re-registers) a server from `{location, tags, properties: {fullyQualifiedDomainName, port, sslMode, version}}`. */
export async function putPostgresServer(
  ctx: ServiceContext, sub: string, rg: string, name: string, body: unknown,
): Promise<{ server: PostgresServer; created: boolean }> {
  const group = await getResourceGroup(ctx, sub, rg);
  checkServerName(name);
  const b = (body ?? {}) as Record<string, unknown>;
  const p = (b.properties && typeof b.properties === 'object' ? b.properties : {}) as Record<string, unknown>;
  const id = postgresServerId(sub, group.name, name);
  const existing = (await ctx.catalog.getResource<PostgresServer>(id))?.body;
  const location = serverLocation(b, existing, group.location);
  const { host, port, sslMode, version } = readServerEndpoint(p, existing?.properties.version ?? null);
  const server: PostgresServer = {
    id: existing?.id ?? id,
    name: existing?.name ?? name,
    type: POSTGRES_SERVER_TYPE,
    location: existing?.location ?? location,
    resourceGroup: group.name,
    tags: readTags(b.tags, errors.postgresServerParameterInvalid) ?? existing?.tags ?? {},
    properties: {
      fullyQualifiedDomainName: host,
      port,
      sslMode,
      sslEnforcement: tlsRank(sslMode) >= tlsRank('require') ? 'Enabled' : 'Disabled',
      version,
      administratorLogin: null,
      userVisibleState: 'Ready',
      publicNetworkAccess: 'Enabled',
    },
  };
  await ctx.catalog.putResource({ id: server.id, type: POSTGRES_SERVER_TYPE, parentId: resourceGroupId(sub, group.name), body: { ...server } });
  return { server, created: !existing };
}

export function checkServerName(name: string): void {
  if (!SERVER_NAME.test(name)) {
    throw errors.resourceNameInvalid(
      `The server name '${name}' is invalid: use 3 to 63 lower-case letters, digits and hyphens, not starting or ending with a hyphen.`,
    );
  }
}

/** The body's location, else the existing server's or the group's; a registered server's location never changes. */
export function serverLocation(b: Record<string, unknown>, existing: { location: string } | undefined, groupLocation: string): string {
  const location = typeof b.location === 'string' && b.location ? b.location : existing?.location ?? groupLocation;
  if (existing && existing.location.toLowerCase() !== location.toLowerCase()) {
    throw errors.postgresServerParameterInvalid(`The server exists in location '${existing.location}'; its location cannot change.`, 'location');
  }
  return location;
}

/** Where a server is and how to reach it, from a registration's `properties` (host, port, TLS mode, version), checked. */
export function readServerEndpoint(
  p: Record<string, unknown>, knownVersion: string | null,
): { host: string; port: number; sslMode: SslMode; version: string | null } {
  const host = p.fullyQualifiedDomainName;
  if (typeof host !== 'string' || !HOST.test(host)) {
    throw errors.postgresServerParameterInvalid(
      'properties.fullyQualifiedDomainName must name the host of the server: a DNS name, an IP address or a Unix socket directory, without spaces.',
      'properties.fullyQualifiedDomainName',
    );
  }
  const port = p.port ?? 5432;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw errors.postgresServerParameterInvalid('properties.port must be a whole number from 1 to 65535.', 'properties.port');
  }
  const sslMode = readSslMode(p.sslMode);
  const version = p.version ?? knownVersion;
  if (version !== null && (typeof version !== 'string' || !/^\d+(\.\d+)?$/.test(version))) {
    throw errors.postgresServerParameterInvalid("properties.version must be a PostgreSQL major version such as '16'.", 'properties.version');
  }
  return { host, port, sslMode, version };
}

function readSslMode(value: unknown): SslMode {
  if (value === undefined || value === null) return 'prefer';
  if (typeof value === 'string') {
    try {
      return parseSslMode(value, 'properties.sslMode');
    } catch {
      // Fall through to this API's own error code.
    }
  }
  throw errors.postgresServerParameterInvalid(`properties.sslMode must be one of ${SSL_MODES.join(', ')}.`, 'properties.sslMode');
}

export async function listPostgresServers(
  ctx: ServiceContext, sub: string, rg: string | undefined, page: { limit?: number; after?: string },
): Promise<Page<PostgresServer>> {
  return listInGroup<PostgresServer>(ctx, POSTGRES_SERVER_TYPE, sub, rg, page);
}

/** Forgets a server (its databases and any backups of them are untouched); false when there was none. */
export async function deletePostgresServer(ctx: ServiceContext, sub: string, rg: string, name: string): Promise<boolean> {
  await getResourceGroup(ctx, sub, rg);
  const id = postgresServerId(sub, rg, name);
  const prefix = `${id.toLowerCase()}/databases/`;
  const instances = await ctx.catalog.listResources<{ name: string; properties: { dataSourceInfo: { resourceID: string } } }>({
    type: INSTANCE_TYPE,
    idPrefix: `/subscriptions/${sub}/`,
  });
  const users = instances.items.filter((i) => i.body.properties.dataSourceInfo.resourceID.toLowerCase().startsWith(prefix));
  if (users.length) {
    throw errors.postgresServerInUse(
      `Server '${name}' is protected by backup instance(s) ${users.map((u) => `'${u.body.name}'`).join(', ')}; delete them first, or their backups could not run.`,
    );
  }
  return ctx.catalog.deleteResource(id);
}

const tlsRank = (mode: SslMode): number => SSL_MODES.indexOf(mode);

/**
 * The connection to one database of a registered server. The registration says where the server
 * is (host and port: a connection string copied from Azure names the Azure host, which is not
 * where the server is now); the secret gives the credentials (user, password); `database` (from
 * the datasource id or the request) names the database. TLS: the stricter of the two modes wins,
 * so neither the registration nor the secret can weaken what the other requires. Pure.
 */
export function serverConnection(server: RegisteredServer, fromSecret: PgConnection, database: string): PgConnection {
  const sslMode = tlsRank(server.properties.sslMode) > tlsRank(fromSecret.sslMode) ? server.properties.sslMode : fromSecret.sslMode;
  return { ...fromSecret, host: server.properties.fullyQualifiedDomainName, port: server.properties.port, database, sslMode };
}

/**
 * Lists the server's databases live, logged in with the connection string held in `secretUri`
 * (read by the operator: no access policy applies). Connects to the database the secret names
 * (`postgres` when none), where its user is known to have CONNECT. With `only`, just that one;
 * a missing one is ResourceNotFound.
 */
export async function listPostgresDatabases(
  ctx: ServiceContext, sub: string, rg: string, serverName: string, secretUri: string | null, only?: string,
): Promise<PostgresDatabase[]> {
  const server = await getPostgresServer(ctx, sub, rg, serverName);
  if (!secretUri) {
    throw errors.postgresServerParameterInvalid(
      `Listing the databases of server '${server.name}' logs in to it: give the key vault secret holding its connection string as ` +
        `?secretUri=https://<key-vault>.vault.azure.net/secrets/<name> (dpvault postgres db list --secret-uri <uri>).`,
      'secretUri',
    );
  }
  const fromSecret = parseConnectionString(await resolveSecret(ctx, secretUri, undefined));
  const conn = serverConnection(server, fromSecret, fromSecret.database);
  const rows = await withClient(conn, async (client) => {
    const r = await client.query<{ name: string; charset: string; collation: string }>(
      `SELECT datname AS name, pg_encoding_to_char(encoding) AS charset, datcollate AS collation
       FROM pg_database WHERE NOT datistemplate AND datallowconn AND ($1::text IS NULL OR datname = $1) ORDER BY datname`,
      [only ?? null],
    );
    return r.rows;
  });
  if (only !== undefined && rows.length === 0) {
    throw errors.resourceNotFoundOnServer(POSTGRES_DATABASE_TYPE, only, server.name);
  }
  return rows.map((row) => ({
    id: `${server.id}/databases/${row.name}`,
    name: row.name,
    type: POSTGRES_DATABASE_TYPE,
    properties: { charset: row.charset, collation: row.collation },
  }));
}
