// Whether a policy change shortens retention: the question a resource guard asks before a policy
// update (a critical operation when it lowers how long recovery points are kept). Pure.
import { type PolicyLike, retentionRulesOf } from './policy-rules.ts';
import { nominalMs, parseDuration } from './time/duration.ts';

/** How long a retention rule keeps a point in all, over its lifecycles (nominal milliseconds). */
function keptMs(rule: ReturnType<typeof retentionRulesOf>[number]): number {
  return rule.lifecycles.reduce((sum, lc) => sum + nominalMs(parseDuration(lc.deleteAfter.duration)), 0);
}

/** The first retention rule of `before` that `after` drops or keeps for less time; null when none. */
export function shortenedRetention(before: PolicyLike, after: PolicyLike): { rule: string; from: number; to: number } | null {
  const next = new Map(retentionRulesOf(after).map((r) => [r.name.toLowerCase(), keptMs(r)]));
  for (const rule of retentionRulesOf(before)) {
    const from = keptMs(rule);
    const to = next.get(rule.name.toLowerCase()) ?? 0;
    if (to < from) return { rule: rule.name, from, to };
  }
  return null;
}
