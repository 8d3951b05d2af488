// Finds pg_dump, pg_restore and psql of a given PostgreSQL major version. A backup is taken with
// the pg_dump of the server's own major version (as Azure does), so several client versions may
// sit side by side: Debian's /usr/lib/postgresql/<N>/bin, PGDG's /usr/pgsql-<N>/bin, Homebrew's
// postgresql@<N>, a source build in /usr/local/pgsql/bin, and whatever is on PATH. Every
// candidate is asked for its `--version`; answers are cached for the life of the process.
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { errors } from '../../domain/errors.ts';

export type PgTool = 'pg_dump' | 'pg_dumpall' | 'pg_restore' | 'psql';

export { TOOL_NOT_FOUND } from '../../domain/errors.ts';

/** The major version in a `--version` line or a server_version string: "15.13 (Debian…)" → 15, "9.6.24" → 9.6. */
export function parseMajorVersion(text: string): number | null {
  const m = /(\d+)\.(\d+)|(\d+)(?:beta|rc|devel)/.exec(text.replace(/^[^\d]*\)\s*/, ''));
  if (!m) return null;
  if (m[3]) return Number(m[3]);
  const first = Number(m[1]);
  return first >= 10 ? first : Number(`${m[1]}.${m[2]}`);
}

/** The major version from `server_version_num`: 150013 → 15, 90624 → 9.6. */
export function majorFromVersionNum(num: number): number {
  return num >= 100000 ? Math.floor(num / 10000) : Math.floor(num / 10000) + Math.floor((num % 10000) / 100) / 10;
}

/** Directories that hold the tools of one major version, most specific first. */
export function versionedDirs(major: number): string[] {
  return [
    `/usr/lib/postgresql/${major}/bin`,
    `/usr/pgsql-${major}/bin`,
    `/opt/homebrew/opt/postgresql@${major}/bin`,
    `/usr/local/opt/postgresql@${major}/bin`,
    `/Applications/Postgres.app/Contents/Versions/${major}/bin`,
  ];
}

export interface FindToolOptions {
  /** Directories searched before the standard ones. */
  extraDirs?: string[];
  /** The PATH to search; defaults to the process's. */
  path?: string;
}

const found = new Map<string, string>();
const versions = new Map<string, Promise<number | null>>();

/** The major version a binary reports, or null when it cannot be run. Cached per path. */
export function toolMajorVersion(file: string): Promise<number | null> {
  let v = versions.get(file);
  if (!v) {
    v = new Promise((resolve) => {
      execFile(file, ['--version'], { timeout: 10_000, env: { ...process.env, LC_ALL: 'C' } }, (err, stdout) => {
        resolve(err ? null : parseMajorVersion(String(stdout)));
      });
    });
    versions.set(file, v);
  }
  return v;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The path of `name` whose major version equals `major`. Throws UserErrorBackupToolNotFound,
 * naming the version needed and how to install it, when there is none.
 */
export async function findTool(name: PgTool, major: number, opts: FindToolOptions = {}): Promise<string> {
  const key = `${name}@${major}`;
  const cached = found.get(key);
  if (cached && !opts.extraDirs && opts.path === undefined) return cached;
  const pathDirs = (opts.path ?? process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const dirs = [...(opts.extraDirs ?? []), ...versionedDirs(major), '/usr/local/pgsql/bin', ...pathDirs];
  const seen = new Set<string>();
  for (const dir of dirs) {
    const file = join(dir, name);
    if (seen.has(file)) continue;
    seen.add(file);
    if (!(await isExecutable(file))) continue;
    if ((await toolMajorVersion(file)) === major) {
      if (!opts.extraDirs && opts.path === undefined) found.set(key, file);
      return file;
    }
  }
  throw errors.backupToolNotFound(
    `${name} of PostgreSQL ${major} was not found on this machine; backups and restores use the client tools of the ` +
      `server's own major version. Install them (Debian/Ubuntu: apt-get install postgresql-client-${major}; ` +
      `RHEL: dnf install postgresql${major}; macOS: brew install postgresql@${major}) and try again. ` +
      `Looked in ${versionedDirs(major)[0]}, /usr/pgsql-${major}/bin, /usr/local/pgsql/bin and PATH.`,
  );
}
