// Servers sharing a catalog must share the master key (it seals key vault secrets and signing
// keys, and wraps repository keys). The catalog keeps a verifier of it: an HMAC-SHA256 of a fixed
// label under the key, which tells whether two keys are the same and nothing about either. The
// first server on an empty catalog records it; a server with another key is refused at start.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Catalog } from '../catalog/catalog.ts';
import { errors } from '../domain/errors.ts';

export const MASTER_KEY_VERIFIER_SETTING = 'masterKeyVerifier';
const LABEL = 'dpvault master key verifier v1';

/** The verifier of `masterKey` (hex). */
export function masterKeyVerifier(masterKey: Buffer): string {
  return createHmac('sha256', masterKey).update(LABEL).digest('hex');
}

/** Records the key's verifier on a catalog that has none; refuses a key whose verifier differs. */
export async function checkMasterKeyVerifier(catalog: Catalog, masterKey: Buffer): Promise<void> {
  const mine = masterKeyVerifier(masterKey);
  const recorded = await catalog.transaction(async () => {
    const found = await catalog.getSetting(MASTER_KEY_VERIFIER_SETTING);
    if (found === undefined) await catalog.setSetting(MASTER_KEY_VERIFIER_SETTING, mine);
    return found ?? mine;
  });
  const a = Buffer.from(recorded, 'hex');
  const b = Buffer.from(mine, 'hex');
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw errors.masterKeyMismatch();
}
