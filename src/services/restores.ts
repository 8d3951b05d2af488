// Restores: the checks before a restore is accepted (shared by validateRestore and restore), and
// the job that carries it out.
import { statSync, existsSync, accessSync, constants } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { invalid } from '../domain/errors.ts';
import type { BackupInstanceResource } from '../domain/backup-instance.ts';
import { readRestoreRequest, type RestoreRequest } from '../domain/restore-request.ts';
import type { BackupVault } from '../domain/vault.ts';
import { findManifest } from '../datasources/registry.ts';
import { databaseExists, probeServer } from '../sources/postgres/probe.ts';
import { findTool } from '../sources/postgres/tools.ts';
import type { ServiceContext } from './context.ts';
import { connectionFor } from './datasource-access.ts';
import type { RecoveryPointResource } from './recovery-points.ts';

export interface RestorePlan {
  request: RestoreRequest;
  recoveryPoint: RecoveryPointResource;
  /** For a database target: its id; for files: the file path written. */
  destination: string;
}

/** Reads and checks a restore request against the instance, its recovery point and the target. */
export async function planRestore(ctx: ServiceContext, vault: BackupVault, instance: BackupInstanceResource, body: unknown): Promise<RestorePlan> {
  const request = readRestoreRequest(body);
  const rp = await ctx.catalog.getResource<RecoveryPointResource>(`${instance.id}/recoveryPoints/${request.recoveryPointId}`);
  if (!rp) {
    throw invalid('UserErrorRecoveryPointNotFound', `The recovery point '${request.recoveryPointId}' does not exist in backup instance '${instance.name}'.`, 'recoveryPointId');
  }
  const store = request.sourceDataStoreType;
  if (!rp.body.internal.data[store]) {
    const where = Object.keys(rp.body.internal.data).join(', ') || 'no datastore';
    throw invalid(
      'UserErrorRecoveryPointNotInDatastore',
      `Recovery point ${rp.body.name} is not in ${store}; it is in ${where}. Set --source-datastore to where it is.`,
      'sourceDataStoreType',
    );
  }
  const manifest = findManifest(instance.properties.dataSourceInfo.datasourceType);
  if (request.target.kind === 'files') {
    if (manifest && !manifest.allowedRestoreTargetTypes.includes('RestoreAsFiles')) {
      throw invalid('UserErrorRestoreTargetNotSupported', `Datasource type ${manifest.name} cannot be restored as files.`);
    }
    return { request, recoveryPoint: rp.body, destination: checkFileTarget(request.target.url, request.target.filePrefix) };
  }
  if (manifest && !manifest.allowedRestoreTargetTypes.includes('AlternateLocation')) {
    throw invalid('UserErrorRestoreTargetNotSupported', `Datasource type ${manifest.name} can only be restored as files.`);
  }
  const target = request.target;
  const uri = target.credentials?.secretStoreResource.uri;
  if (!uri) {
    throw invalid(
      'UserErrorMissingSecretStoreCredentials',
      'The restore target has no datasourceAuthCredentials: give --secret-store-type AzureKeyVault and --secret-store-uri for the target server.',
    );
  }
  const db = await connectionFor(ctx, vault, target.datasourceInfo.resourceID, uri);
  const server = await probeServer(db.maintenance);
  if (server.majorVersion < rp.body.internal.serverMajorVersion) {
    throw invalid(
      'UserErrorRestoreToLowerVersion',
      `Recovery point ${rp.body.name} was taken from PostgreSQL ${rp.body.internal.serverMajorVersion}; the target server runs PostgreSQL ${server.majorVersion}. Restore to a server of version ${rp.body.internal.serverMajorVersion} or newer.`,
    );
  }
  await findTool('pg_restore', server.majorVersion);
  if (await databaseExists(db.maintenance, db.database)) {
    throw invalid(
      'UserErrorDatabaseNameAlreadyInUse',
      `A database named '${db.database}' already exists on server '${db.server}'. A restore never overwrites (FailIfExists): choose a new database name.`,
    );
  }
  return { request, recoveryPoint: rp.body, destination: target.datasourceInfo.resourceID };
}

/** The directory of a files restore, given as a path or a file:// URL; returns the dump file's path. */
export function checkFileTarget(url: string, filePrefix: string): string {
  let dir: string;
  if (/^file:/i.test(url)) dir = fileURLToPath(url);
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw invalid(
      'UserErrorContainerNotAccessible',
      `dpvault restores files to a directory on the server's machine; '${url}' is not a directory path or file:// URL.`,
      'restoreTargetInfo.targetDetails.url',
    );
  } else dir = isAbsolute(url) ? url : resolve(url);
  const ok = existsSync(dir) && statSync(dir).isDirectory();
  if (!ok) throw invalid('UserErrorContainerNotAccessible', `The target directory '${dir}' does not exist.`, 'restoreTargetInfo.targetDetails.url');
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw invalid('UserErrorContainerNotAccessible', `The service cannot write to the target directory '${dir}'.`, 'restoreTargetInfo.targetDetails.url');
  }
  const file = join(dir, `${filePrefix}.dump`);
  if (existsSync(file)) {
    throw invalid('UserErrorFileAlreadyExists', `The file '${file}' already exists. A restore never overwrites (FailIfExists): choose another --target-file-name.`);
  }
  return file;
}
