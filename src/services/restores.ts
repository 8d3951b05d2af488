// Restores: the checks before a restore is accepted (shared by validateRestore and restore), and
// the job that carries it out.
import { statSync, existsSync, accessSync, constants } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errors } from '../domain/errors.ts';
import type { BackupInstanceResource } from '../domain/backup-instance.ts';
import { readRestoreRequest, type RestoreRequest } from '../domain/restore-request.ts';
import type { BackupVault } from '../domain/vault.ts';
import { findManifest } from '../datasources/registry.ts';
import { namesWrittenFor } from '../domain/restore-files.ts';
import { databaseExists } from '../sources/postgres/probe.ts';
import type { ServiceContext } from './context.ts';
import { planItemRestore } from './item-restores.ts';
import { restoreTargetServer } from './restore-target.ts';
import { planServerRestore } from './server-restore-plan.ts';
import { confineTargetDirectory, type FilesTargetPolicy } from './restore-files-root.ts';
import { checkContainerTarget, containerTargetFor } from './restore-container.ts';
import { checkServerContainerTarget } from './server-restore-container.ts';
import { isContainerUrl } from '../storage/restore-containers.ts';
import { isServerPoint, storedIn, type RecoveryPointResource } from '../domain/recovery-point.ts';
import { allServerFiles, serverFileNames } from '../domain/server-restore-files.ts';

export interface RestorePlan {
  request: RestoreRequest;
  recoveryPoint: RecoveryPointResource;
  /** For a database or server target: its id; for files: the file path written, or the dump's URL in its container. */
  destination: string;
}

/**
 * Reads and checks a restore request against the instance, its recovery point and the target.
 * `checkSource`: where the point's bytes must be (default: the datastore the request names, in
 * the vault's own storage; a cross-region restore checks the paired region's copy instead).
 */
export async function planRestore(
  ctx: ServiceContext, vault: BackupVault, instance: BackupInstanceResource, body: unknown,
  checkSource: (rp: RecoveryPointResource, request: RestoreRequest) => void | Promise<void> = checkSourceDataStore,
): Promise<RestorePlan> {
  const request = readRestoreRequest(body);
  const rp = await ctx.catalog.getResource<RecoveryPointResource>(`${instance.id}/recoveryPoints/${request.recoveryPointId}`);
  if (!rp) {
    throw errors.restorePointNotFound(`The recovery point '${request.recoveryPointId}' does not exist in backup instance '${instance.name}'.`, 'recoveryPointId');
  }
  await checkSource(rp.body, request);
  const manifest = findManifest(instance.properties.dataSourceInfo.datasourceType);
  if (request.target.kind === 'files') {
    if (manifest && !manifest.allowedRestoreTargetTypes.includes('RestoreAsFiles')) {
      throw errors.restoreTargetNotSupported(`Datasource type ${manifest.name} cannot be restored as files.`);
    }
    const { url, filePrefix } = request.target;
    const policy = filesTargetPolicy(ctx);
    const destination = isContainerUrl(url)
      ? isServerPoint(rp.body) ? await checkServerContainerTarget(ctx, url, filePrefix, rp.body.internal.databases!) : await checkContainerTarget(ctx, url, filePrefix)
      : isServerPoint(rp.body)
        ? checkServerFilesTarget(url, filePrefix, policy, rp.body.internal.databases!)
        : checkFileTarget(url, filePrefix, policy);
    return { request, recoveryPoint: rp.body, destination };
  }
  const target = request.target;
  if (target.kind === 'items') {
    return { request, recoveryPoint: rp.body, destination: await planItemRestore(ctx, vault, manifest, rp.body, target) };
  }
  if (target.kind === 'server') {
    // dpvault beyond Azure, for whole-server points (backupScope Server) only: planServerRestore decides.
    return { request, recoveryPoint: rp.body, destination: await planServerRestore(ctx, vault, manifest, rp.body, target) };
  }
  if (manifest && !manifest.allowedRestoreTargetTypes.includes('AlternateLocation')) {
    throw errors.restoreTargetNotSupported(`Datasource type ${manifest.name} can only be restored as files.`);
  }
  if (isServerPoint(rp.body)) {
    throw errors.restoreTargetNotSupported(
      `Recovery point ${rp.body.name} holds a whole server: restore it as a server (--target-resource-id a registered flexible server), as files, or one table of one of its databases (initialize-for-item-recovery).`,
    );
  }
  const db = await restoreTargetServer(ctx, vault, target.datasourceInfo.resourceID, target.credentials, rp.body);
  if (await databaseExists(db.maintenance, db.database)) {
    throw errors.databaseNameInUse(
      `A database named '${db.database}' already exists on server '${db.server}'. A restore never overwrites (FailIfExists): choose a new database name.`,
    );
  }
  return { request, recoveryPoint: rp.body, destination: target.datasourceInfo.resourceID };
}

/** The directory of a files restore, given as a path or a file:// URL; returns the dump file's path in the resolved directory. */
export function checkFileTarget(url: string, filePrefix: string, policy: FilesTargetPolicy): string {
  const file = join(checkTargetDirectory(url, policy), `${filePrefix}.dump`);
  refuseExisting([file]);
  return file;
}

/**
 * The same for a whole-server point, which is restored as one file per database, roles,
 * tablespaces and a manifest (domain/server-restore-files.ts): none of them may exist. Returns
 * the manifest's path (the job finds the others beside it).
 */
export function checkServerFilesTarget(url: string, filePrefix: string, policy: FilesTargetPolicy, databases: readonly string[]): string {
  const names = serverFileNames(checkTargetDirectory(url, policy), filePrefix, databases);
  refuseExisting(allServerFiles(names));
  return names.manifest;
}

/** The resolved target directory, which must exist and be writable. */
function checkTargetDirectory(url: string, policy: FilesTargetPolicy): string {
  const dir = confineTargetDirectory(targetDirectory(url), policy);
  const ok = existsSync(dir) && statSync(dir).isDirectory();
  if (!ok) throw errors.restoreDirectoryNotAccessible(`The target directory '${dir}' does not exist.`, 'restoreTargetInfo.targetDetails.url');
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw errors.restoreDirectoryNotAccessible(`The service cannot write to the target directory '${dir}'.`, 'restoreTargetInfo.targetDetails.url');
  }
  return dir;
}

/** The restore writes each file, its checksum and their `.partial`s; a leftover of another restore is never overwritten either. */
function refuseExisting(files: string[]): void {
  for (const file of files) {
    for (const f of namesWrittenFor(file)) {
      if (existsSync(f)) throw errors.restoreFileExists(f);
    }
  }
}

/** The absolute directory a files target's url names (a path or a file:// URL). */
function targetDirectory(url: string): string {
  let dir: string;
  if (/^file:/i.test(url)) dir = fileURLToPath(url);
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw errors.restoreDirectoryNotAccessible(
      `dpvault restores files to a directory on the server's machine or to an object storage container; '${url.replace(/\?.*$/, '')}' is neither a directory path or file:// URL nor an https://, azblob:// or s3:// container URL.`,
      'restoreTargetInfo.targetDetails.url',
    );
  } else if (isAbsolute(url)) dir = url;
  else {
    throw errors.requestParameterInvalid(
      `The target directory '${url}' is a relative path, which the server would resolve against its own working directory: give a full path (such as /var/backups/restores) or a file:// URL.`,
      'restoreTargetInfo.targetDetails.url',
    );
  }
  return dir;
}

/**
 * A dry run's first check, made before its operation starts so that it is refused with a 400: a
 * files target must lie where this installation lets restores write. A request that cannot be
 * read is left to the operation, which reports why.
 */
export function refuseUnconfinedFilesTarget(ctx: ServiceContext, body: unknown): void {
  let request: RestoreRequest;
  try {
    request = readRestoreRequest(body);
  } catch {
    return;
  }
  if (request.target.kind !== 'files') return;
  if (isContainerUrl(request.target.url)) containerTargetFor(ctx, request.target.url);
  else confineTargetDirectory(targetDirectory(request.target.url), filesTargetPolicy(ctx));
}

/** Where this installation lets restores as files write. */
export function filesTargetPolicy(ctx: ServiceContext): FilesTargetPolicy {
  return { roots: ctx.restoreFilesRoots ?? [], dataDir: ctx.dataDir };
}

const REHYDRATION_REQUEST = 'AzureBackupRestoreWithRehydrationRequest';
const REHYDRATION_PRIORITIES = ['Standard', 'High'];

/**
 * The recovery point must be in the datastore the request reads from. ArchiveStore cannot be read
 * directly: a restore from it must be an AzureBackupRestoreWithRehydrationRequest, which copies the
 * point back to VaultStore first (reference §3.5). A point rehydrated earlier can be restored from
 * VaultStore until its rehydrated copy expires.
 */
function checkSourceDataStore(rp: RecoveryPointResource, request: RestoreRequest): void {
  if (request.objectType === REHYDRATION_REQUEST) rehydrationOf(request);
  const store = request.sourceDataStoreType;
  const where = Object.keys(rp.internal.data);
  if (store.toLowerCase() === 'archivestore' && where.includes('ArchiveStore')) {
    if (request.objectType !== REHYDRATION_REQUEST) {
      throw errors.rehydrationRequired(
        `Recovery point ${rp.name} is in ArchiveStore, which cannot be read directly: it must be rehydrated to VaultStore first. ` +
          'Send an AzureBackupRestoreWithRehydrationRequest with rehydrationPriority (Standard or High) and rehydrationRetentionDuration (P10D to P30D); ' +
          'with the CLI, add --rehydration-priority Standard --rehydration-duration 15 to restore initialize-for-data-recovery.',
        'objectType',
      );
    }
    const h = rp.internal.rehydrated;
    if (h?.status === 'CREATE_IN_PROGRESS' || h?.status === 'DELETE_IN_PROGRESS') {
      const what = h.status === 'CREATE_IN_PROGRESS' ? `is being rehydrated (job ${h.jobId})` : 'has a rehydrated copy being deleted';
      throw errors.rehydrationInProgress(`Recovery point ${rp.name} ${what}; try again when that has finished.`);
    }
    return;
  }
  if (storedIn(rp, store)) return;
  const hint = where.includes('ArchiveStore')
    ? ' Restore it with --source-datastore ArchiveStore --rehydration-priority Standard --rehydration-duration <10 to 30 days>.'
    : ' Set --source-datastore to where it is.';
  throw errors.recoveryPointNotInDatastore(
    `Recovery point ${rp.name} is not in ${store}; it is in ${where.join(', ') || 'no datastore'}.${hint}`,
    'sourceDataStoreType',
  );
}

/** The priority and retention days of a rehydration request, checked as Azure and az check them. */
export function rehydrationOf(request: RestoreRequest): { priority: string; days: number } {
  const priority = REHYDRATION_PRIORITIES.find((p) => p.toLowerCase() === (request.rehydrationPriority ?? '').toLowerCase());
  if (!priority) {
    throw errors.requestParameterInvalid(
      `rehydrationPriority must be ${REHYDRATION_PRIORITIES.join(' or ')}; got '${request.rehydrationPriority ?? ''}'.`,
      'rehydrationPriority',
    );
  }
  return { priority, days: rehydrationDays(request.rehydrationRetentionDuration) };
}

/** Days of a rehydrationRetentionDuration: `P15D` (ISO 8601, as az sends) or `15D` (as Azure's examples send), 10 to 30. */
export function rehydrationDays(text: string | null): number {
  const m = /^P?(\d{1,4})D$/i.exec((text ?? '').trim());
  if (!m) {
    throw errors.requestParameterInvalid(
      `rehydrationRetentionDuration must be a number of days such as P15D; got '${text ?? ''}'. The allowed range of rehydration duration is 10 to 30 days.`,
      'rehydrationRetentionDuration',
    );
  }
  const days = Number(m[1]);
  if (days < 10 || days > 30) {
    throw errors.requestParameterInvalid('The allowed range of rehydration duration is 10 to 30 days.', 'rehydrationRetentionDuration');
  }
  return days;
}
