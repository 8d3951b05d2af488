// The PostgreSQL side of the benchmark: a throwaway cluster (the test harness's), the bench dataset
// loaded at a scale, weekly churn, and the pg_dump / pg_restore baselines run over TCP with a
// password, as dpvault's own pg_dump and pg_restore connect.
import { join } from 'node:path';
import { startCluster, type PgCluster } from '../../test/support/pg-cluster.ts';
import type { DbDifference } from '../../test/support/pg-compare.ts';
import { must } from './proc.ts';
import type { PgLogin } from './protect.ts';

export class BenchCluster {
  readonly cluster: PgCluster;
  readonly login: PgLogin;

  private constructor(cluster: PgCluster) {
    this.cluster = cluster;
    this.login = { host: cluster.host, port: cluster.port, user: 'postgres', password: cluster.superuserPassword };
  }

  /** A new cluster with PostgreSQL's default shared_buffers and room for a large load between checkpoints. */
  static async start(): Promise<BenchCluster> {
    return new BenchCluster(await startCluster({ settings: { shared_buffers: '128MB', max_wal_size: '4GB' } }));
  }

  /** A client tool of the cluster's version (pg_dump, pg_restore, psql). */
  tool(name: string): string {
    return join(this.cluster.bindir, name);
  }

  /** Arguments and environment that connect a client tool over TCP as the superuser. */
  /** Arguments and environment that connect a client tool to `db` over TCP as the superuser. */
  connArgs(db: string): { args: string[]; env: NodeJS.ProcessEnv } {
    return this.#conn(db);
  }

  #conn(db: string): { args: string[]; env: NodeJS.ProcessEnv } {
    const l = this.login;
    return { args: ['-h', l.host, '-p', String(l.port), '-U', l.user, '-d', db], env: { ...process.env, PGPASSWORD: l.password } };
  }

  /** Runs an SQL file with psql and `-v name=value` variables; returns the wall time. */
  async psqlFile(db: string, file: string, vars: Record<string, string | number>): Promise<number> {
    const t0 = performance.now();
    await this.cluster.psql(db, [...Object.entries(vars).flatMap(([k, v]) => ['-v', `${k}=${v}`]), '-f', file]);
    return (performance.now() - t0) / 1000;
  }

  /**
   * Writes out what earlier runs left dirty (a checkpoint, then the kernel's page cache), so a
   * timed run does not pay for the one before it: a restore leaves a GB or more of WAL and data
   * in the page cache, which the kernel writes back some 30 s later, in whichever run is going.
   */
  async settle(): Promise<void> {
    await this.cluster.query('postgres', 'CHECKPOINT');
    await must('sync', []);
  }

  async createDatabase(name: string, template?: string): Promise<void> {
    await this.cluster.query('postgres', `CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
  }

  dropDatabase(name: string): Promise<void> {
    return this.cluster.dropDatabase(name);
  }

  /** pg_database_size of a database. */
  async databaseBytes(db: string): Promise<number> {
    const [row] = await this.cluster.query<{ n: string }>('postgres', 'SELECT pg_database_size($1) AS n', [db]);
    return Number(row?.n);
  }

  /** `pg_dump <flags> -f file db`; returns the wall time. */
  async dump(db: string, file: string, flags: string[]): Promise<number> {
    const c = this.#conn(db);
    return (await must(this.tool('pg_dump'), [...flags, '-f', file, ...c.args], { env: c.env })).seconds;
  }

  /**
   * CREATE DATABASE target, then `pg_restore -d target file`; returns both wall times. With
   * `pgOptions`, pg_restore's sessions run with those settings (PGOPTIONS), as dpvault's do.
   */
  async restore(file: string, target: string, pgOptions?: string, flags: string[] = []): Promise<{ createSeconds: number; restoreSeconds: number }> {
    const t0 = performance.now();
    await this.createDatabase(target);
    const createSeconds = (performance.now() - t0) / 1000;
    const c = this.#conn(target);
    const env = pgOptions ? { ...c.env, PGOPTIONS: pgOptions } : c.env;
    const restoreSeconds = (await must(this.tool('pg_restore'), [...flags, ...c.args, file], { env })).seconds;
    return { createSeconds, restoreSeconds };
  }

  /** CREATE DATABASE target, then `cat file | pg_restore -d target` (a kernel pipe, as a stream into pg_restore has); returns the wall time. */
  async restoreFromPipe(file: string, target: string): Promise<number> {
    await this.createDatabase(target);
    const c = this.#conn(target);
    return (await must('sh', ['-c', 'f=$1; shift; cat "$f" | "$@"', 'sh', file, this.tool('pg_restore'), ...c.args], { env: c.env })).seconds;
  }

  compare(a: string, b: string): Promise<DbDifference[]> {
    return this.cluster.compareDatabases(a, b);
  }

  stop(): Promise<void> {
    return this.cluster.stop();
  }
}
