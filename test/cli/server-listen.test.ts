// `dpvault server` on an address it cannot take exits non-zero with a message naming the address,
// and gives the data directory back. The real binary, a real port held by another listener.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CLI_BIN, runServer } from '../support/service.ts';

let holder: Server;
let port: number;
const dirs: string[] = [];

before(async () => {
  holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  port = (holder.address() as { port: number }).port;
});
after(() => {
  holder.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('with its port taken, `dpvault server` exits non-zero, names the address and releases the data directory', async () => {
  const data = mkdtempSync(join(tmpdir(), 'dpvault-listen-'));
  dirs.push(data);
  const r = await runServer(['--port', String(port), '--data-dir', data]);
  assert.equal(r.killed, false, `the server kept running: ${r.stderr}`);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`ERROR: \\(AddressInUse\\) Cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use`));
  assert.equal(existsSync(join(data, 'server.pid')), false, 'server.pid is removed');
  // The directory is free: a server on a free port starts on it.
  const again = spawn(process.execPath, [CLI_BIN, 'server', '--port', '0', '--data-dir', data], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    let said = '';
    again.stderr.on('data', (d: Buffer) => (said += d.toString()));
    for (let i = 0; i < 500 && !said.includes('listening') && again.exitCode === null; i++) await new Promise((res) => setTimeout(res, 20));
    assert.match(said, /dpvault listening on/);
  } finally {
    again.kill('SIGTERM');
    await new Promise((res) => (again.exitCode !== null ? res(undefined) : again.once('exit', res)));
  }
});

test('an address no interface has is refused the same way', async () => {
  const data = mkdtempSync(join(tmpdir(), 'dpvault-listen-'));
  dirs.push(data);
  const r = await runServer(['--host', '192.0.2.1', '--insecure-http', '--port', String(port), '--data-dir', data]);
  assert.equal(r.killed, false, `the server kept running: ${r.stderr}`);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`ERROR: \\(AddressNotAvailable\\) Cannot listen on 192\\.0\\.2\\.1:${port}`));
  assert.equal(existsSync(join(data, 'server.pid')), false, 'server.pid is removed');
});

test('a relative --data-dir is the working directory\'s, and the server starts on it', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'dpvault-listen-'));
  dirs.push(cwd);
  const server = spawn(process.execPath, [CLI_BIN, 'server', '--port', '0', '--data-dir', 'data'], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    let said = '';
    server.stderr.on('data', (d: Buffer) => (said += d.toString()));
    for (let i = 0; i < 500 && !said.includes('listening') && server.exitCode === null; i++) await new Promise((res) => setTimeout(res, 20));
    assert.match(said, new RegExp(`dpvault listening on .*\\(data in ${join(cwd, 'data').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`), said);
    assert.ok(existsSync(join(cwd, 'data', 'catalog.sqlite')));
  } finally {
    server.kill('SIGTERM');
    await new Promise((res) => (server.exitCode !== null ? res(undefined) : server.once('exit', res)));
  }
});
