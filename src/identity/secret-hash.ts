// Password credentials as the catalog keeps them: scrypt (node:crypto) of the secret with a random
// salt, never the secret. Checking compares in constant time; a check against no credential at all
// costs the same as one against a real one, so timing does not tell which client ids exist.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const N = 16384;
const R = 8;
const P = 1;
const LENGTH = 32;
const FORMAT = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

function derive(secret: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, LENGTH, { N: n, r, p, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** `scrypt$N$r$p$salt$hash` (base64url). */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(secret, salt, N, R, P);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Whether `secret` is the one `hash` was made of; `undefined` (no such credential) is never a match. */
export async function secretMatches(secret: string, hash: string | undefined): Promise<boolean> {
  const m = hash ? FORMAT.exec(hash) : null;
  if (!m) {
    await derive(secret, Buffer.alloc(16), N, R, P); // the same work as a real check
    return false;
  }
  const key = await derive(secret, Buffer.from(m[4]!, 'base64url'), Number(m[1]), Number(m[2]), Number(m[3]));
  const want = Buffer.from(m[5]!, 'base64url');
  return want.length === key.length && timingSafeEqual(want, key);
}

/**
 * A new client secret: 40 characters of base64url, about 240 bits of randomness. Never one that
 * starts with '-': `dpvault login -p SECRET` (and az's) would take it for an option.
 */
export function newClientSecret(): string {
  for (;;) {
    const secret = randomBytes(30).toString('base64url');
    if (!secret.startsWith('-')) return secret;
  }
}
