// The client-side request builders of `backup-instance initialize` and `restore
// initialize-for-data-recovery[-as-files]`, producing az's snake_case objects key for key and
// failing with az's messages in az's order; the snake->camel key conversion az applies before
// sending them; and the date-time argument formats of those commands. Pure: the instance GUID is
// passed in, and the one lookup a restore may need (a backup instance's datasource) is injected.
import { badArgument, errors, usage } from '../domain/errors.ts';
import type { DatasourceManifest } from '../datasources/manifest.ts';

type Obj = Record<string, unknown>;

const missing = (message: string) => errors.requestArgumentMissing(message);
const exclusive = (message: string) => errors.argumentsMutuallyExclusive(message);

/** az's convert_dict_keys_snake_to_camel: every key, at every depth, with `_x` -> `X` (so `resource_id` -> `resourceId`). */
export function snakeToCamel(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeToCamel);
  if (!value || typeof value !== 'object') return value;
  const out: Obj = {};
  for (const [k, v] of Object.entries(value)) out[k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())] = snakeToCamel(v);
  return out;
}

/**
 * A time-based (version 1) UUID, lowercase 8-4-4-4-12, as Python's uuid.uuid1: the 60-bit count of
 * 100 ns ticks since 1582-10-15, a 14-bit clock sequence and a 48-bit node, both taken from
 * `random` (8 bytes; the node gets the multicast bit, as RFC 4122 asks of a random node).
 */
export function uuid1(msSinceEpoch: number, random: Uint8Array): string {
  if (random.length < 8) throw new RangeError('uuid1 needs 8 random bytes');
  const ticks = BigInt(Math.floor(msSinceEpoch)) * 10000n + 0x01b21dd213814000n;
  const hex = (n: bigint | number, width: number) => n.toString(16).padStart(width, '0');
  const timeLow = ticks & 0xffffffffn;
  const timeMid = (ticks >> 32n) & 0xffffn;
  const timeHi = ((ticks >> 48n) & 0x0fffn) | 0x1000n;
  const clockSeq = (((random[0]! << 8) | random[1]!) & 0x3fff) | 0x8000;
  const node = [random[2]! | 0x01, ...random.subarray(3, 8)].map((b) => hex(b, 2)).join('');
  return `${hex(timeLow, 8)}-${hex(timeMid, 4)}-${hex(timeHi, 4)}-${hex(clockSeq, 4)}-${node}`;
}

/** az's location argument: a name is kept as typed; a display name ("West US 2") becomes its name. */
export const locationName = (value: string): string => (/\s/.test(value) ? value.replace(/\s+/g, '').toLowerCase() : value);

export function datasourceInfo(manifest: DatasourceManifest, resourceId: string, location: string): Obj {
  return {
    datasource_type: manifest.datasourceType,
    object_type: 'Datasource',
    resource_name: resourceId.split('/').at(-1),
    resource_type: manifest.resourceType,
    resource_uri: '',
    resource_id: resourceId,
    resource_location: location,
  };
}

export function datasourceSetInfo(manifest: DatasourceManifest, resourceId: string, location: string): Obj {
  const parts = resourceId.split('/');
  if (parts.length < 3) throw badArgument(`${resourceId} is not a valid resource id`);
  return {
    datasource_type: manifest.datasourceType,
    object_type: 'DatasourceSet',
    resource_name: parts.at(-3),
    resource_type: manifest.resourceType.split('/').slice(0, -1).join('/'),
    resource_uri: '',
    resource_id: parts.slice(0, -2).join('/'),
    resource_location: location,
  };
}

export function authCredentials(type: string | undefined, uri: string | undefined): Obj | null {
  if (uri && type) return { secret_store_resource: { uri, value: null, secret_store_type: type }, object_type: 'SecretStoreBasedAuthCredentials' };
  if (uri || type) throw missing('Either secret store uri or secret store type not provided.');
  return null;
}

export interface InitializeBackupInstanceArgs {
  datasourceId: string;
  datasourceLocation: string;
  policyId: string;
  secretStoreType?: string;
  secretStoreUri?: string;
  friendlyName?: string;
  backupConfiguration?: unknown;
  /** Accepted and ignored for PostgreSQL (its manifest adds no datastore parameters). */
  snapshotResourceGroupName?: string;
  tags?: Record<string, string> | null;
}

/** What a builder made, and the warnings az would log while making it. */
export interface Built<T> {
  value: T;
  warnings: string[];
}

/** `backup-instance initialize`: the request `create` and `validate-for-backup` take, named `<server>-<db>-<guid>`. */
export function initializeBackupInstance(args: InitializeBackupInstanceArgs, manifest: DatasourceManifest, guid: string): Built<Obj> {
  const warnings: string[] = [];
  const location = locationName(args.datasourceLocation);
  const info = datasourceInfo(manifest, args.datasourceId, location);
  const setInfo = manifest.isProxyResource ? datasourceSetInfo(manifest, args.datasourceId, location) : null;
  const credentials = manifest.supportSecretStoreAuthentication ? authCredentials(args.secretStoreType, args.secretStoreUri) : null;
  if (!manifest.friendlyNameRequired && args.friendlyName !== undefined) {
    warnings.push('--friendly-name is not a required parameter for the given DatasourceType, and the user input will be overridden');
  }
  const dbName = info.resource_name as string;
  const parentName = setInfo ? (setInfo.resource_name as string) : dbName;
  if (args.backupConfiguration !== undefined) warnings.push('--backup-configuration is not required for the given DatasourceType, and will not be used');
  return {
    value: {
      backup_instance_name: `${parentName}-${dbName}-${guid}`,
      properties: {
        data_source_info: info,
        data_source_set_info: setInfo,
        policy_info: { policy_id: args.policyId, policy_parameters: null },
        datasource_auth_credentials: credentials,
        friendly_name: setInfo ? `${parentName}/${dbName}` : dbName,
        object_type: 'BackupInstance',
      },
      tags: args.tags ?? null,
    },
    warnings,
  };
}

export interface RestoreSourceArgs {
  sourceDatastore: string;
  restoreLocation: string;
  recoveryPointId?: string;
  /** Already in az's form (see pointInTimeArgument). */
  pointInTime?: string;
  rehydrationPriority?: string;
  /** Days; az's default is 15. */
  rehydrationDuration?: number;
}

/** Checks 1-4 of az's restore initializers, in az's order, and the request's first keys. */
export function restoreSource(args: RestoreSourceArgs, manifest: DatasourceManifest): Obj {
  const { recoveryPointId: rp, pointInTime: pit } = args;
  if (rp !== undefined && pit !== undefined) throw missing('Please provide either recovery point id or point in time parameter, not both.');
  if (rp === undefined && pit === undefined) throw missing('Please provide either recovery point id or point in time parameter.');
  const request: Obj =
    rp !== undefined
      ? { object_type: 'AzureBackupRecoveryPointBasedRestoreRequest', recovery_point_id: rp }
      : { object_type: 'AzureBackupRecoveryTimeBasedRestoreRequest', recovery_point_time: pit };
  const mode = rp !== undefined ? 'RecoveryPointBased' : 'PointInTimeBased';
  if (args.rehydrationPriority) {
    const days = args.rehydrationDuration ?? 15;
    if (days < 10 || days > 30) throw badArgument('The allowed range of rehydration duration is 10 to 30 days.');
    request.object_type = 'AzureBackupRestoreWithRehydrationRequest';
    request.rehydration_priority = args.rehydrationPriority;
    request.rehydration_retention_duration = `P${days}D`;
  }
  if (!manifest.allowedRestoreModes.includes(mode)) {
    throw badArgument(`${mode} restore mode is not supported for datasource type ${manifest.name}. Supported restore modes are ${manifest.allowedRestoreModes.join(',')}`);
  }
  const stores = manifest.policySettings.supportedDatastoreTypes;
  if (!stores.includes(args.sourceDatastore)) {
    throw badArgument(`${args.sourceDatastore} datastore type is not supported for datasource type ${manifest.name}. Supported datastore types are ${stores.join(',')}`);
  }
  request.source_data_store_type = args.sourceDatastore;
  return request;
}

export const targetBasics = (objectType: string, location: string): Obj => ({ object_type: objectType, restore_location: location, recovery_option: 'FailIfExists' });

export interface DataRecoveryArgs extends RestoreSourceArgs {
  targetResourceId?: string;
  backupInstanceId?: string;
  secretStoreType?: string;
  secretStoreUri?: string;
}

/** Reads the datasource ARM id of the backup instance with this id (az GETs the instance). */
export type InstanceDatasourceLookup = (backupInstanceId: string) => Promise<string>;

/** `restore initialize-for-data-recovery`: a restore to a database (alternate location, or the original with --backup-instance-id). */
export async function initializeForDataRecovery(args: DataRecoveryArgs, manifest: DatasourceManifest, lookup?: InstanceDatasourceLookup): Promise<Obj> {
  const request = restoreSource(args, manifest);
  const target = targetBasics('RestoreTargetInfo', args.restoreLocation);
  request.restore_target_info = target;
  if (args.targetResourceId !== undefined && args.backupInstanceId !== undefined) {
    throw exclusive('Please provide either target-resource-id or backup-instance-id, not both.');
  }
  if (args.targetResourceId === undefined && args.backupInstanceId === undefined) {
    throw exclusive('Please provide either target-resource-id (for alternate location restore) or backup-instance-id (for original location restore).');
  }
  let datasourceId = args.targetResourceId;
  if (datasourceId === undefined) {
    if (!lookup) throw errors.instanceLookupMissing();
    datasourceId = await lookup(args.backupInstanceId!);
  }
  target.datasource_info = datasourceInfo(manifest, datasourceId, args.restoreLocation);
  if (manifest.isProxyResource) target.datasource_set_info = datasourceSetInfo(manifest, datasourceId, args.restoreLocation);
  if (manifest.supportSecretStoreAuthentication) target.datasource_auth_credentials = authCredentials(args.secretStoreType, args.secretStoreUri);
  return request;
}

export interface FilesRecoveryArgs extends RestoreSourceArgs {
  /** A blob container URL as in az, an s3:// or azblob:// URL, or a directory path or file:// URL; passed through. */
  targetBlobContainerUrl: string;
  targetFileName: string;
  targetResourceId?: string;
}

/** `restore initialize-for-data-recovery-as-files`: a restore of the backup's files to a container (or a directory). */
export function initializeForDataRecoveryAsFiles(args: FilesRecoveryArgs, manifest: DatasourceManifest): Obj {
  if (!manifest.allowedRestoreTargetTypes.includes('RestoreAsFiles')) {
    throw badArgument(`Specified DatasourceType ${manifest.name} doesn't support Recovery as Files`);
  }
  const request = restoreSource(args, manifest);
  const details: Obj = { url: args.targetBlobContainerUrl, file_prefix: args.targetFileName, restore_target_location_type: 'AzureBlobs' };
  if (args.targetResourceId !== undefined) details.target_resource_arm_id = args.targetResourceId;
  request.restore_target_info = { ...targetBasics('RestoreFilesTargetInfo', args.restoreLocation), target_details: details };
  return request;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * An ISO 8601 date or date-time in az's wire form `YYYY-MM-DDTHH:MM:SS.ffffff0Z` (the wall-clock
 * fields as written, as Python's strftime does), or undefined when it is not a valid date-time.
 */
export function azDateTime(value: string): string | undefined {
  const m = DATE_TIME.exec(value.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4] ?? '00', m[5] ?? '00', m[6] ?? '00'].map(Number) as [number, number, number, number, number, number];
  const monthDays = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > monthDays[mo - 1]! || h > 23 || mi > 59 || s > 59) return undefined;
  const two = (n: number) => String(n).padStart(2, '0');
  const micro = (m[7] ?? '').slice(0, 6).padEnd(6, '0');
  return `${String(y).padStart(4, '0')}-${two(mo)}-${two(d)}T${two(h)}:${two(mi)}:${two(s)}.${micro}0Z`;
}

/** `--point-in-time` of the restore initializers (an argument type: a bad value is a usage error). */
export function pointInTimeArgument(value: string): string {
  const out = azDateTime(value);
  if (!out) throw usage(`Input '${value}' not valid. Valid example:2017-12-31T05:30:00`);
  return out;
}

/** `--start-time` / `--end-time` of `recovery-point list`. */
export function recoveryPointTimeArgument(value: string): string {
  const out = azDateTime(value);
  if (!out) throw badArgument(`Input '${value}' not valid datetime. Valid example: 2017-12-31T05:30:00`);
  return out;
}

/**
 * The request `backup-instance create` sends, as az's AAZ serialiser writes it: camelCase with
 * `resourceID` in the datasource infos, null values left out, and `tags` only when given.
 */
export function instanceCreateBody(instance: { properties: unknown; tags?: unknown }): Obj {
  const properties = dropNulls(snakeToCamel(instance.properties)) as Obj;
  for (const key of ['dataSourceInfo', 'dataSourceSetInfo']) {
    const ref = properties[key] as Obj | undefined;
    if (ref && 'resourceId' in ref && !('resourceID' in ref)) {
      properties[key] = Object.fromEntries(Object.entries(ref).map(([k, v]) => [k === 'resourceId' ? 'resourceID' : k, v]));
    }
  }
  const body: Obj = { properties };
  if (instance.tags !== null && instance.tags !== undefined) body.tags = instance.tags;
  return body;
}

function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [k, dropNulls(v)]));
}
