// The checks before a whole-server recovery point is restored as a server (a RestoreTargetInfo
// naming a registered flexible server), all made before any job exists: the point is a
// whole-server one; the target is registered and the vault's identity holds what a restore needs
// over it (server-access.ts names what is missing); the target runs the point's PostgreSQL version
// or a newer one, with its pg_restore here; the administrator may create databases and roles; and
// no database the restore would create exists there (PREFIX<name> with a prefix).
import type { DatasourceManifest } from '../datasources/manifest.ts';
import { errors } from '../domain/errors.ts';
import { isServerPoint, type RecoveryPointResource } from '../domain/recovery-point.ts';
import type { ServerTarget } from '../domain/restore-request.ts';
import { restoredDatabases } from '../domain/server-restore-databases.ts';
import type { BackupVault } from '../domain/vault.ts';
import { probeServer, withClient } from '../sources/postgres/probe.ts';
import { findTool } from '../sources/postgres/tools.ts';
import type { ServiceContext } from './context.ts';
import { serverAccessFor } from './server-access.ts';

/** Checks a restore as a server; returns the target server's id (the job's recovery destination). */
export async function planServerRestore(
  ctx: ServiceContext, vault: BackupVault, manifest: DatasourceManifest | undefined, rp: RecoveryPointResource, target: ServerTarget,
): Promise<string> {
  if (!isServerPoint(rp) || !manifest || manifest.backupScope !== 'Server') {
    throw errors.restoreTargetNotSupported(
      `Recovery point ${rp.name} holds one database: restore it into a new database (--target-resource-id .../servers/<server>/databases/<name>), not into a whole server.`,
    );
  }
  const serverId = target.datasourceInfo.resourceID;
  const names = restoredDatabases(rp.internal.databases!, target.databaseNamePrefix);
  const access = await serverAccessFor(ctx, vault, manifest, serverId, 'Restore');
  const { majorVersion } = await probeServer(access.conn);
  if (majorVersion < rp.internal.serverMajorVersion) {
    throw errors.restoreToLowerVersion(
      `Recovery point ${rp.name} was taken from PostgreSQL ${rp.internal.serverMajorVersion}; flexible server '${access.server.name}' runs PostgreSQL ${majorVersion}. Restore to a server of version ${rp.internal.serverMajorVersion} or newer.`,
    );
  }
  await findTool('pg_restore', majorVersion);
  const { user, may, taken } = await withClient(access.conn, async (client) => {
    const who = await client.query<{ user: string; may: boolean }>(
      'SELECT rolname AS user, rolsuper OR (rolcreatedb AND rolcreaterole) AS may FROM pg_roles WHERE rolname = current_user',
    );
    const found = await client.query<{ name: string }>('SELECT datname AS name FROM pg_database WHERE datname = ANY($1) ORDER BY 1', [names.map((n) => n.target)]);
    return { user: who.rows[0]!.user, may: who.rows[0]!.may, taken: found.rows.map((r) => r.name) };
  });
  if (!may) {
    throw errors.postgresPermissionMissing(
      `User "${user}" of flexible server '${access.server.name}' may not create both databases and roles, so it cannot restore a whole server there: give it CREATEDB and CREATEROLE (ALTER ROLE "${user}" CREATEDB CREATEROLE).`,
    );
  }
  if (taken.length) {
    throw errors.serverDatabasesInUse(
      `Flexible server '${access.server.name}' has ${taken.length === 1 ? 'a database' : 'databases'} named ${taken.map((n) => `'${n}'`).join(', ')} already. ` +
        'A restore never overwrites (FailIfExists): restore into another server, or give the restored databases a prefix (restore initialize-for-data-recovery --database-name-prefix PREFIX).',
    );
  }
  return serverId;
}
