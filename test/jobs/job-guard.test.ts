// An error nothing handles inside a job fails that job and nothing else: the worker process (with
// the guard `dpvault server` installs) keeps running and completes its other work. Without the
// guard the same errors end the process, which is what the guard is for.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { captureChild } from '../support/service.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'guarded-worker.ts');
/** The fixture works in a data directory of the test's, removed here: the unguarded run dies before it could. */
async function run(...args: string[]) {
  const dataDir = mkdtempSync(join(tmpdir(), 'dpvault-guard-'));
  try {
    return await captureChild(spawn(process.execPath, [FIXTURE, dataDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

test('with the guard, a job whose stream or callback throws unheard fails alone', async () => {
  const r = await run('--guard');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { failed: ['emits', 'throws'], survived: true });
  assert.match(r.stderr, /a job failed on an uncaught exception nothing handled: (thrown where nothing listens|a stream error with no listener)/);
});

test('without it, the same error takes the process down (what the guard prevents)', async () => {
  const r = await run();
  assert.notEqual(r.code, 0);
  assert.equal(r.stdout, '');
});
