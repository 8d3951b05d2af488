// Storage: per vault, what its datastores hold now (recovery points, logical bytes of the dumps,
// stored bytes after deduplication and compression) and a chart of both over time: logical at
// each backup, stored as measured by each maintenance and now (GET {vault}/storageUsage).
import type { Api } from './api.ts';
import { vaultsPath, type StorageUsage, type Vault } from './resources.ts';
import { useLoad } from './use-load.ts';
import { Failure } from './failure.tsx';
import { bytes, when } from './format.ts';
import { linePoints } from './timeline.ts';

function Chart(props: { usage: StorageUsage }) {
  const h = props.usage.history;
  if (!h.length) return null;
  const series = (key: 'logicalBytes' | 'storedBytes') => h.filter((s) => s[key] !== undefined).map((s) => ({ t: Date.parse(s.time), v: s[key]! }));
  const logical = series('logicalBytes');
  const stored = series('storedBytes');
  const span = { from: Date.parse(h[0]!.time), to: Date.parse(h.at(-1)!.time) };
  const max = Math.max(1, ...logical.map((s) => s.v), ...stored.map((s) => s.v));
  return (
    <figure class="chart">
      <svg viewBox="-10 -10 620 220" role="img" aria-label="Storage used over time">
        <polyline class="logical" points={linePoints(logical, span, max, 600, 200)} />
        <polyline class="stored" points={linePoints(stored, span, max, 600, 200)} />
        {[...logical.map((s) => ['logical', s] as const), ...stored.map((s) => ['stored', s] as const)].map(([k, s], i) => {
          const [x, y] = linePoints([s], span, max, 600, 200).split(',');
          return <circle key={i} class={k} cx={x} cy={y} r="4" />;
        })}
      </svg>
      <figcaption>
        <span class="legend logical">logical {bytes(logical.at(-1)?.v ?? 0)}</span> <span class="legend stored">stored {bytes(stored.at(-1)?.v ?? 0)}</span>
        <span> · {when(h[0]!.time)} – {when(h.at(-1)!.time)}, up to {bytes(max)}</span>
      </figcaption>
    </figure>
  );
}

export function StorageView(props: { api: Api }) {
  const { data, error } = useLoad(async () => {
    const vaults = await props.api.list<Vault>(vaultsPath(await props.api.subscription()));
    return Promise.all(vaults.map(async (v) => ({ vault: v, usage: await props.api.get<StorageUsage>(`${v.id}/storageUsage`) })));
  }, []);
  if (!data) return <Failure error={error} />;
  return (
    <section>
      <h2>Storage</h2>
      {data.map(({ vault, usage }) => (
        <article key={vault.id} class="panel">
          <h3>{vault.name}</h3>
          <table class="cards">
            <thead><tr><th>Datastore</th><th>Recovery points</th><th>Logical</th><th>Stored</th></tr></thead>
            <tbody>
              {usage.datastores.map((d) => (
                <tr key={d.dataStoreType}>
                  <td data-label="Datastore">{d.dataStoreType}</td>
                  <td data-label="Recovery points">{d.recoveryPoints}</td>
                  <td data-label="Logical">{bytes(d.logicalBytes)}</td>
                  <td data-label="Stored">{bytes(d.storedBytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Chart usage={usage} />
        </article>
      ))}
      {!data.length && <p class="empty">No vaults yet.</p>}
    </section>
  );
}
