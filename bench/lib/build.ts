// A private build of the service for one benchmark run: src/ compiled into the run's work directory
// with bin/dpvault.js beside it, so every server and CLI call in the run uses the same code even
// while someone rebuilds dist/ in the repository.
import { copyFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { run } from './proc.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');

export interface Build {
  /** The CLI entry point (a copy of bin/dpvault.js) to run with `node`. */
  entry: string;
  /** tsc's complaints, when it had any (it emits all the same). */
  warnings: string;
}

/** Compiles src/ with tsconfig.build.json into `<workDir>/app/dist`; returns the entry point. */
export async function buildSnapshot(workDir: string): Promise<Build> {
  const app = join(workDir, 'app');
  mkdirSync(join(app, 'bin'), { recursive: true });
  mkdirSync(join(app, 'scripts'), { recursive: true });
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = await run(process.execPath, [tsc, '-p', join(REPO_ROOT, 'tsconfig.build.json'), '--outDir', join(app, 'dist')], { cwd: REPO_ROOT });
  copyFileSync(join(REPO_ROOT, 'bin', 'dpvault.js'), join(app, 'bin', 'dpvault.js'));
  // bin/dpvault.js imports the Node version check from scripts/.
  copyFileSync(join(REPO_ROOT, 'scripts', 'node-runtime.js'), join(app, 'scripts', 'node-runtime.js'));
  copyFileSync(join(REPO_ROOT, 'package.json'), join(app, 'package.json'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(app, 'node_modules'), 'dir');
  return { entry: join(app, 'bin', 'dpvault.js'), warnings: r.code === 0 ? '' : (r.stdout + r.stderr).trim() };
}
