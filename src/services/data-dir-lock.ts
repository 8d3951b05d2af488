// One server per data directory: `<data-dir>/server.pid` holds the pid of the server using it.
// A second server, or a master key rotation while a server runs, would write the catalog and the
// backup data under assumptions the first does not share; both are refused. A file left by a
// process that is gone (a crash, a kill -9) is taken over.
import { openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type DpError, errors } from '../domain/errors.ts';

const FILE = 'server.pid';
/** Directories this process holds (a pid in the file equal to ours is stale unless listed here). */
const held = new Set<string>();

/**
 * Whether `pid` is a live dpvault process. After a crash the pid may have been given to another
 * process (in a container, often this very one): where /proc tells, a process whose command line
 * does not mention dpvault does not count.
 */
function holds(pid: number, dataDir: string): boolean {
  if (pid === process.pid) return held.has(resolve(dataDir));
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('dpvault');
  } catch {
    return true; // no /proc here: a live pid is taken at its word
  }
}

/** The pid of a live process holding the directory, or null. */
function dataDirHolder(dataDir: string): number | null {
  let text: string;
  try {
    text = readFileSync(join(dataDir, FILE), 'utf8');
  } catch {
    return null;
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 && holds(pid, dataDir) ? pid : null;
}

function inUse(dataDir: string, pid: number): DpError {
  return errors.dataDirInUse(dataDir, pid);
}

/** Takes the directory for this process; returns how to give it back. */
export function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      held.add(resolve(dataDir));
      return () => {
        held.delete(resolve(dataDir));
        try {
          if (readFileSync(path, 'utf8').trim() === String(process.pid)) rmSync(path, { force: true });
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = dataDirHolder(dataDir);
      if (holder !== null) throw inUse(dataDir, holder);
      rmSync(path, { force: true }); // left by a process that is gone
    }
  }
  throw inUse(dataDir, dataDirHolder(dataDir) ?? 0);
}
