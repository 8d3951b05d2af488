// Sealing of secret values: AES-256-GCM under the master key, bound to the secret version's id.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { isDpError } from '../../src/domain/errors.ts';
import { openSecret, sealSecret } from '../../src/secrets/crypto.ts';

const key = randomBytes(32);
const id = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/secrets/pw/versions/0123456789abcdef0123456789abcdef';
const value = 'Server=h;User Id=u;Password=correct horse battery staple;';

function failsToOpen(fn: () => unknown): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isDpError(e));
    assert.equal(e.code, 'SecretDecryptionFailed');
    assert.ok(!e.message.includes('horse'));
    return true;
  });
}

describe('sealSecret / openSecret', () => {
  it('round-trips text, including non-ASCII and the empty string', () => {
    for (const v of [value, 'pässwörd ✓', '']) assert.equal(openSecret(key, sealSecret(key, v, id), id), v);
  });

  it('hides the value and uses a fresh nonce each time', () => {
    const a = sealSecret(key, value, id);
    const b = sealSecret(key, value, id);
    assert.notEqual(a, b);
    assert.match(a, /^v1\.[A-Za-z0-9+/]+=*$/);
    assert.ok(!Buffer.from(a.slice(3), 'base64').includes(Buffer.from('horse')));
  });

  it('opens only under the same key and the same secret id (case aside)', () => {
    const sealed = sealSecret(key, value, id);
    assert.equal(openSecret(key, sealed, id.toUpperCase()), value);
    failsToOpen(() => openSecret(randomBytes(32), sealed, id));
    failsToOpen(() => openSecret(key, sealed, id.replace('/pw/', '/other/')));
  });

  it('detects altered bytes and foreign formats', () => {
    const raw = Buffer.from(sealSecret(key, value, id).slice(3), 'base64');
    raw[raw.length - 20]! ^= 1;
    failsToOpen(() => openSecret(key, `v1.${raw.toString('base64')}`, id));
    failsToOpen(() => openSecret(key, value, id));
  });

  it('refuses a master key that is not 32 bytes', () => {
    assert.throws(() => sealSecret(randomBytes(16), value, id));
  });
});
