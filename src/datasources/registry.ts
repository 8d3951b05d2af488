// The list of datasource manifests dpvault knows, and lookups by CLI name (`--datasource-type`),
// by ARM datasource type (a policy's `datasourceTypes[0]`) or by alias, all case-insensitive.
import { badArgument, type DpError } from '../domain/errors.ts';
import type { DatasourceManifest } from './manifest.ts';
import { azureDatabaseForPostgreSQL } from './postgresql.ts';
import { azureDatabaseForPostgreSQLFlexibleServer } from './postgresql-flexible-server.ts';

/**
 * The `--datasource-type` choices az offers (Manifests/config.py plus later releases). The CLI accepts
 * all of them so that the ones dpvault does not protect get a clear message instead of "invalid choice".
 */
export const DATASOURCE_TYPE_VALUES = [
  'AzureDisk',
  'AzureBlob',
  'AzureDatabaseForPostgreSQL',
  'AzureKubernetesService',
  'AzureDatabaseForPostgreSQLFlexibleServer',
  'AzureDatabaseForMySQL',
  'AzureDataLakeStorage',
  'AzureCosmosDB',
  'AzureElasticSAN',
] as const;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Every manifest dpvault implements. Frozen: copy (structuredClone) before editing anything taken from it. */
export const MANIFESTS: readonly DatasourceManifest[] = deepFreeze([azureDatabaseForPostgreSQL, azureDatabaseForPostgreSQLFlexibleServer]);

const BY_KEY = new Map<string, DatasourceManifest>();
for (const m of MANIFESTS) {
  for (const key of [m.name, m.datasourceType, ...m.aliases]) BY_KEY.set(key.toLowerCase(), m);
}

/** The manifest for a CLI datasource type name, an ARM datasource type or an alias; undefined if none. */
export function findManifest(value: string): DatasourceManifest | undefined {
  return BY_KEY.get(value.trim().toLowerCase());
}

/** Why `value` has no manifest, as a sentence naming what is supported. */
export function unsupportedDatasourceMessage(value: string): string {
  const supported = MANIFESTS.map((m) => `${m.name} (${m.datasourceType})`).join(', ');
  const known = DATASOURCE_TYPE_VALUES.find((v) => v.toLowerCase() === value.trim().toLowerCase());
  const what = known
    ? `Datasource type ${known} is not supported by dpvault, which protects PostgreSQL only.`
    : `'${value}' is not a known datasource type.`;
  return `${what} Supported datasource types: ${supported}.`;
}

/**
 * The manifest for `value`, or the error `fail` builds from a clear message (by default az's
 * client-side InvalidArgumentValueError; the service passes its own catalog constructor).
 */
export function requireManifest(value: unknown, fail: (message: string) => DpError = badArgument): DatasourceManifest {
  const found = typeof value === 'string' ? findManifest(value) : undefined;
  if (!found) throw fail(unsupportedDatasourceMessage(typeof value === 'string' ? value : String(value)));
  return found;
}
