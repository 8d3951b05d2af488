// Protecting one database with a dpvault server, through the CLI as the quickstart does: resource
// group, Backup vault, the default policy, the PostgreSQL server, a key vault with the source and
// restore-target connection secrets and an access policy for the vault's identity, then a backup
// instance. Then on-demand backups and restores as a database, each timed to its job's end.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DpvaultServer, JobRun } from './server.ts';

export interface PgLogin {
  host: string;
  port: number;
  user: string;
  password: string;
}

const RG = 'benchrg';
const VAULT = 'benchvault';
const PG_SERVER = 'benchpg';
const KV = 'benchkv';
const LOCATION = 'westus';
/** The default policy template's backup rule. */
export const BACKUP_RULE = 'BackupWeekly';

function ensureCompleted(what: string, r: JobRun): JobRun {
  if (r.job.properties.status !== 'Completed') {
    throw new Error(`${what} job ended ${r.job.properties.status}: ${JSON.stringify(r.job.properties.errorDetails ?? [])}`);
  }
  return r;
}

export class Protection {
  readonly server: DpvaultServer;
  readonly instance: string;
  readonly sub: string;
  readonly cwd: string;
  readonly #pg: PgLogin;
  readonly #policyId: string;

  private constructor(server: DpvaultServer, instance: string, sub: string, cwd: string, pg: PgLogin, policyId: string) {
    this.server = server;
    this.instance = instance;
    this.sub = sub;
    this.cwd = cwd;
    this.#pg = pg;
    this.#policyId = policyId;
  }

  /** Sets up everything a backup of `db` needs on a server with an empty data directory. */
  static async setUp(server: DpvaultServer, pg: PgLogin, db: string, cwd: string): Promise<Protection> {
    mkdirSync(cwd, { recursive: true });
    const cli = (args: string[]) => server.cliJson(args, cwd);
    const sub = (await cli(['account', 'show'])).id as string;
    await cli(['group', 'create', '-n', RG, '-l', LOCATION]);
    await cli(['backup-vault', 'create', '-g', RG, '--vault-name', VAULT, '-l', LOCATION, '--type', 'SystemAssigned',
      '--storage-settings', 'datastore-type=VaultStore', 'type=LocallyRedundant']);
    const template = await cli(['backup-policy', 'get-default-policy-template', '--datasource-type', 'AzureDatabaseForPostgreSQL']);
    writeFileSync(join(cwd, 'policy.json'), JSON.stringify(template));
    const policyId = (await cli(['backup-policy', 'create', '-g', RG, '--vault-name', VAULT, '-n', 'benchpolicy', '--policy', 'policy.json'])).id as string;
    await cli(['postgres', 'server', 'create', '-g', RG, '-n', PG_SERVER, '--host', pg.host, '--port', String(pg.port)]);
    await cli(['keyvault', 'create', '-g', RG, '-n', KV, '-l', LOCATION]);
    const url = `postgres://${encodeURIComponent(pg.user)}:${encodeURIComponent(pg.password)}@${pg.host}:${pg.port}/postgres?sslmode=disable`;
    await cli(['keyvault', 'secret', 'set', '--vault-name', KV, '-n', 'target', '--value', url, '-o', 'none']);
    const vault = await cli(['backup-vault', 'show', '-g', RG, '--vault-name', VAULT]);
    await cli(['keyvault', 'set-policy', '-n', KV, '--object-id', vault.identity.principalId, '--secret-permissions', 'get', 'list', '-o', 'none']);
    const protection = new Protection(server, '', sub, cwd, pg, policyId);
    return protection.another(db, 'source');
  }

  /**
   * The same vault, policy and key vault protecting one more database of the same server (after
   * setUp): its connection in the key vault secret `secret`, then its backup instance.
   */
  async another(db: string, secret = `source-${db.replace(/_/g, '-')}`): Promise<Protection> {
    const cli = (args: string[]) => this.server.cliJson(args, this.cwd);
    const pg = this.#pg;
    const ado = `Server=${pg.host};Database=${db};Port=${pg.port};User Id=${pg.user};Password=${pg.password};Ssl Mode=Disable;`;
    await cli(['keyvault', 'secret', 'set', '--vault-name', KV, '-n', secret, '--value', ado, '-o', 'none']);
    const dsId = `/subscriptions/${this.sub}/resourceGroups/${RG}/providers/Microsoft.DBforPostgreSQL/servers/${PG_SERVER}/databases/${db}`;
    const bi = await cli(['backup-instance', 'initialize', '--datasource-id', dsId, '--datasource-type', 'AzureDatabaseForPostgreSQL',
      '-l', LOCATION, '--policy-id', this.#policyId, '--secret-store-type', 'AzureKeyVault', '--secret-store-uri', `https://${KV}.vault.azure.net/secrets/${secret}`]);
    bi.backup_instance_name = `bench-${db}`;
    const file = `instance-${db}.json`;
    writeFileSync(join(this.cwd, file), JSON.stringify(bi));
    const created = await cli(['backup-instance', 'create', '-g', RG, '--vault-name', VAULT, '--backup-instance', file]);
    return new Protection(this.server, created.name as string, this.sub, this.cwd, pg, this.#policyId);
  }

  /** The same protection driven through another server process on the same data directory. */
  on(server: DpvaultServer): Protection {
    return new Protection(server, this.instance, this.sub, this.cwd, this.#pg, this.#policyId);
  }

  /** An on-demand backup, timed from the CLI call to the job's end; throws unless it Completed. */
  async backup(): Promise<JobRun> {
    return ensureCompleted('backup', await this.server.timedJob(this.#adhocBackup(), this.cwd));
  }

  /** Queues an on-demand backup and returns its job's id without waiting for it. */
  queueBackup(): Promise<string> {
    return this.server.startJob(this.#adhocBackup(), this.cwd);
  }

  #adhocBackup(): string[] {
    return ['backup-instance', 'adhoc-backup', '--name', this.instance, '--rule-name', BACKUP_RULE, '-g', RG, '--vault-name', VAULT];
  }

  /** The API path of the vault's backup instances list. */
  get instancesPath(): string {
    return `${this.#vaultPath}/backupInstances`;
  }

  /** The API path of the vault's jobs list. */
  get jobsPath(): string {
    return `${this.#vaultPath}/backupJobs`;
  }

  get #vaultPath(): string {
    return `/subscriptions/${this.sub}/resourceGroups/${RG}/providers/Microsoft.DataProtection/backupVaults/${VAULT}`;
  }

  /** The recovery points' names, oldest first. */
  async recoveryPoints(): Promise<string[]> {
    const rps = (await this.server.cliJson(['recovery-point', 'list', '--backup-instance-name', this.instance, '-g', RG, '--vault-name', VAULT], this.cwd)) as {
      name: string;
      properties: { recoveryPointTime: string };
    }[];
    if (rps.length === 0) throw new Error(`no recovery point for ${this.instance}`);
    return [...rps].sort((a, b) => Date.parse(a.properties.recoveryPointTime) - Date.parse(b.properties.recoveryPointTime)).map((rp) => rp.name);
  }

  /** The newest recovery point's name. */
  async latestRecoveryPoint(): Promise<string> {
    return (await this.recoveryPoints()).at(-1)!;
  }

  /** Whether this dpvault's CLI has `vault maintain` (another branch adds it). */
  async canMaintain(): Promise<boolean> {
    return (await this.server.cli(['vault', 'maintain', '--help'], this.cwd)).code === 0;
  }

  /** `vault maintain` (repack, garbage collection) now, timed to its job's end; throws unless it Completed. */
  async maintain(): Promise<JobRun> {
    const r = await this.server.timedJob(['vault', 'maintain', '-g', RG, '-v', VAULT], this.cwd);
    return ensureCompleted('maintain', r);
  }

  /** Restores a recovery point as the new database `targetDb` on the same server; timed from `restore trigger` to the job's end. */
  async restoreAsDatabase(recoveryPoint: string, targetDb: string): Promise<JobRun> {
    const targetId = `/subscriptions/${this.sub}/resourceGroups/${RG}/providers/Microsoft.DBforPostgreSQL/servers/${PG_SERVER}/databases/${targetDb}`;
    const req = await this.server.cliJson(['backup-instance', 'restore', 'initialize-for-data-recovery', '--datasource-type', 'AzureDatabaseForPostgreSQL',
      '--restore-location', LOCATION, '--source-datastore', 'VaultStore', '--recovery-point-id', recoveryPoint, '--target-resource-id', targetId,
      '--secret-store-type', 'AzureKeyVault', '--secret-store-uri', `https://${KV}.vault.azure.net/secrets/target`], this.cwd);
    const file = `restore-${targetDb}.json`;
    writeFileSync(join(this.cwd, file), JSON.stringify(req));
    const r = await this.server.timedJob(['backup-instance', 'restore', 'trigger', '-g', RG, '--vault-name', VAULT,
      '--backup-instance-name', this.instance, '--restore-request-object', file], this.cwd);
    return ensureCompleted('restore', r);
  }
}
