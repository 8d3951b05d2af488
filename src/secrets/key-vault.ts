// The built-in key vault's model beyond the resource itself (src/domain/key-vault.ts): the stored
// records of secrets and their versions, Azure's naming rules, secret identifiers
// (`https://{vault}.vault.azure.net/secrets/{name}[/{version}]`) and the data-plane shapes az
// prints for secrets. Pure: no I/O, time passed in.
import { errors } from '../domain/errors.ts';
import type { KeyVault } from '../domain/key-vault.ts';

export const SECRET_TYPE = 'Microsoft.KeyVault/vaults/secrets';
export const SECRET_VERSION_TYPE = 'Microsoft.KeyVault/vaults/secrets/versions';
/** Azure's limit on a secret value. */
export const MAX_SECRET_BYTES = 25 * 1024;

/** A secret: its latest version and the metadata shown for it. The value lives only in versions, sealed. */
export interface SecretRecord {
  name: string;
  currentVersion: string;
  contentType: string | null;
  tags: Record<string, string>;
  created: string;
  updated: string;
}

export interface SecretVersionRecord {
  version: string;
  contentType: string | null;
  tags: Record<string, string>;
  created: string;
  /** crypto.ts's sealed form of the value; never the value itself. */
  sealed: string;
}

const KEY_VAULT_NAME = /^[A-Za-z][A-Za-z0-9-]{1,22}[A-Za-z0-9]$/;
const SECRET_NAME = /^[0-9A-Za-z-]{1,127}$/;
const VERSION = /^[0-9a-f]{32}$/i;

export function checkKeyVaultName(name: string): void {
  if (!KEY_VAULT_NAME.test(name) || name.includes('--')) {
    throw errors.keyVaultNameInvalid(name);
  }
}

export function checkSecretName(name: string): void {
  if (!SECRET_NAME.test(name)) {
    throw errors.secretNameInvalid(name);
  }
}

export const keyVaultUri = (vaultName: string): string => `https://${vaultName.toLowerCase()}.vault.azure.net/`;

export const secretUri = (vaultName: string, name: string, version?: string): string =>
  `${keyVaultUri(vaultName)}secrets/${name}${version ? `/${version}` : ''}`;

export interface SecretUriParts {
  vaultName: string;
  name: string;
  version?: string;
}

/**
 * Reads a secret identifier, `https://{vault}.vault.azure.net/secrets/{name}[/{version}]` (any
 * `{vault}.vault.*` host, so the sovereign clouds' URIs read too). Undefined when it is not one;
 * callers raise their own error.
 */
export function parseSecretUri(uri: string): SecretUriParts | undefined {
  const m = /^https:\/\/([^./]+)\.vault\.[^/]+\/secrets\/([^/?#]+)(?:\/([^/?#]+))?\/?$/i.exec(uri.trim());
  if (!m) return undefined;
  const [, vaultName, name, version] = m as unknown as [string, string, string, string | undefined];
  if (!KEY_VAULT_NAME.test(vaultName) || !SECRET_NAME.test(name) || (version !== undefined && !VERSION.test(version))) return undefined;
  return version ? { vaultName, name, version: version.toLowerCase() } : { vaultName, name };
}

/** A vault URI as az's `--id` of `secret list` takes it: `https://{vault}.vault.azure.net[/]`. */
export function parseKeyVaultUri(uri: string): string | undefined {
  const m = /^https:\/\/([^./]+)\.vault\.[^/]+\/?$/i.exec(uri.trim());
  return m && KEY_VAULT_NAME.test(m[1]!) ? m[1] : undefined;
}

/** An ISO instant as az prints Key Vault times: `2024-05-02T09:10:11+00:00`. */
const azTime = (iso: string): string => `${iso.slice(0, 19)}+00:00`;

function attributes(vault: KeyVault, created: string, updated: string) {
  return {
    created: azTime(created),
    enabled: true,
    expires: null,
    notBefore: null,
    recoverableDays: vault.properties.softDeleteRetentionInDays,
    recoveryLevel: vault.properties.enablePurgeProtection ? 'Recoverable' : 'Recoverable+Purgeable',
    updated: azTime(updated),
  };
}

/** A secret version as `az keyvault secret show` prints it; `value` only when the caller asked for it. */
export function secretBundle(vault: KeyVault, secret: SecretRecord, version: SecretVersionRecord, value?: string): Record<string, unknown> {
  const bundle: Record<string, unknown> = {
    attributes: attributes(vault, version.created, version.created),
    contentType: version.contentType,
    id: secretUri(vault.name, secret.name, version.version),
    kid: null,
    managed: null,
    name: secret.name,
    tags: version.tags,
  };
  if (value !== undefined) bundle.value = value;
  return bundle;
}

/** A secret as `az keyvault secret list` prints it: its id has no version, and there is no value. */
export function secretItem(vault: KeyVault, secret: SecretRecord): Record<string, unknown> {
  return {
    attributes: attributes(vault, secret.created, secret.updated),
    contentType: secret.contentType,
    id: secretUri(vault.name, secret.name),
    managed: null,
    name: secret.name,
    tags: secret.tags,
  };
}

/** A version as `az keyvault secret list-versions` prints it. */
export function secretVersionItem(vault: KeyVault, secret: SecretRecord, version: SecretVersionRecord): Record<string, unknown> {
  return {
    attributes: attributes(vault, version.created, version.created),
    contentType: version.contentType,
    id: secretUri(vault.name, secret.name, version.version),
    managed: null,
    name: secret.name,
    tags: version.tags,
  };
}

/** What `az keyvault secret delete` prints: the deleted secret, without its value. */
export function deletedSecretBundle(vault: KeyVault, secret: SecretRecord, version: SecretVersionRecord, now: Date): Record<string, unknown> {
  return { ...secretBundle(vault, secret, version), deletedDate: azTime(now.toISOString()), recoveryId: null, scheduledPurgeDate: null };
}
