// `--tags` as az reads it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTags } from '../../src/cli/tags.ts';

test('key=value and bare keys; "" clears', () => {
  assert.deepEqual(parseTags(['env=prod', 'owner', 'a=b=c']), { env: 'prod', owner: '', a: 'b=c' });
  assert.deepEqual(parseTags(['""']), {});
  assert.equal(parseTags(undefined), null);
});

test('tags named like object keys are ordinary tags', () => {
  const tags = parseTags(['__proto__=a', 'constructor=b', 'toString']);
  assert.deepEqual(Object.entries(tags!), [['__proto__', 'a'], ['constructor', 'b'], ['toString', '']]);
  assert.equal(JSON.stringify(tags), '{"__proto__":"a","constructor":"b","toString":""}');
});
