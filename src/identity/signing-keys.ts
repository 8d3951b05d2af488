// The token service's signing keys of the embedded mode (on a PostgreSQL catalog they live in the
// catalog: signing-keys-catalog.ts): RS256 key pairs in <data-dir>/keys/ (directory 0700, one file
// per key, mode 0600, named by its `kid`), and `current` naming the one that signs. The key set
// (JWKS) offers the current key and the one before it, so a rotation does not sign anyone out:
// tokens signed by the previous key stay valid until they expire. Older keys are deleted.
import { generateKeyPairSync, createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { errors } from '../domain/errors.ts';
import { writePrivateFile } from '../util/private-file.ts';

export const KEYS_DIR = 'keys';
const CURRENT = 'current';
const KID = /^[0-9a-f-]{36}$/;

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface SigningKeys {
  /** The key that signs new tokens. */
  current: SigningKey;
  /** The keys tokens may be signed by: the current one and the one before it (after a rotation). */
  verifying: readonly SigningKey[];
}

/** A public key as a JWKS lists it. */
export interface PublicJwk {
  kty: string;
  n: string;
  e: string;
  kid: string;
  use: 'sig';
  alg: 'RS256';
}

/** The data directory's keys, or undefined when it has none. */
export function existingSigningKeys(dataDir: string): SigningKeys | undefined {
  const dir = join(dataDir, KEYS_DIR);
  return existsSync(join(dir, CURRENT)) ? readKeys(dir) : undefined;
}

/** The data directory's keys; the first key is made when there is none. */
export function loadOrCreateSigningKeys(dataDir: string): SigningKeys {
  const dir = keysDir(dataDir);
  if (!existsSync(join(dir, CURRENT))) return rotateSigningKey(dataDir);
  return readKeys(dir);
}

/**
 * Makes a new key and makes it the current one; the old current key stays in the key set as the
 * previous one, and any key older than that is deleted. Returns the keys as they now are.
 */
export function rotateSigningKey(dataDir: string): SigningKeys {
  const dir = keysDir(dataDir);
  const previous = existsSync(join(dir, CURRENT)) ? readKeys(dir).current.kid : undefined;
  const { kid, pem } = newSigningKeyPem();
  writePrivateFile(join(dir, `${kid}.pem`), pem);
  writePrivateFile(join(dir, CURRENT), `${kid}\n${previous ?? ''}\n`);
  for (const name of readdirSync(dir)) {
    const k = name.replace(/\.pem$/, '');
    if (name.endsWith('.pem') && k !== kid && k !== previous) rmSync(join(dir, name), { force: true });
  }
  return readKeys(dir);
}

/** A new RS256 key pair: its id and its private key in PKCS#8 PEM. */
export function newSigningKeyPem(): { kid: string; pem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid: randomUUID(), pem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}

/** A key from its PEM; `where` names its place in the error when it does not parse. */
export function signingKeyFromPem(kid: string, pem: string, where: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (e) {
    throw errors.signingKeysDamaged(where, `key ${kid}: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  return { kid, privateKey, publicKey: createPublicKey(privateKey) };
}

/** The public half of a key, as the JWKS endpoint serves it. */
export function publicJwk(key: SigningKey): PublicJwk {
  const jwk = key.publicKey.export({ format: 'jwk' });
  return { kty: jwk.kty!, n: jwk.n!, e: jwk.e!, kid: key.kid, use: 'sig', alg: 'RS256' };
}

function keysDir(dataDir: string): string {
  const dir = join(dataDir, KEYS_DIR);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  return dir;
}

function readKeys(dir: string): SigningKeys {
  const [currentKid, previousKid] = readFileSync(join(dir, CURRENT), 'utf8').split('\n').map((l) => l.trim());
  if (!currentKid || !KID.test(currentKid)) throw errors.signingKeysDamaged(dir, `'${CURRENT}' names no key`);
  const current = readKey(dir, currentKid);
  const previous = previousKid && KID.test(previousKid) && existsSync(join(dir, `${previousKid}.pem`)) ? readKey(dir, previousKid) : undefined;
  return { current, verifying: previous ? [current, previous] : [current] };
}

function readKey(dir: string, kid: string): SigningKey {
  let pem: string;
  try {
    pem = readFileSync(join(dir, `${kid}.pem`), 'utf8');
  } catch (e) {
    throw errors.signingKeysDamaged(dir, `key ${kid}: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  return signingKeyFromPem(kid, pem, dir);
}
