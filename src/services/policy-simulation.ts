// GET {vault}/backupPolicies/{policy}/simulate (dpvault's own, read-only): the policy engine's
// simulation of a stored policy (what `backup-policy simulate` computes offline from a file), with
// its month-by-month calendar, for the Backup center's retention calendar. `start` and `end` are
// ISO 8601 instants in the query (default: from now, one year); a span longer than 20 years is
// refused, so one request's work stays bounded.
import { errors } from '../domain/errors.ts';
import { calendarMonths, simulate, type CalendarMonth, type PolicyInput, type SimulationResult } from '../policy/simulate.ts';
import type { ServiceContext } from './context.ts';
import { getPolicy } from './policies.ts';

const MAX_SPAN_MS = 20 * 366 * 86_400_000;
const YEAR_MS = 365 * 86_400_000;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/;

function instant(query: URLSearchParams, name: string): Date | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const ms = ISO_INSTANT.test(raw) ? Date.parse(raw) : NaN;
  if (Number.isNaN(ms)) {
    throw errors.parameterInvalid(`The query parameter '${name}' must be an ISO 8601 date or date-time with an offset, such as 2026-01-01 or 2026-01-01T00:00:00Z; got '${raw}'.`, name);
  }
  return new Date(ms);
}

export async function simulateStoredPolicy(
  ctx: ServiceContext, sub: string, rg: string, vault: string, name: string, query: URLSearchParams,
): Promise<SimulationResult & { months: CalendarMonth[] }> {
  const start = instant(query, 'start') ?? ctx.clock.now();
  const end = instant(query, 'end') ?? new Date(start.getTime() + YEAR_MS);
  if (end.getTime() <= start.getTime()) throw errors.parameterInvalid("The query parameter 'end' must be later than 'start'.", 'end');
  if (end.getTime() - start.getTime() > MAX_SPAN_MS) throw errors.parameterInvalid('A simulation spans at most 20 years (end - start).', 'end');
  const policy = await getPolicy(ctx, sub, rg, vault, name);
  const result = simulate(policy as PolicyInput, { start, end });
  return { ...result, months: calendarMonths(result) };
}
