// Where the PostgreSQL server binaries are, how to run them as the `postgres` OS user when the
// tests run as root (initdb and postgres refuse root), and a free TCP port on 127.0.0.1.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';

const isRoot = (): boolean => process.getuid?.() === 0;

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

/**
 * The directory holding initdb, postgres and pg_ctl: $DPVAULT_PG_BINDIR, else the newest
 * /usr/lib/postgresql/<N>/bin (Debian) or /usr/pgsql-<N>/bin (RHEL), else initdb's on PATH.
 */
export function serverBinDir(): string {
  const fromEnv = process.env.DPVAULT_PG_BINDIR;
  if (fromEnv) return fromEnv;
  for (const [root, pattern] of [['/usr/lib/postgresql', /^(\d+)$/], ['/usr', /^pgsql-(\d+)$/]] as const) {
    if (!existsSync(root)) continue;
    const majors = readdirSync(root)
      .map((n) => pattern.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ dir: join(root, m[0], 'bin'), major: Number(m[1]) }))
      .filter((c) => existsSync(join(c.dir, 'initdb')) && existsSync(join(c.dir, 'postgres')))
      .sort((a, b) => b.major - a.major);
    if (majors[0]) return majors[0].dir;
  }
  const initdb = onPath('initdb');
  if (initdb) return dirname(initdb);
  throw new Error('No PostgreSQL server binaries found: install Debian\'s `postgresql` package or set DPVAULT_PG_BINDIR.');
}

/** The major version of the server binaries in `bindir`. */
export function serverMajor(bindir = serverBinDir()): number {
  const out = execFileSync(join(bindir, 'postgres'), ['--version'], { encoding: 'utf8' });
  const m = /\)\s*(\d+)(?:\.(\d+))?/.exec(out);
  if (!m) throw new Error(`Cannot read the version from: ${out.trim()}`);
  return Number(m[1]) >= 10 ? Number(m[1]) : Number(`${m[1]}.${m[2]}`);
}

let postgresIds: { uid: number; gid: number } | undefined;

/** The uid/gid files must belong to when the servers run as `postgres` (only when we are root). */
export function clusterOwner(): { uid: number; gid: number } | null {
  if (!isRoot()) return null;
  postgresIds ??= {
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
  };
  return postgresIds;
}

const setpriv = onPath('setpriv') ?? (existsSync('/usr/bin/setpriv') ? '/usr/bin/setpriv' : null);

/**
 * The argv that runs `file args` as the cluster's owner. With `dieWithParent`, the kernel sends
 * the process SIGQUIT (PostgreSQL's immediate shutdown) when this Node process dies, however
 * it dies: util-linux's setpriv sets PR_SET_PDEATHSIG after switching user, then execs.
 * Without setpriv (not Linux) the reaper in pg-reaper.ts is the only safety net.
 */
export function ownerCommand(file: string, args: string[], dieWithParent: boolean): [string, string[]] {
  const pdeath = dieWithParent && setpriv && process.platform === 'linux' ? ['--pdeathsig', 'SIGQUIT'] : [];
  if (isRoot()) {
    if (setpriv) return [setpriv, ['--reuid=postgres', '--regid=postgres', '--init-groups', ...pdeath, '--', file, ...args]];
    return ['runuser', ['-u', 'postgres', '--', file, ...args]];
  }
  if (pdeath.length > 0 && setpriv) return [setpriv, [...pdeath, '--', file, ...args]];
  return [file, args];
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the caller retries if it is taken by then). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
