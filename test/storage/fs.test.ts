// The local filesystem backend: the shared conformance suite, plus what only a real crash shows
// (a process killed in the middle of a put leaves no object under the final name).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStorage } from '../../src/storage/backends.ts';
import type { DpError } from '../../src/domain/errors.ts';
import { FsStorage } from '../../src/storage/fs.ts';
import { isNotFound } from '../../src/storage/storage.ts';
import { storageConformance } from './suite.ts';
import { freeBytes, mountTmpfs, unmount } from '../support/tmpfs.ts';

storageConformance('fs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dpv-fs-'));
  return { storage: new FsStorage(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
});

const fsModule = fileURLToPath(new URL('../../src/storage/fs.ts', import.meta.url));

describe('fs storage under a crash', () => {
  it('a process killed in the middle of a put leaves nothing under the final name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dpv-crash-'));
    try {
      const script = `
        import { Readable } from 'node:stream';
        import { FsStorage } from ${JSON.stringify(fsModule)};
        const s = new FsStorage(${JSON.stringify(dir)});
        async function* slow() { for (;;) { yield Buffer.alloc(65536, 7); await new Promise((r) => setTimeout(r, 5)); } }
        await s.put('crash/obj', Readable.from(slow()));`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // Wait until the temporary file exists and has data, then kill without warning.
      for (let i = 0; i < 400; i++) {
        const entries = await readdir(join(dir, 'crash')).catch(() => [] as string[]);
        if (entries.some((e) => e.endsWith('.tmp'))) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      await new Promise((r) => setTimeout(r, 50));
      child.kill('SIGKILL');
      await exited;
      const leftovers = await readdir(join(dir, 'crash'));
      assert.ok(leftovers.some((e) => e.endsWith('.tmp')), 'the killed put left its temporary file');
      const storage = new FsStorage(dir);
      await assert.rejects(storage.get('crash/obj'), (e: unknown) => isNotFound(e));
      const listed: string[] = [];
      for await (const info of storage.list('')) listed.push(info.name);
      assert.deepEqual(listed, [], 'temporary files are never listed');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('openStorage accepts absolute paths and file: URLs and names unknown schemes', async () => {
    assert.ok(openStorage('/tmp/x') instanceof FsStorage);
    assert.equal((openStorage('file:///tmp/y') as FsStorage).root, '/tmp/y');
    assert.throws(() => openStorage('gopher://h/x'), /known: file/);
    assert.throws(() => openStorage('relative/path'), { code: 'InvalidStorageLocation' });
  });
});

describe('fs storage on a full filesystem', () => {
  it('a put that does not fit fails with UserErrorStorageFull, the free space and the size needed, and leaves nothing', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'dpv-full-'));
    const cannot = mountTmpfs(dir, 1024 * 1024);
    if (cannot) {
      await rm(dir, { recursive: true, force: true });
      return t.skip(cannot);
    }
    try {
      const s = new FsStorage(join(dir, 'store'));
      await s.put('small', Buffer.alloc(1000, 1));
      const free = freeBytes(dir);
      const big = Buffer.alloc(2 * 1024 * 1024, 2);
      const err = await s.put('packs/ab/big', big).then(() => assert.fail('the put fitted'), (e: unknown) => e as DpError);
      assert.equal(err.code, 'UserErrorStorageFull');
      assert.equal(err.kind, 'conflict');
      assert.match(err.message, new RegExp(`The storage 'file://${dir}/store' is full: writing 'packs/ab/big' failed with .*free, and 2\\.0 MiB \\(2097152 bytes\\) were needed`));
      const info = err.additionalInfo?.[0]?.info as { freeBytes: number; neededBytes: number };
      assert.equal(info.neededBytes, big.length);
      assert.ok(info.freeBytes >= free - 64 * 1024 && info.freeBytes <= free, `${info.freeBytes} free, ${free} before`);
      // A stream that does not fit: the size is not known, the error is the same.
      const streamed = await s.put('streamed', Readable.from([big])).then(() => assert.fail('the put fitted'), (e: unknown) => e as DpError);
      assert.equal(streamed.code, 'UserErrorStorageFull');
      assert.deepEqual((await readdir(join(dir, 'store', 'packs', 'ab'))), [], 'no partial file is left');
      assert.ok(freeBytes(dir) >= free, 'the space the failed puts took is free again');
      assert.equal((await s.get('small')).length, 1000);
    } finally {
      unmount(dir);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
