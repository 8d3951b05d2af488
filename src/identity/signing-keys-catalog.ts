// The token service's signing keys on a PostgreSQL catalog, so that any server checks a token any
// other signed: the setting `signingKeys` holds each key's private PEM sealed under the master key
// (AES-256-GCM bound to the key's id, secrets/crypto.ts) and which key is current and which
// previous, as the embedded mode's files do (signing-keys.ts). The first server on an empty
// catalog makes the first key, once however many start together (a catalog transaction).
import type { Catalog } from '../catalog/catalog.ts';
import { openSecret, sealSecret } from '../secrets/crypto.ts';
import { newSigningKeyPem, signingKeyFromPem, type SigningKeys } from './signing-keys.ts';

export const SIGNING_KEYS_SETTING = 'signingKeys';
const WHERE = `the catalog (setting ${SIGNING_KEYS_SETTING})`;

interface StoredKeys {
  current: string;
  previous?: string;
  /** kid → sealed PKCS#8 PEM. */
  sealed: Record<string, string>;
}

const aadId = (kid: string): string => `signing-key:${kid}`;

/** The catalog's keys; the first key is made when there is none. */
export async function loadOrCreateCatalogSigningKeys(catalog: Catalog, masterKey: Buffer): Promise<SigningKeys> {
  const stored = await catalog.transaction(async () => {
    const found = await catalog.getSetting(SIGNING_KEYS_SETTING);
    if (found !== undefined) return JSON.parse(found) as StoredKeys;
    const made = withNewKey(undefined, masterKey);
    await catalog.setSetting(SIGNING_KEYS_SETTING, JSON.stringify(made));
    return made;
  });
  return openKeys(stored, masterKey);
}

/** Makes a new current key; the old current one stays as the previous one, older ones go. */
export async function rotateCatalogSigningKey(catalog: Catalog, masterKey: Buffer): Promise<SigningKeys> {
  const stored = await catalog.transaction(async () => {
    const found = await catalog.getSetting(SIGNING_KEYS_SETTING);
    const made = withNewKey(found === undefined ? undefined : (JSON.parse(found) as StoredKeys), masterKey);
    await catalog.setSetting(SIGNING_KEYS_SETTING, JSON.stringify(made));
    return made;
  });
  return openKeys(stored, masterKey);
}

/** The setting's value holding `keys` sealed (an embedded installation's keys, moved by `catalog migrate`). */
export function sealedSigningKeys(keys: SigningKeys, masterKey: Buffer): string {
  const sealed: Record<string, string> = {};
  for (const k of keys.verifying) sealed[k.kid] = sealSecret(masterKey, k.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, aadId(k.kid));
  const previous = keys.verifying.find((k) => k.kid !== keys.current.kid)?.kid;
  const stored: StoredKeys = { current: keys.current.kid, ...(previous ? { previous } : {}), sealed };
  return JSON.stringify(stored);
}

function withNewKey(before: StoredKeys | undefined, masterKey: Buffer): StoredKeys {
  const { kid, pem } = newSigningKeyPem();
  const sealed: Record<string, string> = { [kid]: sealSecret(masterKey, pem, aadId(kid)) };
  if (before) sealed[before.current] = before.sealed[before.current]!;
  return { current: kid, ...(before ? { previous: before.current } : {}), sealed };
}

function openKeys(stored: StoredKeys, masterKey: Buffer): SigningKeys {
  const open = (kid: string) => signingKeyFromPem(kid, openSecret(masterKey, stored.sealed[kid] ?? '', aadId(kid)), WHERE);
  const current = open(stored.current);
  return { current, verifying: stored.previous && stored.sealed[stored.previous] ? [current, open(stored.previous)] : [current] };
}
