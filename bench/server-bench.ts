// Issue 21's measure: a whole server of three bench databases (dataset.sql at a scale in the first,
// the same data copied into the other two, then one week of churn.sql in the third) backed up as one
// AzureDatabaseForPostgreSQLFlexibleServer recovery point: the dpvault server's peak memory (VmHWM of
// its process, from /proc) and the backup data stored, against the first database alone backed up
// as an AzureDatabaseForPostgreSQL point by another server on an empty data directory (what
// cross-database deduplication saves). The machine's load average is printed beside the figures.
// Prints a JSON record and the markdown rows docs/benchmarks.md keeps; not run by npm test.
//
//   scripts/with-node.sh node bench/server-bench.ts [--scale 10] [--sql-dir ../shared/bench] [--work-dir DIR] [--server-max-old-space MB]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildSnapshot, REPO_ROOT } from './lib/build.ts';
import { log } from './lib/context.ts';
import { BenchCluster } from './lib/postgres.ts';
import { Protection } from './lib/protect.ts';
import { DpvaultServer, serverLog, type JobRun } from './lib/server.ts';
import { dpvaultStoredBytes, humanBytes } from './lib/sizes.ts';

const { values } = parseArgs({
  options: { scale: { type: 'string', default: '10' }, 'sql-dir': { type: 'string' }, 'work-dir': { type: 'string' }, 'server-max-old-space': { type: 'string' } },
});
/** NODE_OPTIONS for the dpvault servers alone (`--server-max-old-space MB`: V8's old-space limit), to tell garbage from memory held. */
const serverEnv: Record<string, string> = values['server-max-old-space'] ? { NODE_OPTIONS: `--max-old-space-size=${Number(values['server-max-old-space'])}` } : {};
const scale = Number(values.scale);
const sqlDir = resolve(values['sql-dir'] ?? join(REPO_ROOT, '../shared/bench'));
const workDir = values['work-dir'] ? resolve(values['work-dir']) : mkdtempSync(join(tmpdir(), 'dpvault-server-bench-'));
const DATABASES = ['bench1', 'bench2', 'bench3'];
const MIB = 2 ** 20;

interface Measured { seconds: number; peakMiB: number; children: Record<string, number>; storedBytes: number; load: number[] }

const load = (): number[] => loadavg().map((l) => Math.round(l * 100) / 100);

/** Starts a server on an empty data directory, lets `protect` set up and back up, and measures. */
async function measure(name: string, build: { entry: string }, run: (server: DpvaultServer, cwd: string) => Promise<JobRun>): Promise<Measured> {
  const dataDir = join(workDir, `dpvault-${name}`);
  rmSync(dataDir, { recursive: true, force: true });
  const server = await DpvaultServer.start(build.entry, dataDir, serverLog(workDir, name), { env: serverEnv });
  const cwd = join(workDir, `cli-${name}`);
  mkdirSync(cwd, { recursive: true });
  try {
    const r = await run(server, cwd);
    if (r.job.properties.status !== 'Completed') throw new Error(`${name}: backup ${r.job.properties.status}: ${JSON.stringify(r.job.properties.errorDetails)}`);
    const children = Object.fromEntries([...server.childPeaksKiB()].map(([k, v]) => [k, Math.round((v / 1024) * 10) / 10]));
    return { seconds: r.jobSeconds, peakMiB: server.peakKiB() / 1024, children, storedBytes: dpvaultStoredBytes(dataDir), load: load() };
  } finally {
    await server.stop();
  }
}

/** The flexible-server protection of the bench cluster, as the README's quickstart sets it up, and one backup. */
async function backUpServer(server: DpvaultServer, cwd: string, pg: BenchCluster): Promise<JobRun> {
  const cli = (args: string[]) => server.cliJson(args, cwd);
  const G = ['-g', 'rg', '--vault-name', 'vault'];
  const sub = (await cli(['account', 'show'])).id as string;
  await cli(['group', 'create', '-n', 'rg', '-l', 'westus']);
  await cli(['backup-vault', 'create', ...G, '-l', 'westus', '--type', 'SystemAssigned', '--storage-settings', 'datastore-type=VaultStore', 'type=LocallyRedundant']);
  await cli(['keyvault', 'create', '-g', 'rg', '-n', 'benchkv', '-l', 'westus']);
  const l = pg.login;
  const url = `postgres://${encodeURIComponent(l.user)}:${encodeURIComponent(l.password)}@${l.host}:${l.port}/postgres?sslmode=disable`;
  await cli(['keyvault', 'secret', 'set', '--vault-name', 'benchkv', '-n', 'admin', '--value', url, '-o', 'none']);
  await cli(['postgres', 'flexible-server', 'create', '-g', 'rg', '-n', 'benchflex', '--host', l.host, '--port', String(l.port), '--admin-secret-uri', 'https://benchkv.vault.azure.net/secrets/admin']);
  writeFileSync(join(cwd, 'policy.json'), JSON.stringify(await cli(['backup-policy', 'get-default-policy-template', '--datasource-type', 'AzureDatabaseForPostgreSQLFlexibleServer'])));
  const policyId = (await cli(['backup-policy', 'create', ...G, '-n', 'flexpol', '--policy', 'policy.json'])).id as string;
  const serverId = `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/benchflex`;
  writeFileSync(join(cwd, 'bi.json'), JSON.stringify(await cli(['backup-instance', 'initialize', '--datasource-type', 'AzureDatabaseForPostgreSQLFlexibleServer', '--datasource-id', serverId, '-l', 'westus', '--policy-id', policyId])));
  await cli(['backup-instance', 'update-msi-permissions', '--datasource-type', 'AzureDatabaseForPostgreSQLFlexibleServer', '--operation', 'Backup', '--permissions-scope', 'Resource', ...G, '--backup-instance', 'bi.json', '--yes']);
  const instance = (await cli(['backup-instance', 'create', ...G, '--backup-instance', 'bi.json'])).name as string;
  return server.timedJob(['backup-instance', 'adhoc-backup', '--name', instance, '--rule-name', 'BackupWeekly', ...G], cwd);
}

async function main(): Promise<void> {
  log(`work directory ${workDir}; building`);
  const build = await buildSnapshot(workDir);
  const pg = await BenchCluster.start();
  try {
    log(`loading dataset.sql at scale ${scale} into bench1 (load ${load().join(' ')})`);
    await pg.createDatabase('bench1');
    await pg.psqlFile('bench1', join(sqlDir, 'dataset.sql'), { scale });
    await pg.cluster.query('bench1', 'VACUUM (ANALYZE)');
    await pg.createDatabase('bench2', 'bench1');
    await pg.createDatabase('bench3', 'bench1');
    log('churn.sql (week 1) in bench3');
    await pg.psqlFile('bench3', join(sqlDir, 'churn.sql'), { scale, week: 1 });
    await pg.cluster.query('bench3', 'VACUUM (ANALYZE)');
    await pg.settle();
    const dbBytes = Object.fromEntries(await Promise.all(DATABASES.map(async (d) => [d, await pg.databaseBytes(d)] as const)));
    log(`database sizes ${DATABASES.map((d) => `${d} ${humanBytes(dbBytes[d]!)}`).join(', ')}`);

    log('one database (bench1) as an AzureDatabaseForPostgreSQL point');
    const one = await measure('one', build, async (server, cwd) => (await Protection.setUp(server, pg.login, 'bench1', cwd)).backup());
    log(`one: ${one.seconds.toFixed(1)} s, server peak ${one.peakMiB.toFixed(1)} MiB, stored ${humanBytes(one.storedBytes)}, load ${one.load.join(' ')}`);
    await pg.settle();
    log('the whole server (bench1..3 and postgres) as one AzureDatabaseForPostgreSQLFlexibleServer point');
    const whole = await measure('server', build, (server, cwd) => backUpServer(server, cwd, pg));
    log(`server: ${whole.seconds.toFixed(1)} s, server peak ${whole.peakMiB.toFixed(1)} MiB, stored ${humanBytes(whole.storedBytes)}, load ${whole.load.join(' ')}`);

    const record = { scale, dbBytes, one, server: whole, storedRatio: whole.storedBytes / one.storedBytes };
    console.log(JSON.stringify(record, null, 2));
    const row = (name: string, m: Measured) =>
      `| ${name} | ${(m.storedBytes / MIB).toFixed(1)} MiB | ${m.peakMiB.toFixed(1)} MiB | ${Object.entries(m.children).map(([k, v]) => `${k} ${v} MiB`).join(', ')} | ${m.seconds.toFixed(1)} s | ${m.load.join(' ')} |`;
    console.log(['| backup | stored | server VmHWM | children (VmHWM) | job time | load average (1, 5, 15 min) after |', '|---|---|---|---|---|---|',
      row('bench1 alone (database point)', one), row('bench1..3 + postgres (whole-server point)', whole)].join('\n'));
    console.log(`stored: the whole server ${(record.storedRatio).toFixed(3)} × one database; ${(DATABASES.reduce((s, d) => s + dbBytes[d]!, 0) / MIB).toFixed(0)} MiB in the three databases`);
  } finally {
    await pg.stop();
  }
}

await main();
