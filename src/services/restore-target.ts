// The target server of a restore into a database (the whole database, or tables of it): reached
// with the request's key vault secret, of a major version no older than the recovery point's,
// with the pg_restore of its version at hand, and a restoring user that may create databases
// (a restore builds in a staging database first).
import { errors } from '../domain/errors.ts';
import type { SecretStoreCredentials } from '../domain/backup-instance.ts';
import type { RecoveryPointResource } from '../domain/recovery-point.ts';
import type { BackupVault } from '../domain/vault.ts';
import { probeServer, restoreUserPrivileges } from '../sources/postgres/probe.ts';
import { findTool } from '../sources/postgres/tools.ts';
import type { ServiceContext } from './context.ts';
import { connectionFor, type ResolvedDatabase } from './datasource-access.ts';

export async function restoreTargetServer(
  ctx: ServiceContext, vault: BackupVault, databaseId: string, credentials: SecretStoreCredentials | null, rp: RecoveryPointResource,
): Promise<ResolvedDatabase & { majorVersion: number }> {
  const uri = credentials?.secretStoreResource.uri;
  if (!uri) {
    throw errors.secretStoreCredentialsMissing(
      'The restore target has no datasourceAuthCredentials: give --secret-store-type AzureKeyVault and --secret-store-uri for the target server.',
    );
  }
  const db = await connectionFor(ctx, vault, databaseId, uri);
  const server = await probeServer(db.maintenance);
  if (server.majorVersion < rp.internal.serverMajorVersion) {
    throw errors.restoreToLowerVersion(
      `Recovery point ${rp.name} was taken from PostgreSQL ${rp.internal.serverMajorVersion}; the target server runs PostgreSQL ${server.majorVersion}. Restore to a server of version ${rp.internal.serverMajorVersion} or newer.`,
    );
  }
  await findTool('pg_restore', server.majorVersion);
  const user = await restoreUserPrivileges(db.maintenance);
  if (!user.createdb) {
    throw errors.postgresPermissionMissing(
      `User "${user.user}" may not create databases on server '${db.server}', so it cannot restore there: give it the CREATEDB attribute (ALTER ROLE "${user.user}" CREATEDB).`,
    );
  }
  return { ...db, majorVersion: server.majorVersion };
}
