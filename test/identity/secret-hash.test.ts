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
