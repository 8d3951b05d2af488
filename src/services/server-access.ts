// How the service reaches a whole flexible server (AzureDatabaseForPostgreSQLFlexibleServer), as
// Azure's does: with the Backup vault's own identity. The registration says where the server is;
// the identity must hold the roles the manifest names over it (placed by permission-scope.ts) and
// be allowed to read the administrator secret, whose connection string gives user and password.
// Whatever is missing is named all at once, with the command that grants it.
import type { DatasourceManifest } from '../datasources/manifest.ts';
import { placeRequirements, type MsiOperation } from '../datasources/permission-scope.ts';
import { errors } from '../domain/errors.ts';
import type { FlexibleServer } from '../domain/flexible-server.ts';
import type { BackupVault } from '../domain/vault.ts';
import { parseConnectionStringParts, type PgConnection } from '../sources/postgres/connection-string.ts';
import { probeServer } from '../sources/postgres/probe.ts';
import { listServerDatabases } from '../sources/postgres/server-dump.ts';
import { findTool } from '../sources/postgres/tools.ts';
import type { ServiceContext } from './context.ts';
import { resolveEndpoint, type ConnectionReport } from './connection-endpoint.ts';
import { checkDatasourceSubscription, vaultPrincipal } from './datasource-access.ts';
import { findFlexibleServer } from './flexible-servers.ts';
import { readSecretAs, unmetRequirements } from './vault-permissions.ts';

export interface ResolvedServer {
  server: FlexibleServer;
  /** Connects to the database the administrator secret names (`postgres` when none). */
  conn: PgConnection;
  report: ConnectionReport;
  warnings: string[];
}

/** The connection to flexible server `serverId` as `vault`'s identity may make it for `operation`. */
export async function serverAccessFor(
  ctx: ServiceContext, vault: BackupVault, manifest: DatasourceManifest, serverId: string, operation: MsiOperation,
): Promise<ResolvedServer> {
  checkDatasourceSubscription(ctx, serverId);
  const server = await findFlexibleServer(ctx, serverId);
  if (!server) {
    throw errors.flexibleServerNotRegistered(
      `The PostgreSQL flexible server '${serverId.split('/').pop()}' (${serverId}) is not registered with dpvault. Register it with ` +
        `'dpvault postgres flexible-server create -g <group> -n <name> --host <host> [--port <port>] --admin-secret-uri https://<key-vault>.vault.azure.net/secrets/<name>'.`,
    );
  }
  const principal = vaultPrincipal(vault);
  const missing = await unmetRequirements(ctx, principal, placeRequirements(manifest, operation, server.id));
  const uri = server.properties.administratorSecretUri;
  const secret = await readSecretAs(ctx, uri, principal, missing);
  if (missing.length || secret === null) {
    const how = operation === 'Backup' ? '--backup-instance <backup instance JSON>' : `--restore-request-object <restore request JSON> --target-resource-id ${server.id}`;
    // The same code for both, as validate-for-backup and validate-for-restore report it.
    throw errors.vaultPermissionsMissing(
      `The identity of Backup vault '${vault.name}' (principal ${principal}) lacks what ${operation === 'Backup' ? 'a backup' : 'a restore'} of flexible server ` +
        `'${server.name}' needs: ${missing.join('; ')}. Grant it with 'dpvault backup-instance update-msi-permissions --datasource-type ${manifest.name} ` +
        `--operation ${operation} --permissions-scope Resource -g ${vault.resourceGroup} -v ${vault.name} ${how} --yes'.`,
    );
  }
  const fromSecret = parseConnectionStringParts(secret);
  const { conn, report, warnings } = resolveEndpoint(server, fromSecret, uri, fromSecret.conn.database || 'postgres');
  return { server, conn, report: { ...report, databaseSource: 'the administrator secret (every database is backed up)' }, warnings };
}

/** What validateForBackup checks of the server itself: it answers, its tools are here, its databases are listed. */
export async function checkServerForBackup(s: ResolvedServer): Promise<{ majorVersion: number; databases: string[] }> {
  const { majorVersion } = await probeServer(s.conn);
  await findTool('pg_dump', majorVersion);
  await findTool('pg_dumpall', majorVersion);
  return { majorVersion, databases: (await listServerDatabases(s.conn)).names };
}
