// Compiles src/ into dist/ with no moment at which dist/ is half written: tsc writes into a fresh
// directory beside it, then each file moves into dist/ with one rename (atomic on one filesystem).
// So a server or a test suite running from dist/ while `npm install` or `npm link` rebuilds it
// (their `prepare`) never loads a truncated module. Files whose source is gone are removed.
// The Backup center (src/web/) is bundled by esbuild into the same staging directory's portal/
// (web-bundle.js), so it moves in with the rest.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundlePortal } from './web-bundle.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const staging = join(root, `.dist-build-${process.pid}`);

function filesUnder(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

try {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', staging], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  await bundlePortal(join(root, 'src', 'web'), join(staging, 'portal'));
  const built = new Set(filesUnder(staging).map((f) => relative(staging, f)));
  for (const file of built) {
    mkdirSync(dirname(join(dist, file)), { recursive: true });
    renameSync(join(staging, file), join(dist, file));
  }
  for (const old of filesUnder(dist)) if (!built.has(relative(dist, old))) rmSync(old);
} finally {
  rmSync(staging, { recursive: true, force: true });
}
