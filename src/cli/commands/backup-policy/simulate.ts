// `backup-policy simulate` (dpvault's own, offline): runs the policy engine over a span, one backup
// per scheduled occurrence (those given with --failed fail), and prints the recovery points with
// the datastores they live in until when, and how many are alive in each datastore at each --at
// instant. With `-o table`, a month-by-month calendar instead.
import { usage } from '../../../domain/errors.ts';
import { formatCalendar, simulate, type PolicyInput } from '../../../policy/simulate.ts';
import { defineCommand } from '../../command.ts';
import { preformatted } from '../../preformatted.ts';
import { policyJsonArg } from './args.ts';

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** An ISO 8601 date or date-time; without an offset it is read as UTC. */
export function instantArgument(option: string, value: string): Date {
  const v = value.trim();
  const withZone = /T/.test(v) && !/(Z|[+-]\d{2}:?\d{2})$/.test(v) ? `${v}Z` : v;
  const ms = ISO.test(v) ? Date.parse(withZone) : NaN;
  if (Number.isNaN(ms)) throw usage(`argument ${option}: '${value}' is not an ISO 8601 date-time; use a form such as 2025-01-01 or 2025-01-01T22:00:00Z.`);
  return new Date(ms);
}

const instants = (option: string, values: unknown): Date[] => ((values as string[] | undefined) ?? []).map((v) => instantArgument(option, v));

export const simulateCommand = defineCommand({
  path: ['backup-policy', 'simulate'],
  summary: 'Show which recovery points a policy keeps, where and until when, over a span of time (dpvault only; offline).',
  offline: true,
  args: {
    ...policyJsonArg,
    start: { names: ['--start'], required: true, help: 'First instant of the simulation (ISO 8601, UTC unless an offset is given).' },
    end: { names: ['--end'], required: true, help: 'End of the simulation, exclusive.' },
    failed: { names: ['--failed'], arity: 'many', help: 'Scheduled instants whose backup fails (space separated).' },
    at: { names: ['--at'], arity: 'many', help: 'Instants at which to count the recovery points in each datastore.' },
  },
  async run(a) {
    const start = instantArgument('--start', a.start as string);
    const end = instantArgument('--end', a.end as string);
    if (end.getTime() <= start.getTime()) throw usage('argument --end: must be later than --start.');
    const result = simulate(a.policy as PolicyInput, { start, end, failed: instants('--failed', a.failed), at: instants('--at', a.at) });
    if (a.output === 'table') return preformatted(formatCalendar(result));
    return { recoveryPoints: result.recoveryPoints, at: result.at };
  },
});
