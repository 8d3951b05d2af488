// The data directory lock: a second holder in this process or a live dpvault process elsewhere is
// refused; a file left by a crash is taken over, even when its pid now belongs to another
// program or, as after a container restart, to this very process.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { lockDataDir } from '../../src/services/data-dir-lock.ts';

const dir = mkdtempSync(join(tmpdir(), 'dpvault-lock-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const pidFile = join(dir, 'server.pid');

test('a second lock in this process is refused until the first is released', () => {
  const release = lockDataDir(dir);
  assert.equal(readFileSync(pidFile, 'utf8').trim(), String(process.pid));
  assert.throws(() => lockDataDir(dir), { code: 'DataDirectoryInUse' });
  release();
  lockDataDir(dir)();
});

test('a file naming this process, which never took the lock, is stale (a restarted container)', () => {
  writeFileSync(pidFile, `${process.pid}\n`);
  lockDataDir(dir)();
});

/** Waits until `pid` runs the program (its command line names `word`), not its parent's copy. */
async function execed(pid: number, word: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(word)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`process ${pid} never ran ${word}`);
}

test('a live dpvault process holds the directory; any other live process does not', async () => {
  const sleeper = spawn('sleep', ['30']);
  const server = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)', 'dpvault-server-stand-in']);
  try {
    await execed(sleeper.pid!, 'sleep');
    await execed(server.pid!, 'dpvault-server-stand-in');
    writeFileSync(pidFile, `${sleeper.pid}\n`);
    lockDataDir(dir)();
    writeFileSync(pidFile, `${server.pid}\n`);
    assert.throws(() => lockDataDir(dir), (e: Error) => /in use by the dpvault server with pid/.test(e.message));
  } finally {
    sleeper.kill();
    server.kill();
  }
});
