// Scale-out (issue 22): one PostgreSQL catalog, one filesystem storage every process shares
// (--shared-filesystem), an API server with --no-worker, and `--databases` small databases
// protected through it. For each worker count, an adhoc backup of every database is queued with no
// worker running, then that many `dpvault worker --concurrency 1` start and drain the queue (jobs
// per minute from the moment all of them were ready to the last job's end), while the bench GETs
// the backup instances list at a steady rate (the API's read latency under that load). Last, in
// this process, the scheduler's cost of one tick over 10,000 protected instances put straight into
// the catalog: CPU time of this process and the statements it sent to PostgreSQL.
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openContext } from '../../src/app.ts';
import { INSTANCE_TYPE, RECOVERY_POINT_TYPE, type BackupInstanceResource } from '../../src/domain/backup-instance.ts';
import { Scheduler } from '../../src/scheduler/scheduler.ts';
import { log, type RunContext } from './context.ts';
import { loadNow } from './machine.ts';
import { percentile } from './proc.ts';
import { Protection } from './protect.ts';
import { DpvaultServer, serverLog, type JobView } from './server.ts';

export interface LatencyFigures {
  requests: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

export interface ScaleOutRound {
  workers: number;
  /** Backups queued, and those that ended Completed. */
  jobs: number;
  completed: number;
  /** From spawning the workers until all of them said they were running. */
  startSeconds: number;
  /** From all workers running to the last job's end. */
  drainSeconds: number;
  jobsPerMinute: number;
  latency: LatencyFigures;
  /** The 1-minute load average when the round ended. */
  load: string;
}

export interface TickFigures {
  cpuMs: number;
  wallMs: number;
  /** Statements this process sent to PostgreSQL during the tick (BEGIN/COMMIT included). */
  queries: number;
  queued: number;
}

export interface ScaleOutResult {
  databases: number;
  requestRate: number;
  rounds: ScaleOutRound[];
  tick: { instances: number; first: TickFigures; steady: TickFigures };
  /** Recovery points in the catalog after every round (the unmeasured first one included), and the backups that ended Completed. */
  recoveryPoints: { found: number; completedBackups: number };
  loadAtStart: string;
  loadAtEnd: string;
}

/** GETs of the backup instances list per second during each round. */
const REQUEST_RATE = 5;
const TICK_INSTANCES = 10_000;

/** Runs `fn` over `items`, `limit` at a time, keeping the order of the results. */
async function pooled<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!);
  }));
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** GETs `path` every 1/rate s until stopped (at most `max` requests); the latency of each. */
function probe(server: DpvaultServer, path: string, rate: number, max = 20_000): { stop(): Promise<LatencyFigures> } {
  const latencies: number[] = [];
  let errors = 0;
  let stopped = false;
  const inFlight = new Set<Promise<void>>();
  const loop = (async () => {
    const t0 = performance.now();
    for (let n = 0; !stopped && n < max; n++) {
      const p = (async () => {
        const t = performance.now();
        try {
          await server.get(path);
          latencies.push(performance.now() - t);
        } catch {
          errors++;
        }
      })();
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      // A steady rate: the next request goes at its slot whatever the last one took.
      await sleep(Math.max(0, t0 + ((n + 1) * 1000) / rate - performance.now()));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      await Promise.all(inFlight);
      return { requests: latencies.length + errors, errors, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
    },
  };
}

/** Polls the vault's jobs list once a second until none of `jobIds` is InProgress; each one's status and end time (ms since the epoch). */
async function drained(server: DpvaultServer, jobsPath: string, jobIds: readonly string[]): Promise<{ status: string; endMs: number }[]> {
  const wanted = new Set(jobIds.map((id) => id.toLowerCase()));
  for (;;) {
    const { value } = (await server.get(jobsPath)) as { value: JobView[] };
    const ours = value.filter((j) => wanted.has(j.id.toLowerCase()));
    if (ours.length === wanted.size && ours.every((j) => j.properties.status !== 'InProgress')) {
      return ours.map((j) => ({ status: j.properties.status, endMs: Date.parse(j.properties.endTime ?? '') }));
    }
    await sleep(1000);
  }
}

/** Small databases of their own content each (a table of 2,000 rows seeded by the database's number). */
async function makeSources(ctx: RunContext, count: number): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `scaleout_${String(i + 1).padStart(2, '0')}`);
  for (const [i, name] of names.entries()) {
    await ctx.pg.dropDatabase(name).catch(() => undefined);
    await ctx.pg.createDatabase(name);
    await ctx.pg.cluster.query(name, `CREATE TABLE items AS SELECT g AS id, md5((g * ${i + 1})::text) AS v, now() AS at FROM generate_series(1, 2000) g`);
  }
  return names;
}

async function runRound(
  ctx: RunContext, server: DpvaultServer, protections: readonly Protection[], workers: number, shared: { args: string[]; env: Record<string, string> },
): Promise<ScaleOutRound> {
  const jobIds = await pooled(protections, 4, (p) => p.queueBackup());
  log(`scaleout: ${jobIds.length} backups queued; starting ${workers} worker(s)`);
  const t0 = performance.now();
  const started = await Promise.all(Array.from({ length: workers }, (_, i) =>
    DpvaultServer.startWorker(ctx.build.entry, join(ctx.workDir, `scaleout-worker-${workers}-${i}`), serverLog(ctx.workDir, `scaleout-worker-${workers}-${i}`), {
      args: [...shared.args, '--concurrency', '1'], env: shared.env,
    })));
  const readyMs = Date.now();
  const startSeconds = (performance.now() - t0) / 1000;
  const reads = probe(server, protections[0]!.instancesPath, REQUEST_RATE);
  try {
    const ends = await drained(server, protections[0]!.jobsPath, jobIds);
    const latency = await reads.stop();
    const lastEnd = Math.max(...ends.map((e) => e.endMs));
    const drainSeconds = (lastEnd - readyMs) / 1000;
    const completed = ends.filter((e) => e.status === 'Completed').length;
    const round = { workers, jobs: jobIds.length, completed, startSeconds, drainSeconds, jobsPerMinute: (completed / drainSeconds) * 60, latency, load: loadavg()[0]!.toFixed(2) };
    log(`scaleout: ${workers} worker(s): ${completed}/${jobIds.length} completed in ${drainSeconds.toFixed(1)} s (${round.jobsPerMinute.toFixed(1)}/min), reads p50 ${latency.p50Ms.toFixed(1)} ms p99 ${latency.p99Ms.toFixed(1)} ms, load ${round.load}`);
    return round;
  } finally {
    await reads.stop();
    await Promise.all(started.map((w) => w.stop()));
  }
}

/** Counts the statements every pg client of this process sends while `fn` runs. */
async function countingQueries<T>(fn: () => Promise<T>): Promise<{ result: T; queries: number }> {
  const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
  const original = proto.query;
  let queries = 0;
  proto.query = function (this: unknown, ...a: unknown[]) {
    queries++;
    return original.apply(this, a);
  };
  try {
    return { result: await fn(), queries };
  } finally {
    proto.query = original;
  }
}

async function timedTick(scheduler: Scheduler): Promise<TickFigures> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const { result, queries } = await countingQueries(() => scheduler.tick());
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs, queries, queued: result.queued.length };
}

/**
 * 10,000 protected instances in the catalog (copies of a real one, each its own datasource), then
 * two scheduler ticks in this process: the first marks each new instance's schedule as starting
 * now (a write per instance), the second is the steady one (every instance read, none due).
 */
async function schedulerTick(ctx: RunContext, databaseUrl: string, masterKey: string): Promise<{ tick: ScaleOutResult['tick']; recoveryPoints: number }> {
  const before = process.env.DPVAULT_MASTER_KEY;
  process.env.DPVAULT_MASTER_KEY = masterKey;
  const svc = await openContext({ dataDir: join(ctx.workDir, 'scaleout-tick'), database: databaseUrl, sharedFilesystem: true });
  try {
    const recoveryPoints = (await svc.catalog.listResources({ type: RECOVERY_POINT_TYPE })).items.length;
    const existing = (await svc.catalog.listResources<BackupInstanceResource>({ type: INSTANCE_TYPE })).items;
    const model = existing[0]!;
    const vaultId = model.id.slice(0, model.id.indexOf('/backupInstances/'));
    const dsBase = model.body.properties.dataSourceInfo.resourceID.replace(/\/databases\/[^/]+$/, '');
    const t0 = performance.now();
    for (let from = existing.length; from < TICK_INSTANCES; from += 1000) {
      await svc.catalog.transaction(async () => {
        for (let i = from; i < Math.min(from + 1000, TICK_INSTANCES); i++) {
          const name = `tick-${i}`;
          const id = `${vaultId}/backupInstances/${name}`;
          const ds = `${dsBase}/databases/tick_${i}`;
          const body = structuredClone(model.body);
          Object.assign(body, { id, name });
          Object.assign(body.properties.dataSourceInfo, { resourceID: ds, resourceName: `tick_${i}` });
          if (body.properties.dataSourceSetInfo) Object.assign(body.properties.dataSourceSetInfo, { resourceID: dsBase });
          await svc.catalog.putResource({ id, type: INSTANCE_TYPE, parentId: vaultId, body: { ...body } });
        }
      });
    }
    log(`scaleout: ${TICK_INSTANCES - existing.length} instances put into the catalog in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const scheduler = new Scheduler(svc);
    const first = await timedTick(scheduler);
    const steady = await timedTick(scheduler);
    log(`scaleout: scheduler tick over ${TICK_INSTANCES} instances: first ${first.cpuMs.toFixed(0)} ms CPU, ${first.queries} queries; steady ${steady.cpuMs.toFixed(0)} ms CPU, ${steady.queries} queries`);
    return { tick: { instances: TICK_INSTANCES, first, steady }, recoveryPoints };
  } finally {
    await svc.catalog.close();
    if (before === undefined) delete process.env.DPVAULT_MASTER_KEY;
    else process.env.DPVAULT_MASTER_KEY = before;
  }
}

export async function runScaleOutPhase(ctx: RunContext): Promise<ScaleOutResult> {
  const { opts, pg: cluster } = ctx;
  const loadAtStart = loadNow();
  log(`scaleout: ${opts.databases} databases, workers ${opts.workers.join(', ')} on ${cpus().length} cores; load ${loadAtStart}`);
  await cluster.dropDatabase('scaleout_catalog').catch(() => undefined);
  await cluster.createDatabase('scaleout_catalog');
  const databaseUrl = cluster.cluster.connectionString('scaleout_catalog');
  const masterKey = randomBytes(32).toString('hex');
  const shared = {
    args: ['--database', databaseUrl, '--storage', `file://${join(ctx.workDir, 'scaleout-storage')}`, '--shared-filesystem'],
    env: { DPVAULT_MASTER_KEY: masterKey },
  };
  const sources = await makeSources(ctx, opts.databases);
  const serverDir = join(ctx.workDir, 'scaleout-server');
  const server = await DpvaultServer.start(ctx.build.entry, serverDir, serverLog(ctx.workDir, 'scaleout-server'), { args: [...shared.args, '--no-worker'], env: shared.env });
  const rounds: ScaleOutRound[] = [];
  let completedBackups = 0;
  try {
    const first = await Protection.setUp(server, cluster.login, sources[0]!, join(ctx.workDir, 'cli-scaleout'));
    const protections = [first, ...(await pooled(sources.slice(1), 4, (db) => first.another(db)))];
    log(`scaleout: ${protections.length} databases protected`);
    // Unmeasured: every database's first backup (the repository's first packs), so each measured
    // round backs up databases that already have a point, whichever worker count goes first.
    completedBackups += (await runRound(ctx, server, protections, Math.max(...opts.workers), shared)).completed;
    for (const workers of opts.workers) rounds.push(await runRound(ctx, server, protections, workers, shared));
    completedBackups += rounds.reduce((n, r) => n + r.completed, 0);
  } finally {
    await server.stop();
  }
  const { tick, recoveryPoints } = await schedulerTick(ctx, databaseUrl, masterKey);
  for (const name of sources) await cluster.dropDatabase(name).catch(() => undefined);
  return { databases: opts.databases, requestRate: REQUEST_RATE, rounds, tick, recoveryPoints: { found: recoveryPoints, completedBackups }, loadAtStart, loadAtEnd: loadNow() };
}
