// How the service reaches a protected database: the registered server gives host and port, the
// key vault secret (read through the backup vault's identity) gives the credentials, and the
// datasource id names the database. Also the checks that must pass before a database is protected.
import { errors } from '../domain/errors.ts';
import { parseDatabaseId } from '../domain/backup-instance.ts';
import type { BackupVault } from '../domain/vault.ts';
import { parseConnectionStringParts, type PgConnection } from '../sources/postgres/connection-string.ts';
import { findTool } from '../sources/postgres/tools.ts';
import { probeDatabase, probeServer } from '../sources/postgres/probe.ts';
import type { ServiceContext } from './context.ts';
import { resolveSecret } from './key-vaults.ts';
import { resolveEndpoint, type ConnectionReport } from './connection-endpoint.ts';
import type { PostgresServer } from '../domain/postgres-server.ts';

export interface ResolvedDatabase {
  /** Connects to the database the datasource id names. */
  conn: PgConnection;
  /** Connects to a database that exists on the server (the secret's), for creating and dropping databases. */
  maintenance: PgConnection;
  serverId: string;
  server: string;
  database: string;
  /** Which host, port, database, user and TLS mode, and where each came from. */
  report: ConnectionReport;
  /** What the caller should show: the secret names another host than the registration. */
  warnings: string[];
}

/** The connection to `databaseId` with the credentials of `secretUri`, read as `vault`'s identity. */
export async function connectionFor(ctx: ServiceContext, vault: BackupVault, databaseId: string, secretUri: string): Promise<ResolvedDatabase> {
  const { serverId, server, database } = parseDatabaseId(databaseId);
  checkDatasourceSubscription(ctx, databaseId);
  const registered = await ctx.catalog.getResource<PostgresServer>(serverId);
  if (!registered) {
    throw errors.postgresServerNotRegistered(
      `The PostgreSQL server '${server}' (${serverId}) is not registered with dpvault. Register it with 'dpvault postgres server create -g <group> -n ${server} --host <host> [--port <port>]'.`,
    );
  }
  const secret = await resolveSecret(ctx, secretUri, vaultPrincipal(vault));
  const fromSecret = parseConnectionStringParts(secret);
  const { conn, report, warnings } = resolveEndpoint(registered.body, fromSecret, secretUri, database);
  const maintenanceDb = fromSecret.conn.database && fromSecret.conn.database !== database ? fromSecret.conn.database : 'postgres';
  return { conn, maintenance: { ...conn, database: maintenanceDb }, serverId, server, database, report, warnings };
}

/** The object id of the vault's system-assigned identity; refused when it has none. */
export function vaultPrincipal(vault: BackupVault): string {
  if (!vault.identity?.principalId) {
    throw errors.secretStorePermissionMissing(
      `The Backup vault '${vault.name}' has no system-assigned identity, so it cannot read key vault secrets. Give it one with 'dpvault backup-vault update -g ${vault.resourceGroup} -v ${vault.name} --type SystemAssigned'.`,
    );
  }
  return vault.identity.principalId;
}

/**
 * A datasource id in another subscription than this service's (the seed document's placeholder
 * `xxxxxxxx-...`, or an Azure subscription) can name no server registered here: say so, with the id to use.
 */
export function checkDatasourceSubscription(ctx: ServiceContext, databaseId: string): void {
  const sub = databaseId.split('/')[2] ?? '';
  if (sub.toLowerCase() === ctx.subscriptionId.toLowerCase()) return;
  const fixed = databaseId.replace(/^\/subscriptions\/[^/]+/i, `/subscriptions/${ctx.subscriptionId}`);
  throw errors.subscriptionMismatch(
    `The datasource id names the subscription '${sub}', which is not this dpvault service's: its subscription is '${ctx.subscriptionId}' ` +
      `(dpvault account show --query id -o tsv). Use '${fixed}'.`,
  );
}

/** Everything Azure's validateForBackup checks that concerns the database itself. */
export async function checkDatabaseForBackup(db: ResolvedDatabase): Promise<{ majorVersion: number; sizeBytes: number; pgDump: string }> {
  const server = await probeServer(db.conn);
  const pgDump = await findTool('pg_dump', server.majorVersion);
  const info = await probeDatabase(db.conn);
  return { majorVersion: server.majorVersion, sizeBytes: info.sizeBytes, pgDump };
}
