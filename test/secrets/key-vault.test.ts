// Key vault names and secret identifiers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkKeyVaultName, checkSecretName, parseKeyVaultUri, parseSecretUri, secretUri } from '../../src/secrets/key-vault.ts';

describe('key vault names', () => {
  it('follow Azure\'s rule', () => {
    for (const ok of ['abc', 'testkeyvaulteus', 'a-b-c', 'A1b2', 'a'.repeat(24)]) checkKeyVaultName(ok);
    for (const bad of ['ab', '9abc', 'abc-', 'ab--c', 'a'.repeat(25), 'ab.c']) assert.throws(() => checkKeyVaultName(bad), /VaultName|invalid/, bad);
  });
  it('secret names are 1-127 letters, digits and hyphens', () => {
    checkSecretName('ossdbkey');
    checkSecretName('a-1');
    for (const bad of ['', 'a_b', 'a.b', 'x'.repeat(128)]) assert.throws(() => checkSecretName(bad), bad);
  });
});

describe('secret identifiers', () => {
  it('read the seed\'s form, with or without a version', () => {
    assert.deepEqual(parseSecretUri('https://testkeyvaulteus.vault.azure.net/secrets/ossdbkey'), { vaultName: 'testkeyvaulteus', name: 'ossdbkey' });
    assert.deepEqual(parseSecretUri('https://TestKV.vault.azure.net/secrets/ossdbkey/'), { vaultName: 'TestKV', name: 'ossdbkey' });
    assert.deepEqual(parseSecretUri(`https://kv1.vault.usgovcloudapi.net/secrets/s/${'AB'.repeat(16)}`), { vaultName: 'kv1', name: 's', version: 'ab'.repeat(16) });
  });
  it('reject what is not a secret identifier', () => {
    for (const bad of [
      'http://kv1.vault.azure.net/secrets/s', 'https://kv1.vault.azure.net/keys/s', 'https://kv1.vault.azure.net/secrets/',
      'https://kv1.example.com/secrets/s', 'https://kv1.vault.azure.net/secrets/s/notahexversion', 'https://kv1.vault.azure.net/secrets/s/v/x',
      'Server=h;Password=p',
    ]) assert.equal(parseSecretUri(bad), undefined, bad);
  });
  it('format as Azure does', () => {
    assert.equal(secretUri('KV1', 'pw'), 'https://kv1.vault.azure.net/secrets/pw');
    assert.equal(secretUri('kv1', 'pw', 'ab'), 'https://kv1.vault.azure.net/secrets/pw/ab');
    assert.equal(parseKeyVaultUri('https://kv1.vault.azure.net/'), 'kv1');
    assert.equal(parseKeyVaultUri('https://kv1.vault.azure.net/secrets/x'), undefined);
  });
});
