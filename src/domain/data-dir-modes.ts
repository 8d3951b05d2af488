// Who may read the data directory (master key, catalog, TLS key, backup data): only the service's
// user. Pure: what to change in what was found, or why it cannot be made private.
import { errors } from './errors.ts';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

export interface FoundEntry {
  path: string;
  isDirectory: boolean;
  /** Permission bits (mode & 0o777). */
  mode: number;
  uid: number;
}

export interface ModeChange {
  path: string;
  from: number;
  to: number;
}

const octal = (mode: number) => `0${mode.toString(8).padStart(3, '0')}`;

export function describeChange(c: ModeChange): string {
  return `${c.path}: mode ${octal(c.from)} -> ${octal(c.to)}`;
}

/**
 * The changes that make every entry private to `uid` (directories 0700, files 0600): group and
 * others lose every right. An entry another user owns cannot be made private by this one: refused.
 * `uid` null (a platform without uids) changes modes only.
 */
export function privateModes(entries: readonly FoundEntry[], uid: number | null): ModeChange[] {
  const changes: ModeChange[] = [];
  for (const e of entries) {
    if (uid !== null && uid !== 0 && e.uid !== uid) throw errors.dataDirNotPrivate(e.path, `it is owned by user ${e.uid}, not by the service's user ${uid}`);
    const to = e.isDirectory ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE;
    if ((e.mode & 0o077) !== 0 || (e.mode & to) !== to) changes.push({ path: e.path, from: e.mode, to });
  }
  return changes;
}
