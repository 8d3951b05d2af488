// Restore requests (AzureBackupRecoveryPointBasedRestoreRequest and the rehydration variant),
// read leniently: camelCase, PascalCase or snake_case keys, as clients send them.
import { errors } from './errors.ts';
import { field, readCredentials, readDatasource, type DatasourceRef, type SecretStoreCredentials } from './backup-instance.ts';
import { readRestoreItems, type RestoreItem } from './restore-items.ts';

export interface DatabaseTarget {
  kind: 'database';
  datasourceInfo: DatasourceRef;
  credentials: SecretStoreCredentials | null;
  restoreLocation: string;
  /**
   * dpvault only: leave every restored object owned by the restoring user instead of its owner
   * in the backup (pg_restore --no-owner). Grants are restored either way.
   */
  noOwner: boolean;
}

/**
 * A whole-server recovery point restored as a server (dpvault beyond Azure): a RestoreTargetInfo
 * whose datasourceInfo is a registered flexible server. Reached with the vault's own identity,
 * so it carries no credentials.
 */
export interface ServerTarget {
  kind: 'server';
  datasourceInfo: DatasourceRef;
  restoreLocation: string;
  /**
   * dpvault only (`restoreTargetInfo.databaseNamePrefix`, az's --database-name-prefix): each
   * database is created as PREFIX<name>; empty for the names as they are.
   */
  databaseNamePrefix: string;
  noOwner: boolean;
}

/** The datasource type of a flexible server: a RestoreTargetInfo naming one is a restore as a server. */
export const FLEXIBLE_SERVER_DATASOURCE_TYPE = 'Microsoft.DBforPostgreSQL/flexibleServers';

export interface FilesTarget {
  kind: 'files';
  url: string;
  filePrefix: string;
  restoreLocation: string;
}

/** An item-level restore (ItemLevelRestoreTargetInfo): tables of a recovery point into an existing database. */
export interface ItemsTarget {
  kind: 'items';
  datasourceInfo: DatasourceRef;
  credentials: SecretStoreCredentials | null;
  restoreLocation: string;
  items: RestoreItem[];
  /**
   * dpvault only: which database's dump of the recovery point the items come from; needed for a
   * whole-server point, optional for a database point (it must then be the point's database).
   */
  sourceDatabaseName: string | null;
  noOwner: boolean;
}

export interface RestoreRequest {
  objectType: string;
  recoveryPointId: string;
  sourceDataStoreType: string;
  target: DatabaseTarget | ServerTarget | FilesTarget | ItemsTarget;
  rehydrationPriority: string | null;
  rehydrationRetentionDuration: string | null;
}

const REQUEST_TYPES = ['AzureBackupRecoveryPointBasedRestoreRequest', 'AzureBackupRestoreWithRehydrationRequest'];

export function readRestoreRequest(body: unknown): RestoreRequest {
  if (!body || typeof body !== 'object') throw errors.requestParameterInvalid('The restore request is empty.');
  const objectType = REQUEST_TYPES.find((t) => t.toLowerCase() === String(field(body, 'objectType') ?? '').toLowerCase());
  if (!objectType) {
    throw errors.requestParameterInvalid(
      `objectType must be one of ${REQUEST_TYPES.join(', ')}; got '${String(field(body, 'objectType'))}'. Point-in-time restores are not supported for PostgreSQL.`,
      'objectType',
    );
  }
  const recoveryPointId = field(body, 'recoveryPointId');
  if (typeof recoveryPointId !== 'string' || !recoveryPointId) throw errors.requestParameterInvalid('recoveryPointId is required.', 'recoveryPointId');
  const sourceDataStoreType = String(field(body, 'sourceDataStoreType') ?? 'VaultStore');
  const info = field(body, 'restoreTargetInfo');
  const targetType = String(field(info, 'objectType') ?? '').toLowerCase();
  const recoveryOption = String(field(info, 'recoveryOption') ?? 'FailIfExists');
  if (recoveryOption.toLowerCase() !== 'failifexists') {
    throw errors.requestParameterInvalid(`recoveryOption must be FailIfExists; a PostgreSQL restore never overwrites.`, 'restoreTargetInfo.recoveryOption');
  }
  const restoreLocation = String(field(info, 'restoreLocation') ?? '');
  let target: RestoreRequest['target'];
  if (targetType === 'itemlevelrestoretargetinfo') {
    const database = field(info, 'sourceDatabaseName');
    if (database !== undefined && database !== null && (typeof database !== 'string' || !database)) {
      throw errors.requestParameterInvalid('restoreTargetInfo.sourceDatabaseName must be a database name.', 'restoreTargetInfo.sourceDatabaseName');
    }
    target = {
      kind: 'items',
      datasourceInfo: readDatasource(field(info, 'datasourceInfo'), 'restoreTargetInfo.datasourceInfo', 'Datasource'),
      credentials: readCredentials(field(info, 'datasourceAuthCredentials'), 'restoreTargetInfo.datasourceAuthCredentials'),
      restoreLocation,
      items: readRestoreItems(field(info, 'restoreCriteria')),
      sourceDatabaseName: typeof database === 'string' ? database : null,
      noOwner: readFlag(field(info, 'noOwner'), 'restoreTargetInfo.noOwner'),
    };
  } else if (targetType === 'restoretargetinfo' && isServerRef(field(info, 'datasourceInfo'))) {
    target = {
      kind: 'server',
      datasourceInfo: readDatasource(field(info, 'datasourceInfo'), 'restoreTargetInfo.datasourceInfo', 'Datasource'),
      restoreLocation,
      databaseNamePrefix: readDatabaseNamePrefix(field(info, 'databaseNamePrefix')),
      noOwner: readFlag(field(info, 'noOwner'), 'restoreTargetInfo.noOwner'),
    };
  } else if (targetType === 'restoretargetinfo') {
    target = {
      kind: 'database',
      datasourceInfo: readDatasource(field(info, 'datasourceInfo'), 'restoreTargetInfo.datasourceInfo', 'Datasource'),
      credentials: readCredentials(field(info, 'datasourceAuthCredentials'), 'restoreTargetInfo.datasourceAuthCredentials'),
      restoreLocation,
      noOwner: readFlag(field(info, 'noOwner'), 'restoreTargetInfo.noOwner'),
    };
  } else if (targetType === 'restorefilestargetinfo') {
    const details = field(info, 'targetDetails');
    const url = field(details, 'url');
    const filePrefix = field(details, 'filePrefix');
    if (typeof url !== 'string' || !url) throw errors.requestParameterInvalid('restoreTargetInfo.targetDetails.url is required.', 'restoreTargetInfo.targetDetails.url');
    if (typeof filePrefix !== 'string' || !filePrefix || /[/\\]/.test(filePrefix) || filePrefix.startsWith('.')) {
      throw errors.requestParameterInvalid('restoreTargetInfo.targetDetails.filePrefix must be a plain file name.', 'restoreTargetInfo.targetDetails.filePrefix');
    }
    target = { kind: 'files', url, filePrefix, restoreLocation };
  } else {
    throw errors.requestParameterInvalid(
      `restoreTargetInfo.objectType must be RestoreTargetInfo (a new database), RestoreFilesTargetInfo (a directory) or ItemLevelRestoreTargetInfo (tables into a database).`,
      'restoreTargetInfo.objectType',
    );
  }
  const priority = field(body, 'rehydrationPriority');
  const duration = field(body, 'rehydrationRetentionDuration');
  return {
    objectType,
    recoveryPointId,
    sourceDataStoreType,
    target,
    rehydrationPriority: typeof priority === 'string' ? priority : null,
    rehydrationRetentionDuration: typeof duration === 'string' ? duration : null,
  };
}

/** An optional boolean property: absent is false; true/false or "true"/"false" as clients send them. */
function readFlag(value: unknown, target: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw errors.requestParameterInvalid(`${target} must be true or false; got ${JSON.stringify(value)}.`, target);
}

/** Whether a target's datasourceInfo names a flexible server (its datasourceType, else its resourceType). */
function isServerRef(info: unknown): boolean {
  const type = field(info, 'datasourceType') ?? field(info, 'resourceType');
  return typeof type === 'string' && type.toLowerCase() === FLEXIBLE_SERVER_DATASOURCE_TYPE.toLowerCase();
}

/**
 * The prefix of a restore as a server: absent is none; else letters, digits, `_` and `$`
 * (starting with a letter or `_`), so that PREFIX<name> needs no quoting to be typed.
 */
function readDatabaseNamePrefix(value: unknown): string {
  if (value === undefined || value === null || value === '') return '';
  const where = 'restoreTargetInfo.databaseNamePrefix';
  if (typeof value !== 'string' || !/^[A-Za-z_][A-Za-z0-9_$]*$/.test(value) || value.length > 40) {
    throw errors.requestParameterInvalid(
      `${where} must be 1 to 40 letters, digits, '_' or '$', starting with a letter or '_' (such as restored_); got ${JSON.stringify(value)}.`,
      where,
    );
  }
  return value;
}
