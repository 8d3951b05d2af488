// A restore as files against real files: the dump and its checksum are whole and get their
// documented mode even when the feed leaves writes pending at its end (the race that ended the
// file before its last buffers: ERR_STREAM_WRITE_AFTER_END, uncaught, took the server down), and
// a sink that fails or is ended early fails the restore, removes what it wrote and never becomes
// an uncaught exception.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chownSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Writable } from 'node:stream';
import { FILE_MODE, restoreToFile } from '../../src/jobs/restore-file.ts';
import { scratchDir } from '../support/scratch.ts';

const parts = Array.from({ length: 40 }, (_, i) => Buffer.alloc(1000 + i, i));
const whole = Buffer.concat(parts);

/** Writes every part without waiting for any write to complete, as a feed may. */
const eager = async (sink: Writable): Promise<void> => {
  for (const p of parts) sink.write(p);
};

test('every byte reaches the file though the feed ended with writes pending', async () => {
  const dir = scratchDir('dpvault-restore-file-');
  const file = join(dir, 'app.dump');
  await restoreToFile(eager, file);
  assert.ok(readFileSync(file).equals(whole));
  const sum = createHash('sha256').update(whole).digest('hex');
  assert.equal(readFileSync(`${file}.sha256`, 'utf8'), `${sum}  app.dump\n`);
  assert.equal(statSync(file).mode & 0o777, FILE_MODE);
  assert.equal(statSync(`${file}.sha256`).mode & 0o777, FILE_MODE);
  assert.deepEqual(readdirSync(dir).sort(), ['app.dump', 'app.dump.sha256']);
});

test('a sink ended early fails the restore and leaves no file', async () => {
  const dir = scratchDir('dpvault-restore-file-');
  const file = join(dir, 'app.dump');
  const endsEarly = async (sink: Writable): Promise<void> => {
    sink.write(parts[0]);
    sink.end();
  };
  await assert.rejects(restoreToFile(endsEarly, file), { code: 'UserErrorRestoreTargetClosed' });
  assert.deepEqual(readdirSync(dir), []);
  const writesAfterEnd = async (sink: Writable): Promise<void> => {
    sink.end();
    await new Promise<void>((resolve, reject) => sink.write(parts[1], (err) => (err ? reject(err) : resolve())));
  };
  await assert.rejects(restoreToFile(writesAfterEnd, file), { code: 'ERR_STREAM_WRITE_AFTER_END' });
  assert.deepEqual(readdirSync(dir), []);
});

test('a .partial that is already there is neither overwritten nor removed', async () => {
  const dir = scratchDir('dpvault-restore-file-');
  const file = join(dir, 'app.dump');
  writeFileSync(`${file}.partial`, 'another restore');
  await assert.rejects(restoreToFile(eager, file), { code: 'EEXIST' });
  assert.equal(readFileSync(`${file}.partial`, 'utf8'), 'another restore');
});

test('the files get the directory\'s group, so a directory of group postgres lets postgres read them', { skip: postgresGid() === null && 'needs root and a postgres group' }, async () => {
  const dir = scratchDir('dpvault-restore-file-');
  chownSync(dir, -1, postgresGid()!);
  const file = join(dir, 'app.dump');
  await restoreToFile(eager, file);
  for (const f of [file, `${file}.sha256`]) {
    assert.equal(statSync(f).gid, postgresGid());
    assert.equal(statSync(f).mode & 0o777, 0o640);
  }
});

/** The gid of the postgres group when this runs as root (the test cluster's harness creates it). */
function postgresGid(): number | null {
  if (process.getuid?.() !== 0) return null;
  const line = readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  return line ? Number(line.split(':')[2]) : null;
}

test('a feed that fails midway, or a sink destroyed under it, removes the half-written file', async () => {
  const dir = scratchDir('dpvault-restore-file-');
  const file = join(dir, 'app.dump');
  const failsMidway = async (sink: Writable): Promise<void> => {
    await eager(sink);
    throw new Error('damage found in a pack');
  };
  await assert.rejects(restoreToFile(failsMidway, file), /damage found/);
  assert.equal(existsSync(`${file}.partial`), false);
  const destroys = async (sink: Writable): Promise<void> => {
    sink.write(parts[0]);
    sink.destroy(new Error('disk gone'));
    await eager(sink);
  };
  await assert.rejects(restoreToFile(destroys, file), /disk gone|destroyed/);
  assert.deepEqual(readdirSync(dir), []);
});

test('a file that takes the dump\'s name while it is written is never replaced: the restore fails and keeps it', async () => {
  const dir = scratchDir('dpvault-restore-file-');
  const file = join(dir, 'app.dump');
  const racing = async (sink: Writable): Promise<void> => {
    await eager(sink);
    writeFileSync(file, 'not yours');
  };
  await assert.rejects(restoreToFile(racing, file), { code: 'UserErrorFileAlreadyExists' });
  assert.equal(readFileSync(file, 'utf8'), 'not yours');
  assert.deepEqual(readdirSync(dir), ['app.dump']);
});
