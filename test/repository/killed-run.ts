// A repository operation run in another process and killed without warning (SIGKILL) at a point
// observed from outside on the filesystem, or at an exact storage operation from inside: the
// crash tests of gc and of the locality repack.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** The object names under `dir`, relative to it (a put's temporary files, dot-named, are not objects). */
export async function names(dir: string): Promise<Set<string>> {
  const out = new Set<string>();
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory()) await walk(join(d, e.name));
      else if (!e.name.startsWith('.')) out.add(relative(dir, join(d, e.name)));
    }
  };
  await walk(dir);
  return out;
}

/**
 * The child kills itself (SIGKILL, no handler runs) as soon as its `count`-th `op` of an object
 * whose name starts with `prefix` has completed: an exact point, where a watcher polling the
 * directory from outside could see it late (CI once saw every old index file and twelve packs
 * gone before the kill "at the first old index file deleted" landed).
 */
export interface KillAt {
  op: 'put' | 'delete';
  prefix: string;
  count: number;
}

/**
 * Opens the repository in `dir` in another process, runs `call` on it (an expression of `repo`,
 * e.g. `repo.gc({ graceMs: 0 })`) and kills the process once `reached` is true, or where `reached`
 * (a KillAt) says, from inside; fails if the operation finished first.
 */
export async function killedRun(dir: string, master: Buffer, call: string, reached: (() => Promise<boolean>) | KillAt): Promise<void> {
  const at = typeof reached === 'function' ? null : reached;
  // The repository's own file storage; only the moment of death is added.
  const script = `
    import { Repository } from ${JSON.stringify(new URL('../../src/repository/repository.ts', import.meta.url).href)};
    import { FsStorage } from ${JSON.stringify(new URL('../../src/storage/fs.ts', import.meta.url).href)};
    const at = ${JSON.stringify(at)};
    let seen = 0;
    const hit = (op, name) => {
      if (at && op === at.op && name.startsWith(at.prefix) && ++seen >= at.count) process.kill(process.pid, 'SIGKILL');
    };
    class Storage extends FsStorage {
      async put(name, data) { await super.put(name, data); hit('put', name); }
      async delete(name) { await super.delete(name); hit('delete', name); }
    }
    const repo = await Repository.open(new Storage(${JSON.stringify(dir)}), Buffer.from(process.env.KEY, 'hex'), { clock: { now: () => new Date() } });
    await ${call};
    process.stdout.write('done');`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KEY: master.toString('hex') } });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise((r) => child.once('exit', r));
  if (typeof reached === 'function') {
    while (child.exitCode === null && !(await reached())) await new Promise((r) => setTimeout(r, 1));
    child.kill('SIGKILL');
  }
  await exited;
  assert.equal(child.signalCode, 'SIGKILL', `${call} was killed before it finished: ${stderr}`);
}
