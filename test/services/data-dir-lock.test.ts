// The data directory lock: a second holder in this process or a live dpvault process elsewhere is
// refused; a file left by a crash is taken over, even when its pid now belongs to another
// program or, as after a container restart, to this very process. A server started by hand
// starts itself again with its Node flags and still holds the lock under its one pid.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { MALLOC_ENV } from '../../src/cli/commands/service-process.ts';
import { lockDataDir } from '../../src/services/data-dir-lock.ts';
import { CLI_BIN } from '../support/service.ts';

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

test('`dpvault server` started without Node flags starts itself again with them and its malloc settings, keeping its pid and the lock', async () => {
  const data = mkdtempSync(join(tmpdir(), 'dpvault-reexec-'));
  const env = { ...process.env };
  for (const k of ['DPVAULT_SERVER_REEXEC', ...Object.keys(MALLOC_ENV)]) delete env[k];
  const server = spawn(process.execPath, [CLI_BIN, 'server', '--data-dir', data, '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'], env });
  try {
    let said = '';
    server.stderr.on('data', (d: Buffer) => (said += d.toString()));
    // Up to 60 s: a loaded machine (several suites at once) took more than 6 s to start a server.
    for (let i = 0; i < 3000 && !said.includes('listening'); i++) await new Promise((r) => setTimeout(r, 20));
    assert.match(said, /dpvault listening on/);
    const cmdline = readFileSync(`/proc/${server.pid}/cmdline`, 'utf8').split('\0');
    assert.ok(cmdline.includes('--max-semi-space-size=2'), cmdline.join(' '));
    const environ = readFileSync(`/proc/${server.pid}/environ`, 'utf8').split('\0');
    for (const [k, v] of Object.entries(MALLOC_ENV)) assert.ok(environ.includes(`${k}=${v}`), `${k}=${v} in the server's environment`);
    assert.equal(readFileSync(join(data, 'server.pid'), 'utf8').trim(), String(server.pid));
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(data, { recursive: true, force: true });
  }
});
