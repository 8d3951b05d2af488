// The benchmark's command line: `node bench/run.ts [--scale N] [--weeks N] [--only backup,weekly,restore,latest,scale,objstore,scaleout]
// [--repeat N] [--databases N] [--workers LIST] [--out FILE] [--sql-dir DIR] [--work-dir DIR] [--keep]`.
import { resolve } from 'node:path';
import { REPO_ROOT } from './build.ts';

export const PHASES = ['backup', 'restore', 'weekly', 'latest', 'scale', 'objstore', 'scaleout'] as const;
export type Phase = (typeof PHASES)[number];
/** Phases run without --only: all but scale, which is meant for its own run at --scale 100. */
export const DEFAULT_PHASES: readonly Phase[] = ['backup', 'restore', 'weekly', 'latest', 'objstore', 'scaleout'];

export interface BenchOptions {
  /** dataset.sql's scale (1 ≈ 60 MB, 10 ≈ 570 MB). */
  scale: number;
  /** Weekly backups in the storage series (churn runs between them). */
  weeks: number;
  only: Set<Phase>;
  /** Timed runs of each full backup and restore (the median is compared). */
  repeat: number;
  /** Small databases the scale-out phase backs up in each round. */
  databases: number;
  /** The scale-out phase's worker counts, one round each. */
  workers: number[];
  /** The markdown file whose generated sections are rewritten. */
  out: string;
  /** Where dataset.sql, churn.sql and churn-uniform.sql are. */
  sqlDir: string;
  /** Parent of the run's temporary directory (default: the OS temp directory). */
  workDir: string | null;
  /** Keep the run's directory (dumps, repositories, server logs) instead of removing it. */
  keep: boolean;
}

export const USAGE = `Usage: node bench/run.ts [options]
  --scale N          dataset scale (default 10; 1 for a quick run)
  --weeks N          weekly backups in the storage series (default 12)
  --only LIST        phases to run, comma-separated: backup,restore,weekly,latest,scale,objstore,scaleout
                     (default all but scale; scale: a full backup, four weekly ones and a restore,
                     with peak memory, meant for --scale 100; objstore: a full backup and a restore
                     on the filesystem, Azurite and s3rver in turn, as ratios against the filesystem;
                     scaleout: a PostgreSQL catalog, an API server and 1, 2, 4 workers backing up
                     small databases, read latency meanwhile, and a scheduler tick over 10,000 instances)
  --repeat N         timed runs of each full backup and restore; medians are compared (default 3)
  --databases N      small databases the scaleout phase backs up per round (default 40)
  --workers LIST     the scaleout phase's worker counts, comma-separated (default 1,2,4)
  --out FILE         report to update (default docs/benchmarks.md)
  --sql-dir DIR      directory with dataset.sql and the churn scripts (default ../shared/bench)
  --work-dir DIR     where the run's temporary directory goes (default the OS temp directory)
  --keep             keep the temporary directory (dumps, repositories, server logs)`;

function positiveInt(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a whole number of at least 1, not '${value ?? ''}'.\n${USAGE}`);
  return n;
}

export function parseOptions(argv: string[]): BenchOptions {
  const o: BenchOptions = {
    scale: 10,
    weeks: 12,
    only: new Set(DEFAULT_PHASES),
    repeat: 3,
    databases: 40,
    workers: [1, 2, 4],
    out: resolve(REPO_ROOT, 'docs/benchmarks.md'),
    sqlDir: resolve(REPO_ROOT, '../shared/bench'),
    workDir: null,
    keep: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const [name, inline] = flag.includes('=') ? [flag.slice(0, flag.indexOf('=')), flag.slice(flag.indexOf('=') + 1)] : [flag, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (name) {
      case '--scale': o.scale = positiveInt(name, value()); break;
      case '--weeks': o.weeks = positiveInt(name, value()); break;
      case '--repeat': o.repeat = positiveInt(name, value()); break;
      case '--databases': o.databases = positiveInt(name, value()); break;
      case '--workers': {
        const list = (value() ?? '').split(',');
        o.workers = list.map((w) => positiveInt(name, w.trim()));
        break;
      }
      case '--out': o.out = resolve(value() ?? ''); break;
      case '--sql-dir': o.sqlDir = resolve(value() ?? ''); break;
      case '--work-dir': o.workDir = resolve(value() ?? ''); break;
      case '--keep': o.keep = true; break;
      case '--only': {
        const list = (value() ?? '').split(',').map((s) => s.trim()).filter(Boolean);
        const bad = list.filter((p) => !(PHASES as readonly string[]).includes(p));
        if (list.length === 0 || bad.length > 0) throw new Error(`--only takes ${PHASES.join(',')}; got '${list.join(',')}'.\n${USAGE}`);
        o.only = new Set(list as Phase[]);
        break;
      }
      case '-h':
      case '--help':
        throw new Error(USAGE);
      default:
        throw new Error(`Unknown argument '${flag}'.\n${USAGE}`);
    }
  }
  return o;
}
