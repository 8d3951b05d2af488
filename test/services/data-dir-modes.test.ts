// The data directory is readable only by the service's user: what a start finds open (the
// directory, the catalog, the master key, a directory in it) is made private, with a log line each;
// what belongs to another user is refused with a clear message.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openContext } from '../../src/app.ts';
import { privateModes } from '../../src/domain/data-dir-modes.ts';
import { DpError } from '../../src/domain/errors.ts';

const mode = (p: string) => statSync(p).mode & 0o777;

describe('the data directory', () => {
  it('is private after a start, and a start makes private again what was opened up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dpvault-modes-'));
    try {
      chmodSync(dir, 0o755);
      const first = await openContext({ dataDir: dir });
      await first.catalog.close();
      assert.equal(mode(dir), 0o700);
      const files = readdirSync(dir).filter((n) => !statSync(join(dir, n)).isDirectory());
      assert.ok(files.includes('catalog.sqlite') && files.length >= 2, files.join(', '));
      for (const f of files) assert.equal(mode(join(dir, f)), 0o600, f);

      chmodSync(dir, 0o755);
      for (const f of files) chmodSync(join(dir, f), 0o644);
      mkdirSync(join(dir, 'backup-data'), { recursive: true, mode: 0o755 });
      chmodSync(join(dir, 'backup-data'), 0o755);
      const lines: string[] = [];
      const second = await openContext({ dataDir: dir, log: (l) => lines.push(l) });
      await second.catalog.close();
      assert.equal(mode(dir), 0o700);
      assert.equal(mode(join(dir, 'backup-data')), 0o700);
      for (const f of files) assert.equal(mode(join(dir, f)), 0o600, f);
      assert.ok(lines.some((l) => l.includes(`${join(dir, 'catalog.sqlite')}: mode 0644 -> 0600`)), lines.join('\n'));
      assert.ok(lines.some((l) => l.includes(`${dir}: mode 0755 -> 0700`)), lines.join('\n'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an entry another user owns, naming it', () => {
    const entries = [
      { path: '/d', isDirectory: true, mode: 0o700, uid: 1000 },
      { path: '/d/catalog.sqlite', isDirectory: false, mode: 0o600, uid: 1001 },
    ];
    assert.throws(() => privateModes(entries, 1000), (e: unknown) =>
      e instanceof DpError && e.code === 'DataDirectoryNotPrivate' && e.message.includes("'/d/catalog.sqlite'") && e.message.includes('owned by user 1001'));
    assert.deepEqual(privateModes([{ path: '/d/key', isDirectory: false, mode: 0o640, uid: 1000 }], 1000), [{ path: '/d/key', from: 0o640, to: 0o600 }]);
    assert.deepEqual(privateModes([{ path: '/d', isDirectory: true, mode: 0o700, uid: 1000 }], 1000), []);
  });
});
