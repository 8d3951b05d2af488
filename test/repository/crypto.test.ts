// Sealing, key wrapping and keyed ids.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { chunkId, newKeys, seal, SEAL_OVERHEAD, unseal, unwrapKeys, wrapKeys } from '../../src/repository/crypto.ts';

describe('repository crypto', () => {
  const key = randomBytes(32);
  const aad = Buffer.from('context');

  it('seals with a fresh nonce each time and opens only with the same key and context', () => {
    const plain = randomBytes(1000);
    const a = seal(key, [plain.subarray(0, 10), plain.subarray(10)], aad);
    const b = seal(key, [plain], aad);
    assert.equal(a.length, plain.length + SEAL_OVERHEAD);
    assert.notDeepEqual(a, b);
    assert.deepEqual(unseal(key, a, aad), plain);
    assert.deepEqual(unseal(key, b, aad), plain);
    assert.equal(unseal(randomBytes(32), a, aad), null);
    assert.equal(unseal(key, a, Buffer.from('other')), null);
    for (const at of [0, 11, 500, a.length - 1]) {
      const bad = Buffer.from(a);
      bad[at]! ^= 1;
      assert.equal(unseal(key, bad, aad), null, `flip at ${at}`);
    }
    assert.equal(unseal(key, a.subarray(0, 20), aad), null);
  });

  it('wraps repository keys so only the master key and the same repository open them', () => {
    const keys = newKeys();
    const master = randomBytes(32);
    const wrapped = wrapKeys(master, 'repo-a', keys);
    assert.ok(!wrapped.includes(keys.dataKey) && !wrapped.includes(keys.idKey));
    const back = unwrapKeys(master, 'repo-a', wrapped);
    assert.deepEqual(back?.dataKey, keys.dataKey);
    assert.deepEqual(back?.idKey, keys.idKey);
    assert.equal(unwrapKeys(randomBytes(32), 'repo-a', wrapped), null);
    assert.equal(unwrapKeys(master, 'repo-b', wrapped), null);
    assert.throws(() => wrapKeys(randomBytes(16), 'repo-a', keys), { code: 'InvalidRepositoryKey' });
  });

  it('derives chunk ids from a key, so equal data under another key has another id', () => {
    const data = Buffer.from('same content');
    const k1 = randomBytes(32);
    assert.deepEqual(chunkId(k1, data), chunkId(k1, Buffer.from('same content')));
    assert.notDeepEqual(chunkId(k1, data), chunkId(randomBytes(32), data));
    assert.equal(chunkId(k1, data).length, 32);
  });
});
