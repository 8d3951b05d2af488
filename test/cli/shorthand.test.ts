// az's shorthand syntax for lists of objects: key=value pairs start a new object when a key repeats.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseObjectList } from '../../src/cli/shorthand.ts';

test('key=value pairs make objects, a repeated key starting the next one', () => {
  assert.deepEqual(parseObjectList('--storage-setting', ['datastore-type=VaultStore', 'type=LocallyRedundant', 'datastore-type="ArchiveStore"', "type='x'"]), [
    { 'datastore-type': 'VaultStore', type: 'LocallyRedundant' },
    { 'datastore-type': 'ArchiveStore', type: 'x' },
  ]);
});

test('keys named like object keys are ordinary keys', () => {
  const list = parseObjectList('--storage-setting', ['constructor=a', '__proto__=b', 'toString=c', 'toString=d']);
  assert.equal(list.length, 2);
  assert.deepEqual(Object.entries(list[0]!), [['constructor', 'a'], ['__proto__', 'b'], ['toString', 'c']]);
  assert.deepEqual(Object.entries(list[1]!), [['toString', 'd']]);
  assert.equal(Object.getPrototypeOf(list[0]), Object.prototype);
});
