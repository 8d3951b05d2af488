#!/usr/bin/env node
// The installed entry point. Plain JavaScript that any Node from 20 on can run: on a Node new enough
// for dpvault it runs the compiled CLI (built by `npm install` through `prepare`); on an older one it
// starts itself again under the Node 24 that `npm install` cached (scripts/node-runtime.js).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cachedNodeBinary, MIN_NODE, nodeCacheDir, nodeIsRecentEnough } from '../scripts/node-runtime.js';

if (nodeIsRecentEnough(process.versions.node)) {
  const built = new URL('../dist/cli/main.js', import.meta.url);
  if (existsSync(built)) {
    const { main } = await import(built.href);
    process.exitCode = await main(process.argv.slice(2));
  } else {
    process.stderr.write(`ERROR: (NotBuilt) ${fileURLToPath(built)} is missing; run 'npm install' (or 'npm run build') in ${fileURLToPath(new URL('..', import.meta.url))}.\n`);
    process.exitCode = 1;
  }
} else {
  runUnderCachedNode(process.argv.slice(2));
}

function runUnderCachedNode(args) {
  const node = cachedNodeBinary();
  if (process.env.DPVAULT_NODE_REEXEC !== undefined || !existsSync(node)) {
    process.stderr.write(
      `ERROR: (NodeTooOld) dpvault needs Node.js ${MIN_NODE} or later; this is Node ${process.versions.node} and ${nodeCacheDir()} holds no Node 24. ` +
        `Run 'npm install' in ${fileURLToPath(new URL('..', import.meta.url))} to fetch it (DPVAULT_NODE_CACHE moves the cache), or put Node 24 first on PATH.\n`,
    );
    process.exitCode = 1;
    return;
  }
  // The server runs with the young-generation setting it is measured with (as `npm start` does).
  const nodeFlags = args[0] === 'server' ? ['--max-semi-space-size=2'] : [];
  const child = spawn(node, [...nodeFlags, fileURLToPath(import.meta.url), ...args], {
    stdio: 'inherit',
    env: { ...process.env, DPVAULT_NODE_REEXEC: '1' },
  });
  // Signals sent to this process go on to the real one. A Ctrl-C on a terminal already reaches both
  // (same process group), and a second SIGINT would cut the server's shutdown short: so SIGINT is
  // passed on only when there is no terminal to have sent it.
  const forwarded = ['SIGTERM', 'SIGHUP', 'SIGQUIT', ...(process.stdin.isTTY ? [] : ['SIGINT'])];
  for (const signal of forwarded) process.on(signal, () => child.kill(signal));
  if (process.stdin.isTTY) process.on('SIGINT', () => {});
  child.on('error', (e) => {
    process.stderr.write(`ERROR: (NodeStartFailed) cannot start ${node}: ${e.message}\n`);
    process.exitCode = 1;
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      // End the way the real process ended, so a caller sees the same signal.
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    }
    else process.exitCode = code ?? 1;
  });
}
