// Client secrets: verifiable against their hash, and never shaped like a command-line flag.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hashSecret, newClientSecret, secretMatches } from '../../src/identity/secret-hash.ts';

describe('client secrets', () => {
  it('never start with "-", which `login -p SECRET` would read as a flag', () => {
    // One base64url secret in 64 starts with '-': 3,000 of them without one fail with p < 1e-20.
    const secrets = Array.from({ length: 3000 }, () => newClientSecret());
    assert.deepEqual(secrets.filter((s) => s.startsWith('-')), []);
    assert.ok(secrets.every((s) => /^[A-Za-z0-9_][A-Za-z0-9_-]{39}$/.test(s)));
    assert.equal(new Set(secrets).size, secrets.length);
  });

  it('match their own hash only', async () => {
    const secret = newClientSecret();
    const hash = await hashSecret(secret);
    assert.equal(await secretMatches(secret, hash), true);
    assert.equal(await secretMatches(newClientSecret(), hash), false);
  });
});

describe('stored credentials', () => {
  it('are a salted HMAC: no key stretching (every secret is 240 random bits), and never the secret', async () => {
    const secret = newClientSecret();
    const [a, b] = [await hashSecret(secret), await hashSecret(secret)];
    assert.match(a, /^hmac-sha256\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a, b, 'a salt of its own each time');
    assert.ok(!a.includes(secret));
    assert.equal(await secretMatches(secret, b), true);
  });

  it('made by the earlier release (scrypt) still verify', async () => {
    // scrypt$16384$8$1$salt$key of the secret 'legacy-secret-value' with a zero salt, as hashSecret wrote them.
    const { scryptSync } = await import('node:crypto');
    const salt = Buffer.alloc(16);
    const key = scryptSync('legacy-secret-value', salt, 32, { N: 16384, r: 8, p: 1 });
    const stored = `scrypt$16384$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`;
    assert.equal(await secretMatches('legacy-secret-value', stored), true);
    assert.equal(await secretMatches('another-secret-value', stored), false);
  });

  it('never match a missing or malformed credential', async () => {
    assert.equal(await secretMatches('x', undefined), false);
    assert.equal(await secretMatches('x', 'hmac-sha256$$'), false);
    assert.equal(await secretMatches('x', 'plain-secret'), false);
  });
});
