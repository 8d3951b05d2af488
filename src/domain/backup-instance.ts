// Backup instances as the REST API shows them, and the lenient reading of what clients send
// (az sends camelCase with `resourceID` on create and `resourceId` on validate; docs send other casings).
import { errors } from './errors.ts';

export const INSTANCE_TYPE = 'Microsoft.DataProtection/backupVaults/backupInstances';
export const RECOVERY_POINT_TYPE = 'Microsoft.DataProtection/backupVaults/backupInstances/recoveryPoints';

export interface DatasourceRef {
  datasourceType: string;
  objectType: string;
  resourceID: string;
  resourceLocation: string;
  resourceName: string;
  resourceType: string;
  resourceUri: string;
}

export interface SecretStoreCredentials {
  objectType: 'SecretStoreBasedAuthCredentials';
  secretStoreResource: { secretStoreType: string; uri: string; value: null };
}

export interface BackupInstanceProperties {
  friendlyName: string;
  dataSourceInfo: DatasourceRef;
  dataSourceSetInfo: DatasourceRef | null;
  policyInfo: { policyId: string; policyVersion?: string; policyParameters?: unknown };
  protectionStatus: { status: string; errorDetails: unknown };
  currentProtectionState: string;
  protectionErrorDetails: unknown;
  provisioningState: string;
  datasourceAuthCredentials: SecretStoreCredentials | null;
  validationType: string | null;
  objectType: 'BackupInstance';
}

export interface BackupInstanceResource {
  id: string;
  name: string;
  type: string;
  tags: Record<string, string> | null;
  properties: BackupInstanceProperties;
}

/** Reads a property whatever its key casing or snake_case spelling. */
export function field(obj: unknown, name: string): unknown {
  if (!obj || typeof obj !== 'object') return undefined;
  const want = name.toLowerCase().replaceAll('_', '');
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase().replaceAll('_', '') === want) return v;
  return undefined;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

export function readDatasource(value: unknown, path: string, objectType: 'Datasource' | 'DatasourceSet'): DatasourceRef {
  if (!value || typeof value !== 'object') throw errors.requestParameterInvalid(`${path} is required.`, path);
  const resourceID = str(field(value, 'resourceID'));
  if (!resourceID) throw errors.requestParameterInvalid(`${path}.resourceID is required.`, `${path}.resourceID`);
  return {
    datasourceType: str(field(value, 'datasourceType')),
    objectType,
    resourceID,
    resourceLocation: str(field(value, 'resourceLocation')),
    resourceName: str(field(value, 'resourceName')) || resourceID.split('/').filter(Boolean).pop()!,
    resourceType: str(field(value, 'resourceType')),
    resourceUri: str(field(value, 'resourceUri')),
  };
}

export function readCredentials(value: unknown, path: string): SecretStoreCredentials | null {
  if (value === undefined || value === null) return null;
  const store = field(value, 'secretStoreResource');
  const uri = str(field(store, 'uri'));
  const type = str(field(store, 'secretStoreType')) || 'AzureKeyVault';
  if (!uri) throw errors.requestParameterInvalid(`${path}.secretStoreResource.uri is required.`, `${path}.secretStoreResource.uri`);
  if (type.toLowerCase() !== 'azurekeyvault') {
    throw errors.requestParameterInvalid(`Secret store type '${type}' is not supported; use AzureKeyVault.`, `${path}.secretStoreResource.secretStoreType`);
  }
  return { objectType: 'SecretStoreBasedAuthCredentials', secretStoreResource: { secretStoreType: 'AzureKeyVault', uri, value: null } };
}

/** The parts of a PostgreSQL database id: `.../Microsoft.DBforPostgreSQL/servers/{server}/databases/{db}`. */
export function parseDatabaseId(id: string): { serverId: string; server: string; database: string } {
  const m = /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.DBforPostgreSQL\/servers\/([^/]+))\/databases\/([^/]+)$/i.exec(id);
  if (!m) {
    throw errors.datasourceIdInvalid(
      `'${id}' is not a PostgreSQL database id; expected /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.DBforPostgreSQL/servers/{server}/databases/{database}.`,
    );
  }
  return { serverId: m[1]!, server: m[2]!, database: m[3]! };
}
