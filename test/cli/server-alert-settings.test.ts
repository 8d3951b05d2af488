// `dpvault server`'s alert settings, through the real binary: a bad --alert-webhook-retries,
// --alert-webhook-retry-delay or --missed-backup-grace stops the start with a usage error naming
// the flag (exit 2) before anything is made; good ones start the server.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CLI_BIN, runServer } from '../support/service.ts';
import { scratchDir } from '../support/scratch.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const freshDir = () => {
  const d = join(scratchDir('dpvault-alert-flags-'), 'data');
  dirs.push(d);
  return d;
};

test('bad alert settings are refused at start, naming the flag, and make nothing', async () => {
  const cases: [string[], RegExp][] = [
    [['--alert-webhook-retries', '-1'], /argument --alert-webhook-retries: '-1' is not a whole number from 0 to 20/],
    [['--alert-webhook-retries', '21'], /argument --alert-webhook-retries: '21' is not a whole number from 0 to 20/],
    [['--alert-webhook-retries', 'many'], /argument --alert-webhook-retries: 'many'/],
    [['--alert-webhook-retry-delay', '0'], /argument --alert-webhook-retry-delay: '0' is not a number of seconds from 0\.001 to 3600/],
    [['--alert-webhook-retry-delay', 'soon'], /argument --alert-webhook-retry-delay: 'soon'/],
    [['--missed-backup-grace', 'P1M'], /argument --missed-backup-grace: 'P1M' is not an ISO 8601 duration of weeks, days, hours, minutes or seconds/],
    [['--missed-backup-grace', '1h'], /argument --missed-backup-grace: '1h'/],
    [['--alert-webhook', 'ftp://hooks.example/in'], /argument --alert-webhook: 'ftp:\/\/hooks\.example' is not an http or https URL/],
  ];
  for (const [args, message] of cases) {
    const data = freshDir();
    const r = await runServer(['--port', '0', '--data-dir', data, ...args]);
    assert.equal(r.killed, false, `the server kept running with ${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    if (args[0] !== '--alert-webhook') assert.equal(existsSync(data), false, `${args.join(' ')} made the data directory`);
  }
});

test('good alert settings start the server', async () => {
  const data = freshDir();
  const server = spawn(process.execPath, [
    CLI_BIN, 'server', '--port', '0', '--data-dir', data, '--alert-webhook', 'http://user:pw@127.0.0.1:9/in?token=t0ken',
    '--alert-webhook-retries', '0', '--alert-webhook-retry-delay', '0.25', '--missed-backup-grace', 'PT4H',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    let said = '';
    server.stderr.on('data', (d: Buffer) => (said += d.toString()));
    for (let i = 0; i < 1000 && !said.includes('listening') && server.exitCode === null; i++) await new Promise((res) => setTimeout(res, 20));
    assert.match(said, /dpvault listening on/);
    assert.doesNotMatch(said, /t0ken|user:pw/);
  } finally {
    server.kill('SIGTERM');
    await new Promise((res) => (server.exitCode !== null ? res(undefined) : server.once('exit', res)));
  }
});
