// Makes the data directory private to the service's user at start: the directory and every
// directory in it 0700, every file directly in it 0600 (deeper files sit in 0700 directories).
// Fixed where it can be, with a log line each; refused (DataDirectoryNotPrivate) where not.
import { chmodSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describeChange, privateModes, type FoundEntry, type ModeChange } from '../domain/data-dir-modes.ts';
import { errors } from '../domain/errors.ts';

function found(path: string): FoundEntry | null {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return null;
  return { path, isDirectory: st.isDirectory(), mode: st.mode & 0o777, uid: st.uid };
}

export function secureDataDir(dataDir: string, log: (line: string) => void = () => undefined): ModeChange[] {
  const entries = [found(dataDir), ...readdirSync(dataDir).map((n) => found(join(dataDir, n)))].filter((e): e is FoundEntry => e !== null);
  const changes = privateModes(entries, typeof process.getuid === 'function' ? process.getuid() : null);
  for (const c of changes) {
    try {
      chmodSync(c.path, c.to);
    } catch (e) {
      throw errors.dataDirNotPrivate(c.path, `its mode could not be changed (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    log(`data directory: ${describeChange(c)} (readable only by the service's user)`);
  }
  return changes;
}
