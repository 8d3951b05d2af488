// Restoring into a sink: the bytes are exact even when the sink holds each buffer until long
// after write() returns (so a buffer used again too early would show), a sink that fails rejects
// with its own error, and damage still names the recovery point's manifest and the pack.
import assert from 'node:assert/strict';
import { readdirSync, statSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { dumpText, SMALL, streamOf, tempRepo, type RepoFixture } from './helpers.ts';

let fx: RepoFixture;
let manifestId: string;
const data = dumpText(12 * 1024 * 1024, 5);
/** A small budget, so the stream is written in a dozen windows and their buffers are used again. */
const OPTS = { ...SMALL, restoreBudget: 4 * 1024 * 1024 };

before(async () => {
  fx = await tempRepo(OPTS);
  manifestId = (await fx.repo.backup(streamOf(data))).manifestId;
});
after(() => fx?.cleanup());

/** A sink that copies each buffer only when it completes the write, after a delay. */
function slowSink(delayMs: number): Writable & { bytes(): Buffer } {
  const got: Buffer[] = [];
  const sink = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _enc, cb) {
      setTimeout(() => {
        got.push(Buffer.from(chunk)); // what the buffer holds when the write completes
        cb();
      }, delayMs);
    },
  }) as Writable & { bytes(): Buffer };
  sink.bytes = () => Buffer.concat(got);
  return sink;
}

test('the bytes written are exact, though the sink keeps each buffer until its write completes', async () => {
  const sink = slowSink(5);
  let reported = 0;
  await fx.repo.restoreInto(manifestId, sink, (n) => (reported = n));
  await new Promise<void>((resolve) => sink.end(resolve));
  assert.ok(sink.bytes().equals(data));
  assert.equal(reported, data.length);
});

test('it resolves only once the sink has written every buffer, so the caller may end it at once', async () => {
  // A sink that takes buffers without pushing back (a large high-water mark) and completes each
  // write later: the last writes are still pending when the chunks run out.
  const got: Buffer[] = [];
  const sink = new Writable({
    highWaterMark: 64 * 1024 * 1024,
    write(chunk: Buffer, _enc, cb) {
      setTimeout(() => {
        got.push(Buffer.from(chunk));
        cb();
      }, 5);
    },
  });
  await fx.repo.restoreInto(manifestId, sink);
  assert.equal(Buffer.concat(got).length, data.length, 'every write completed before restoreInto resolved');
  await new Promise<void>((resolve, reject) => sink.end((err?: Error | null) => (err ? reject(err) : resolve())));
  assert.ok(Buffer.concat(got).equals(data));
});

test('a sink ended before the restore fails it with the sink\'s error, not an uncaught one', async () => {
  const sink = new Writable({ write: (_chunk, _enc, cb) => cb() });
  sink.end();
  await assert.rejects(fx.repo.restoreInto(manifestId, sink), { code: 'ERR_STREAM_WRITE_AFTER_END' });
});

test('a sink that fails rejects with its error', async () => {
  let writes = 0;
  const sink = new Writable({
    write(_chunk, _enc, cb) {
      cb(++writes === 2 ? Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }) : null);
    },
  });
  sink.on('error', () => {});
  await assert.rejects(fx.repo.restoreInto(manifestId, sink), { code: 'EPIPE' });
});

test('damage names the manifest and the pack, and nothing after it is written', async () => {
  const other = await tempRepo(OPTS);
  try {
    const id = (await other.repo.backup(streamOf(data))).manifestId;
    const packs = readdirSync(join(other.dir, 'packs'), { recursive: true })
      .map((f) => join(other.dir, 'packs', String(f)))
      .filter((f) => statSync(f).isFile())
      .sort();
    const fd = openSync(packs[1]!, 'r+');
    writeSync(fd, Buffer.from([0xff]), 0, 1, 100);
    closeSync(fd);
    const sink = slowSink(0);
    await assert.rejects(other.repo.restoreInto(id, sink), (e: Error) => {
      assert.match(e.message, new RegExp(`manifest '${id}'.*pack '.*${packs[1]!.split('/').pop()!.slice(0, 16)}`));
      return true;
    });
    assert.ok(sink.bytes().length < data.length);
    assert.ok(data.subarray(0, sink.bytes().length).equals(sink.bytes()), 'what was written before the damage is exact');
  } finally {
    await other.cleanup();
  }
});
