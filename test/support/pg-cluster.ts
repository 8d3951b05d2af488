// A throwaway PostgreSQL cluster for tests: initdb in a new temp directory, a free port on
// 127.0.0.1, fsync off; gone again after stop().
//
// Usage — one cluster per test file, stopped even when a test fails:
//
//   import { after, before, test } from 'node:test';
//   import { startCluster, type PgCluster } from '../support/pg-cluster.ts';
//   import { shopSql } from '../support/pg-fixtures.ts';
//
//   let cluster: PgCluster;
//   before(async () => { cluster = await startCluster(); });
//   after(() => cluster?.stop());          // runs whatever the tests did; stop() is idempotent
//
//   test('…', async () => {
//     await cluster.createDatabase('shop', shopSql(100));       // SQL text through real psql
//     await cluster.psql('shop', ['-v', 'scale=1', '-f', '/work/shared/bench/dataset.sql']);
//     const rows = await cluster.query<{ n: string }>('shop', 'SELECT count(*) AS n FROM orders');
//     const conn = cluster.connection('shop');                  // a PgConnection for src/sources/postgres
//     assert.deepEqual(await cluster.compareDatabases('shop', 'shop_restored'), []);
//   });
//
// Host connections (TCP) use scram-sha-256, so a wrong password really fails; the harness
// itself talks over the unix socket in the temp directory with trust. The superuser is
// `postgres` with `cluster.superuserPassword`. As root, initdb and postgres run as the
// `postgres` OS user. A crashed test run leaves nothing running: see pg-reaper.ts.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { PgConnection } from '../../src/sources/postgres/connection-string.ts';
import { majorFromVersionNum } from '../../src/sources/postgres/tools.ts';
import { clusterOwner, freePort, ownerCommand, serverBinDir, serverMajor } from './pg-bin.ts';
import { compareDatabases, type DbDifference } from './pg-compare.ts';
import { TEMP_PREFIX, postmasterPid, reapStaleClusters, register, unregister, writeOwner } from './pg-reaper.ts';

export interface StartOptions {
  /** The `postgres` superuser's password; default 'harness-superuser-pw'. */
  superuserPassword?: string;
  /** Server binaries; default serverBinDir(). */
  bindir?: string;
  /** Extra server settings (`-c name=value`). */
  settings?: Record<string, string>;
}

export interface RoleOptions {
  login?: boolean;
  superuser?: boolean;
  createdb?: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function run(file: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { cwd: opts.cwd, env: opts.env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')} failed (${err.code ?? err.signal}):\n${String(stderr).slice(-4000)}`));
      else resolve({ stdout: String(stdout), stderr: String(stderr) });
    });
    child.stdin?.on('error', () => {}); // The tool may exit before reading it all; its exit status says why.
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

export class PgCluster {
  readonly host = '127.0.0.1';
  readonly dir: string;
  readonly dataDir: string;
  readonly bindir: string;
  readonly superuserPassword: string;
  port = 0;
  /** The server's major version, e.g. 15. */
  version = 0;
  #child: ChildProcess | null = null;
  #exited: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(dir: string, bindir: string, superuserPassword: string) {
    this.dir = dir;
    this.dataDir = join(dir, 'data');
    this.bindir = bindir;
    this.superuserPassword = superuserPassword;
  }

  /** A postgres:// URL for TCP connections (scram-sha-256), as a user would write it. */
  connectionString(db: string, user = 'postgres', password: string | null = this.superuserPassword): string {
    const enc = encodeURIComponent;
    const auth = password === null ? enc(user) : `${enc(user)}:${enc(password)}`;
    return `postgresql://${auth}@${this.host}:${this.port}/${enc(db)}?sslmode=disable`;
  }

  /** The same as a PgConnection, for src/sources/postgres. */
  connection(db: string, user = 'postgres', password: string | null = this.superuserPassword): PgConnection {
    return { host: this.host, port: this.port, database: db, user, password, sslMode: 'disable' };
  }

  /** Runs one statement as the superuser over the unix socket; returns the rows. */
  async query<T = Record<string, unknown>>(db: string, sql: string, params?: unknown[]): Promise<T[]> {
    const client = new pg.Client({ host: this.dir, port: this.port, user: 'postgres', database: db });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  /** Runs the real psql as the superuser with ON_ERROR_STOP, e.g. psql('db', ['-v', 'scale=1', '-f', file]). */
  psql(db: string, args: string[], opts: { input?: string } = {}): Promise<{ stdout: string; stderr: string }> {
    const base = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', this.dir, '-p', String(this.port), '-U', 'postgres', '-d', db];
    return run(join(this.bindir, 'psql'), [...base, ...args], { input: opts.input });
  }

  /** Creates a database and, when given, runs `sqlText` in it through psql (so \set and :vars work). */
  async createDatabase(name: string, sqlText?: string): Promise<void> {
    await this.query('postgres', `CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    if (sqlText !== undefined) await this.psql(name, ['-f', '-'], { input: sqlText });
  }

  /** Drops a database, disconnecting anyone still in it. */
  async dropDatabase(name: string): Promise<void> {
    await this.query('postgres', `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  }

  /** Creates a role; LOGIN unless opts.login is false. */
  async createRole(name: string, password: string | null, opts: RoleOptions = {}): Promise<void> {
    const attrs = [
      opts.login === false ? 'NOLOGIN' : 'LOGIN',
      opts.superuser ? 'SUPERUSER' : 'NOSUPERUSER',
      opts.createdb ? 'CREATEDB' : 'NOCREATEDB',
      password === null ? '' : `PASSWORD ${pg.escapeLiteral(password)}`,
    ];
    await this.query('postgres', `CREATE ROLE ${pg.escapeIdentifier(name)} ${attrs.join(' ')}`);
  }

  /** Table-by-table differences between `dbA` here and `dbB` on `clusterB` (default: this cluster); [] when equal. */
  compareDatabases(dbA: string, dbB: string, clusterB: PgCluster = this): Promise<DbDifference[]> {
    return compareDatabases({ cluster: this, db: dbA }, { cluster: clusterB, db: dbB });
  }

  /** The last lines of the server log, for failure messages. */
  logTail(lines = 30): string {
    try {
      return readFileSync(join(this.dir, 'postgres.log'), 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /** Fast shutdown, then removes the directory. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const pid = postmasterPid(this.dataDir);
    const escalation: [NodeJS.Signals, number][] = [['SIGINT', 15_000], ['SIGQUIT', 5000], ['SIGKILL', 5000]];
    for (const [signal, waitMs] of escalation) {
      if (!this.#child || this.#child.exitCode !== null || this.#child.signalCode !== null) break;
      try {
        process.kill(pid ?? (this.#child.pid as number), signal);
      } catch {
        break;
      }
      if (await this.#waitExit(waitMs)) break;
    }
    unregister(this.dir);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** True when the server process exits within `ms`. */
  #waitExit(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      void this.#exited.then(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** initdb; used once by startCluster. */
  async init(): Promise<void> {
    const owner = clusterOwner();
    const pwfile = join(this.dir, 'pwfile');
    writeFileSync(pwfile, `${this.superuserPassword}\n`, { mode: 0o600 });
    if (owner) chownSync(pwfile, owner.uid, owner.gid);
    const args = ['-D', this.dataDir, '-U', 'postgres', `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256',
      '-E', 'UTF8', '--locale=C', '--no-sync'];
    const [file, argv] = ownerCommand(join(this.bindir, 'initdb'), args, false);
    try {
      await run(file, argv, { cwd: this.dir, env: { ...process.env, LC_ALL: 'C' } });
    } finally {
      rmSync(pwfile, { force: true });
    }
  }

  /** Starts postgres on a free port and waits until it accepts connections; retries when the port was taken. */
  async start(settings: Record<string, string>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      this.port = await freePort();
      const conf = {
        listen_addresses: this.host, port: String(this.port), unix_socket_directories: this.dir, fsync: 'off',
        synchronous_commit: 'off', full_page_writes: 'off', max_connections: '40', shared_buffers: '32MB', ...settings,
      };
      const args = ['-D', this.dataDir, ...Object.entries(conf).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
      const [file, argv] = ownerCommand(join(this.bindir, 'postgres'), args, true);
      const log = openSync(join(this.dir, 'postgres.log'), 'a');
      const child = spawn(file, argv, { cwd: this.dir, stdio: ['ignore', log, log], env: { ...process.env, LC_ALL: 'C' } });
      closeSync(log);
      child.unref(); // A forgotten stop() must not hold the test process open; the exit hook and pdeathsig clean up.
      this.#child = child;
      this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
      child.once('error', () => {});
      register(this.dir, () => {
        const pid = postmasterPid(this.dataDir) ?? child.pid;
        if (pid) try { process.kill(pid, 'SIGQUIT'); } catch { /* gone */ }
      });
      if (await this.#waitReady(child)) return;
      const log2 = this.logTail();
      if (attempt < 5 && /could not bind|Address already in use|could not create any TCP/i.test(log2)) continue;
      throw new Error(`PostgreSQL did not start in ${this.dir}:\n${log2}`);
    }
  }

  async #waitReady(child: ChildProcess): Promise<boolean> {
    for (let t = 0; t < 60_000; t += 50) {
      if (child.exitCode !== null || child.signalCode !== null) return false;
      try {
        const [row] = await this.query<{ num: string }>('postgres', "SELECT current_setting('server_version_num') AS num");
        this.version = majorFromVersionNum(Number(row?.num));
        return true;
      } catch {
        await sleep(50);
      }
    }
    child.kill('SIGKILL');
    return false;
  }
}

/** Starts a new throwaway cluster; call stop() in an after() hook. */
export async function startCluster(opts: StartOptions = {}): Promise<PgCluster> {
  await reapStaleClusters();
  const bindir = opts.bindir ?? serverBinDir();
  const dir = mkdtempSync(join(tmpdir(), TEMP_PREFIX));
  writeOwner(dir);
  chmodSync(dir, 0o700);
  const owner = clusterOwner();
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const cluster = new PgCluster(dir, bindir, opts.superuserPassword ?? 'harness-superuser-pw');
  try {
    await cluster.init();
    await cluster.start(opts.settings ?? {});
    return cluster;
  } catch (e) {
    await cluster.stop();
    throw e;
  }
}

export { serverMajor };
