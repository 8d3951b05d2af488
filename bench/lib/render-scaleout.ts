// The scaleout section of docs/benchmarks.md: backups per minute with 1, 2 and 4 workers on one
// PostgreSQL catalog, the API's read latency meanwhile, and one scheduler tick over 10,000
// protected instances.
import type { Machine } from './machine.ts';
import type { BenchOptions } from './options.ts';
import type { ScaleOutResult, TickFigures } from './phase-scaleout.ts';
import { table, targetTable, type Target } from './report.ts';

const ms = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');

export function scaleOutTargets(r: ScaleOutResult): Target[] {
  const jobs = r.rounds.reduce((n, x) => n + x.jobs, 0);
  const completed = r.rounds.reduce((n, x) => n + x.completed, 0);
  const errors = r.rounds.reduce((n, x) => n + x.latency.errors, 0);
  return [
    { what: 'scale-out: every queued backup ends Completed', measured: `${completed} of ${jobs}`, met: completed === jobs },
    {
      what: 'scale-out: one recovery point per completed backup (none doubled or lost)',
      measured: `${r.recoveryPoints.found} points for ${r.recoveryPoints.completedBackups} completed backups`,
      met: r.recoveryPoints.found === r.recoveryPoints.completedBackups,
    },
    { what: 'scale-out: every API read during the backups answers 2xx', measured: `${errors} error(s)`, met: errors === 0 },
  ];
}

const tickRow = (what: string, t: TickFigures): string[] => [what, ms(t.cpuMs), ms(t.wallMs), String(t.queries), String(t.queued)];

export function renderScaleOut(r: ScaleOutResult, m: Machine, o: BenchOptions): string {
  const rows = r.rounds.map((x) => [
    String(x.workers), `${x.completed}/${x.jobs}`, x.startSeconds.toFixed(1), x.drainSeconds.toFixed(1), x.jobsPerMinute.toFixed(1),
    `${x.latency.requests}`, ms(x.latency.p50Ms), ms(x.latency.p99Ms), x.load,
  ]);
  return `## 7. Scale-out: workers on one PostgreSQL catalog

_Measured ${m.date}, ${r.databases} databases, workers ${o.workers.join(', ')}, dpvault ${m.git}._
Load average (1 / 5 / 15 min) ${r.loadAtStart} at the phase's start, ${r.loadAtEnd} at its end, on
${m.nproc} cores shared with other work: the figures are this machine's under that load, not a
quiet machine's. One PostgreSQL catalog (the bench's cluster, which also holds the ${r.databases}
source databases of 2,000 rows each), a filesystem storage shared by every process
(\`--shared-filesystem\`), one \`dpvault server --no-worker\` serving the API and the workers
\`dpvault worker --concurrency 1\`, all on this machine. Each round queues an adhoc backup of every
database with no worker running, then starts the workers: "start" is from spawning them until all
said they were running, "drain" from then to the last job's end (the job's own endTime), and jobs per
minute are completed backups over the drain. An unmeasured round before them made every database's
first backup, so each measured round backs up databases that already have a point. During the drain
the bench GETs the backup instances list (${r.databases} instances, one page) ${r.requestRate} times a second at
a steady rate, as the vault's Owner; the bench's poll of the vault's jobs list (once a second)
goes to the same server.

${table(['workers', 'completed', 'start (s)', 'drain (s)', 'jobs / min', 'reads', 'read p50 (ms)', 'read p99 (ms)', 'load (1 min) at end'], rows, ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'])}

The scheduler's tick over ${r.tick.instances.toLocaleString('en-US')} protected instances (copies of one of the
above, each its own database, put straight into the catalog), run in the bench's process against
the same catalog: CPU time of that process (user + system; PostgreSQL's own work is not in it),
wall time, and the statements it sent to PostgreSQL (BEGIN and COMMIT included). The first tick
marks each new instance's schedule as starting now (a write each); the second is the steady state
(every instance read, none due).

${table(['tick', 'CPU (ms)', 'wall (ms)', 'catalog queries', 'backups queued'], [tickRow('first (marks written)', r.tick.first), tickRow('steady (none due)', r.tick.steady)], ['l', 'r', 'r', 'r', 'r'])}

${targetTable(scaleOutTargets(r))}`;
}
