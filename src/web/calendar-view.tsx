// Retention calendar: pick a vault's policy and see a year (or more) of it month by month, from
// the policy engine's simulation (GET {policy}/simulate): each month's days with the backups taken,
// coloured by retention tag, and how many recovery points are alive in each datastore at its end.
import { useState } from 'preact/hooks';
import type { Api } from './api.ts';
import { vaultsPath, type Policy, type Simulation, type Vault } from './resources.ts';
import { useLoad } from './use-load.ts';
import { Failure } from './failure.tsx';
import { systemClock } from '../util/clock.ts';

const YEARS = [1, 2, 5, 10];

/** The month's length, and the weekday (0 Monday .. 6 Sunday) of its first day. */
function shapeOf(month: string): { days: number; offset: number } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return { days: new Date(Date.UTC(y, m, 0)).getUTCDate(), offset: (new Date(Date.UTC(y, m - 1, 1)).getUTCDay() + 6) % 7 };
}

function Month(props: { m: Simulation['months'][number]; tags: string[] }) {
  const byDay = new Map(props.m.backups.map((b) => [b.day, b.tag]));
  const { days, offset } = shapeOf(props.m.month);
  return (
    <div class="month">
      <h4>{props.m.month}</h4>
      <div class="days">
        {Array.from({ length: offset }, (_, i) => <span key={`pad${i}`} class="pad" />)}
        {Array.from({ length: days }, (_, i) => {
          const tag = byDay.get(i + 1);
          return <span key={i} class={tag ? `day tag-${props.tags.indexOf(tag)}` : 'day'} title={tag}>{i + 1}</span>;
        })}
      </div>
      <p class="alive">Vault {props.m.VaultStore} · Archive {props.m.ArchiveStore}</p>
    </div>
  );
}

export function CalendarView(props: { api: Api }) {
  const policies = useLoad(async () => {
    const vaults = await props.api.list<Vault>(vaultsPath(await props.api.subscription()));
    return (await Promise.all(vaults.map((v) => props.api.list<Policy>(`${v.id}/backupPolicies`)))).flat();
  }, []);
  const [chosen, setChosen] = useState('');
  const [years, setYears] = useState(1);
  const policyId = chosen || policies.data?.[0]?.id || '';
  const sim = useLoad(async () => {
    if (!policyId) return null;
    const start = systemClock.now();
    start.setUTCHours(0, 0, 0, 0);
    const end = new Date(start.getTime());
    end.setUTCFullYear(end.getUTCFullYear() + years);
    return props.api.get<Simulation>(`${policyId}/simulate`, { start: start.toISOString(), end: end.toISOString() });
  }, [policyId, years]);
  if (!policies.data) return <Failure error={policies.error} />;
  return (
    <section>
      <h2>Retention calendar</h2>
      <div class="controls">
        <label>Policy <select value={policyId} onChange={(e) => setChosen((e.currentTarget as HTMLSelectElement).value)}>
          {policies.data.map((p) => <option key={p.id} value={p.id}>{p.id.split('/')[8]} / {p.name}</option>)}
        </select></label>
        <label>Span <select value={years} onChange={(e) => setYears(Number((e.currentTarget as HTMLSelectElement).value))}>
          {YEARS.map((y) => <option key={y} value={y}>{y} year{y > 1 ? 's' : ''}</option>)}
        </select></label>
      </div>
      {!sim.data ? <Failure error={sim.error} /> : (
        <>
          <p class="legend-row">{sim.data.tags.map((t, i) => <span key={t} class={`legend tag-${i}`}>{t}</span>)} <span class="sub">({sim.data.timeZone})</span></p>
          <div class="months">{sim.data.months.map((m) => <Month key={m.month} m={m} tags={sim.data!.tags} />)}</div>
        </>
      )}
      {!policies.data.length && <p class="empty">No policies yet.</p>}
    </section>
  );
}
