// The local filesystem backend: the shared conformance suite, plus what only a real crash shows
// (a process killed in the middle of a put leaves no object under the final name).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStorage } from '../../src/storage/backends.ts';
import { FsStorage } from '../../src/storage/fs.ts';
import { isNotFound } from '../../src/storage/storage.ts';
import { storageConformance } from './suite.ts';

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
