// One protected item: its recovery points on a timeline coloured by the datastore they live in
// (VaultStore, ArchiveStore), listed newest first, each with a restore; and a backup button.
import type { Api } from './api.ts';
import type { Instance, RecoveryPoint } from './resources.ts';
import { useLoad } from './use-load.ts';
import { Failure } from './failure.tsx';
import { when } from './format.ts';
import { placePoints } from './timeline.ts';
import { BackupButton } from './backup-button.tsx';
import { RestoreForm } from './restore-form.tsx';

function Timeline(props: { points: RecoveryPoint[] }) {
  const placed = placePoints(props.points);
  return (
    <figure class="timeline" aria-label="Recovery points">
      <svg viewBox="0 0 1000 40" preserveAspectRatio="none" role="img">
        <line x1="0" y1="20" x2="1000" y2="20" class="axis" />
        {placed.map((p) => (
          <circle key={p.point.id} cx={10 + p.x * 980} cy="20" r="8" class={`tier-${p.tier}`}>
            <title>{`${when(p.point.properties.recoveryPointTime)} ${p.point.properties.retentionTagName} (${p.tier})`}</title>
          </circle>
        ))}
      </svg>
      <figcaption>
        <span class="legend tier-VaultStore">VaultStore</span> <span class="legend tier-ArchiveStore">ArchiveStore</span>
        {placed.length > 0 && <span> {when(props.points.at(-1)!.properties.recoveryPointTime)} – {when(props.points[0]!.properties.recoveryPointTime)}</span>}
      </figcaption>
    </figure>
  );
}

export function InstanceView(props: { api: Api; instanceId: string; restorePoint?: string | undefined }) {
  const { data, error, reload } = useLoad(async () => {
    const [instance, points] = await Promise.all([
      props.api.get<Instance>(props.instanceId),
      props.api.list<RecoveryPoint>(`${props.instanceId}/recoveryPoints`),
    ]);
    points.sort((a, b) => Date.parse(b.properties.recoveryPointTime) - Date.parse(a.properties.recoveryPointTime));
    return { instance, points };
  }, [props.instanceId]);
  if (!data) return <Failure error={error} />;
  const { instance, points } = data;
  const restoring = points.find((p) => p.name === props.restorePoint);
  const base = `#/instance/${encodeURIComponent(instance.id)}`;
  return (
    <section>
      <h2>{instance.name}</h2>
      <p class="sub">{instance.properties.dataSourceInfo.resourceID} · {instance.properties.currentProtectionState}</p>
      <BackupButton api={props.api} instance={instance} onStarted={reload} />
      <h3>Recovery points</h3>
      <Timeline points={points} />
      {restoring && <RestoreForm api={props.api} instance={instance} point={restoring} />}
      <table class="cards points">
        <thead><tr><th>Time</th><th>Tag</th><th>Datastores</th><th>Expires</th><th /></tr></thead>
        <tbody>
          {points.map((p) => (
            <tr key={p.id}>
              <td data-label="Time">{when(p.properties.recoveryPointTime)}</td>
              <td data-label="Tag">{p.properties.retentionTagName}</td>
              <td data-label="Datastores">{p.properties.recoveryPointDataStoresDetails.map((d) => <span class={`legend tier-${d.type}`} key={d.type}>{d.type}</span>)}</td>
              <td data-label="Expires">{when(p.properties.expiryTime) || 'never'}</td>
              <td><a class="button" href={`${base}/${encodeURIComponent(p.name)}`}>Restore…</a></td>
            </tr>
          ))}
        </tbody>
      </table>
      {!points.length && <p class="empty">No recovery points yet.</p>}
    </section>
  );
}
