// The installed entry on the machine's own Node: `bin/dpvault.js` is plain JavaScript that an older
// Node (20) can start, and it runs dpvault again under the Node 24 that `npm install` cached. The
// tests run under Node 24, so they look for an older Node on this machine and put it first on PATH,
// as a user's shell would have it; without one there is nothing to prove and they skip, saying so.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { nodeIsRecentEnough } from '../../scripts/node-runtime.js';
import { freePort } from '../support/pg-bin.ts';
import { CLI_BIN, captureChild } from '../support/service.ts';

/** A Node on this machine too old to run dpvault itself, if there is one. */
function olderNode(): string | undefined {
  const candidates = ['/usr/local/bin/node', '/usr/bin/node', ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'node'))];
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    try {
      const version = execFileSync(file, ['--version'], { encoding: 'utf8' }).trim().replace(/^v/, '');
      if (!nodeIsRecentEnough(version)) return file;
    } catch {
      // not a working node
    }
  }
  return undefined;
}

const old = olderNode();
const skip = old ? false : 'no Node older than 22.12 on this machine (looked in /usr/local/bin, /usr/bin and PATH)';
const env = (extra: Record<string, string> = {}) => ({ ...process.env, PATH: `${dirname(old ?? '')}${delimiter}${process.env.PATH}`, ...extra });
const dir = mkdtempSync(join(tmpdir(), 'dpvault-node-entry-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `bin/dpvault.js` by its shebang, with the older Node first on PATH. */
const runEntry = (args: string[], extra: Record<string, string> = {}) =>
  captureChild(spawn(CLI_BIN, args, { env: env(extra), stdio: ['ignore', 'pipe', 'pipe'] }));

describe('bin/dpvault.js on an older Node', { skip }, () => {
  it('prints the version and a command\'s help', async () => {
    const v = await runEntry(['--version']);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, /^\d+\.\d+\.\d+\n$/);
    assert.equal(v.stderr, '');
    const help = await runEntry(['server', '--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /--port/);
    assert.match(help.stdout, /--data-dir/);
  });

  it('starts the server, which answers HTTP and stops on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(CLI_BIN, ['server', '--port', String(port), '--data-dir', join(dir, 'data')], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    const done = captureChild(child);
    let answered: number | undefined;
    for (let i = 0; i < 600 && answered === undefined && child.exitCode === null; i++) {
      try {
        answered = (await fetch(`http://127.0.0.1:${port}/metadata/endpoints?api-version=2015-01-01`)).status; // a public route
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    child.kill('SIGTERM');
    const r = await done;
    assert.equal(answered, 200, r.stderr);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /dpvault listening on/);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/subscriptions`), 'the server stopped with the entry');
  });

  it('says how to fetch Node 24 when the cache holds none', async () => {
    const r = await runEntry(['--version'], { DPVAULT_NODE_CACHE: join(dir, 'empty-cache') });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^ERROR: \(NodeTooOld\) dpvault needs Node\.js 22\.12 or later; this is Node 20\.[\s\S]*Run 'npm install'/);
  });
});

describe('bin/dpvault.js without a build', () => {
  it('says how to build instead of a module-not-found trace', async () => {
    const copy = join(dir, 'unbuilt');
    cpSync(CLI_BIN, join(copy, 'bin', 'dpvault.js'));
    cpSync(join(dirname(CLI_BIN), '..', 'scripts', 'node-runtime.js'), join(copy, 'scripts', 'node-runtime.js'));
    cpSync(join(dirname(CLI_BIN), '..', 'package.json'), join(copy, 'package.json'));
    const r = await captureChild(spawn(process.execPath, [join(copy, 'bin', 'dpvault.js'), '--version'], { stdio: ['ignore', 'pipe', 'pipe'] }));
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `ERROR: (NotBuilt) ${join(copy, 'dist', 'cli', 'main.js')} is missing; run 'npm install' (or 'npm run build') in ${copy}/.\n`);
  });
});
