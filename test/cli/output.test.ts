// az's output formats, as the CLI renders a result: keys sorted in json and yaml, tsv and table,
// none; yaml's library is loaded only when asked for.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatOutput } from '../../src/cli/output.ts';

const value = { b: 1, a: [{ y: 'x', x: null }], c: 'text' };

test('json and yaml sort keys at every level', () => {
  assert.equal(formatOutput(value, 'json'), '{\n  "a": [\n    {\n      "x": null,\n      "y": "x"\n    }\n  ],\n  "b": 1,\n  "c": "text"\n}\n');
  assert.equal(formatOutput(value, 'yaml'), 'a:\n  - x: null\n    y: x\nb: 1\nc: text\n');
  assert.equal(formatOutput(value, 'yamlc'), formatOutput(value, 'yaml'));
});

test('none and an absent result print nothing', () => {
  assert.equal(formatOutput(value, 'none'), '');
  assert.equal(formatOutput(undefined, 'yaml'), '');
});
