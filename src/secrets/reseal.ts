// Master key rotation for the key vault: every stored secret version sealed again under the new
// key, in one transaction. Idempotent: a version that already opens under the new key (a rotation
// resumed after a crash) is left as it is.
import type { Catalog } from '../catalog/catalog.ts';
import { openSecret, sealSecret } from './crypto.ts';
import { SECRET_VERSION_TYPE, type SecretVersionRecord } from './key-vault.ts';

function opens(key: Buffer, sealed: string, id: string): string | null {
  try {
    return openSecret(key, sealed, id);
  } catch {
    return null;
  }
}

/** Re-seals every secret version; returns how many were sealed again. Throws naming a version that opens under neither key. */
export async function resealSecrets(catalog: Catalog, oldKey: Buffer, newKey: Buffer): Promise<number> {
  return catalog.transaction(async () => {
    let count = 0;
    const versions = await catalog.listResources<SecretVersionRecord>({ type: SECRET_VERSION_TYPE });
    for (const r of versions.items) {
      if (opens(newKey, r.body.sealed, r.id) !== null) continue;
      const value = openSecret(oldKey, r.body.sealed, r.id);
      await catalog.putResource({ ...r, body: { ...r.body, sealed: sealSecret(newKey, value, r.id) } });
      count++;
    }
    return count;
  });
}
