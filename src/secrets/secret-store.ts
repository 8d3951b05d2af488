// Where the built-in key vault keeps its secrets: one catalog resource per secret (metadata and
// its latest version) and one per version, the value sealed under the master key (crypto.ts) with
// the version's id as associated data. Only this module turns values into ciphertext and back.
import type { Catalog, Page } from '../catalog/catalog.ts';
import { newHexId } from '../util/ids.ts';
import { openSecret, sealSecret } from './crypto.ts';
import { SECRET_TYPE, SECRET_VERSION_TYPE, type SecretRecord, type SecretVersionRecord } from './key-vault.ts';

/** What the store needs: the catalog and the master key (a ServiceContext satisfies it). */
export interface SecretStoreDeps {
  catalog: Catalog;
  masterKey: Buffer;
}

export const secretResourceId = (keyVaultId: string, name: string): string => `${keyVaultId}/secrets/${name}`;
export const secretVersionId = (keyVaultId: string, name: string, version: string): string =>
  `${secretResourceId(keyVaultId, name)}/versions/${version}`;

export async function getSecretRecord(deps: SecretStoreDeps, keyVaultId: string, name: string): Promise<SecretRecord | undefined> {
  return (await deps.catalog.getResource<SecretRecord>(secretResourceId(keyVaultId, name)))?.body;
}

export async function getSecretVersion(
  deps: SecretStoreDeps, keyVaultId: string, name: string, version: string,
): Promise<SecretVersionRecord | undefined> {
  return (await deps.catalog.getResource<SecretVersionRecord>(secretVersionId(keyVaultId, name, version)))?.body;
}

/** Stores `value` as a new version (a fresh 32-hex id) that becomes the secret's latest. */
export async function addSecretVersion(
  deps: SecretStoreDeps,
  keyVaultId: string,
  name: string,
  input: { value: string; contentType: string | null; tags: Record<string, string> },
  now: Date,
): Promise<{ secret: SecretRecord; version: SecretVersionRecord; created: boolean }> {
  return deps.catalog.transaction(async () => {
    const existing = await getSecretRecord(deps, keyVaultId, name);
    const stamp = now.toISOString();
    const versionId = newHexId();
    const secret: SecretRecord = {
      name: existing?.name ?? name,
      currentVersion: versionId,
      contentType: input.contentType,
      tags: input.tags,
      created: existing?.created ?? stamp,
      updated: stamp,
    };
    const id = secretVersionId(keyVaultId, secret.name, versionId);
    const version: SecretVersionRecord = {
      version: versionId,
      contentType: input.contentType,
      tags: input.tags,
      created: stamp,
      sealed: sealSecret(deps.masterKey, input.value, id),
    };
    const secretId = secretResourceId(keyVaultId, secret.name);
    await deps.catalog.putResource({ id: secretId, type: SECRET_TYPE, parentId: keyVaultId, body: { ...secret } });
    await deps.catalog.putResource({ id, type: SECRET_VERSION_TYPE, parentId: secretId, body: { ...version } });
    return { secret, version, created: !existing };
  });
}

/** The plaintext of one version; only resolveSecret and the explicit "show value" call come here. */
export function openSecretVersion(deps: SecretStoreDeps, keyVaultId: string, secret: SecretRecord, version: SecretVersionRecord): string {
  return openSecret(deps.masterKey, version.sealed, secretVersionId(keyVaultId, secret.name, version.version));
}

export async function listSecretRecords(
  deps: SecretStoreDeps, keyVaultId: string, page: { limit?: number; after?: string } = {},
): Promise<Page<SecretRecord>> {
  const res = await deps.catalog.listResources<SecretRecord>({ type: SECRET_TYPE, parentId: keyVaultId, ...page });
  return { items: res.items.map((r) => r.body), next: res.next };
}

/** Every version of a secret, oldest first. */
export async function listSecretVersions(deps: SecretStoreDeps, keyVaultId: string, name: string): Promise<SecretVersionRecord[]> {
  const res = await deps.catalog.listResources<SecretVersionRecord>({ type: SECRET_VERSION_TYPE, parentId: secretResourceId(keyVaultId, name) });
  return res.items.map((r) => r.body);
}

/** Deletes a secret and all its versions. */
export async function deleteSecret(deps: SecretStoreDeps, keyVaultId: string, name: string): Promise<void> {
  const id = secretResourceId(keyVaultId, name);
  await deps.catalog.transaction(async () => {
    await deleteUnder(deps, id);
    await deps.catalog.deleteResource(id);
  });
}

/** Deletes every secret of a key vault (before the vault itself goes). */
export async function deleteAllSecrets(deps: SecretStoreDeps, keyVaultId: string): Promise<void> {
  await deps.catalog.transaction(() => deleteUnder(deps, keyVaultId));
}

async function deleteUnder(deps: SecretStoreDeps, id: string): Promise<void> {
  const under = await deps.catalog.listResources({ idPrefix: `${id}/` });
  for (const r of under.items) await deps.catalog.deleteResource(r.id);
}
