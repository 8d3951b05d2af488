// writeThrough in front of a PassThrough, as a restore into object storage uses it: what was
// written reaches a reader that starts only after the writer finished (an upload still opening),
// and destroying the writer early still destroys what it writes to.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import { writeThrough } from '../../src/util/write-through.ts';

test('a reader that starts after the writer finished still gets every byte', async () => {
  const pass = new PassThrough({ highWaterMark: 1024 * 1024 });
  const sink = writeThrough(pass, (c) => Buffer.from(c));
  sink.write(Buffer.from('roles '));
  sink.end(Buffer.from('script'));
  await finished(sink);
  await new Promise((r) => setTimeout(r, 20));
  const got: Buffer[] = [];
  for await (const c of pass) got.push(c as Buffer);
  assert.equal(Buffer.concat(got).toString(), 'roles script');
});

test('destroying the writer before it finished destroys its output', async () => {
  const pass = new PassThrough();
  const sink = writeThrough(pass, (c) => Buffer.from(c));
  sink.write(Buffer.from('half'));
  sink.destroy();
  await assert.rejects(finished(pass), /Premature close/);
  assert.equal(pass.destroyed, true);
});
