// Protected items: every backup instance with its protection state, its last backup (the newest
// recovery point's time, or the last backup job's outcome) and a button that backs it up now.
import type { Api } from './api.ts';
import { instancesPath, jobsPath, type Instance, type Job } from './resources.ts';
import { useLoad } from './use-load.ts';
import { Failure } from './failure.tsx';
import { when } from './format.ts';
import { BackupButton } from './backup-button.tsx';

/** The newest backup job of each instance, by its id (lower case). */
function lastBackups(jobs: readonly Job[]): Map<string, Job> {
  const out = new Map<string, Job>();
  for (const j of jobs) {
    const id = j.properties.backupInstanceId?.toLowerCase();
    if (!id || j.properties.operationCategory !== 'Backup') continue;
    const seen = out.get(id);
    if (!seen || Date.parse(seen.properties.startTime) < Date.parse(j.properties.startTime)) out.set(id, j);
  }
  return out;
}

export function InstancesView(props: { api: Api }) {
  const { data, error, reload } = useLoad(async () => {
    const sub = await props.api.subscription();
    const [instances, jobs] = await Promise.all([props.api.list<Instance>(instancesPath(sub)), props.api.list<Job>(jobsPath(sub))]);
    return { instances, last: lastBackups(jobs) };
  }, []);
  if (!data) return <Failure error={error} />;
  return (
    <section>
      <h2>Protected items</h2>
      <table class="cards">
        <thead><tr><th>Item</th><th>Vault</th><th>Protection</th><th>Last backup</th><th /></tr></thead>
        <tbody>
          {data.instances.map((bi) => {
            const last = data.last.get(bi.id.toLowerCase());
            const status = bi.properties.protectionStatus?.status ?? '';
            return (
              <tr key={bi.id} data-instance={bi.name}>
                <td data-label="Item"><a href={`#/instance/${encodeURIComponent(bi.id)}`}>{bi.name}</a><div class="sub">{bi.properties.dataSourceInfo.resourceName}</div></td>
                <td data-label="Vault">{bi.id.split('/')[8]}</td>
                <td data-label="Protection">
                  {bi.properties.currentProtectionState}
                  {status && <span class={`badge ${status === 'ProtectionError' ? 'bad' : 'good'}`}>{status}</span>}
                </td>
                <td data-label="Last backup">{last ? <span class={`status ${last.properties.status}`}>{last.properties.status} {when(last.properties.startTime)}</span> : 'never'}</td>
                <td><BackupButton api={props.api} instance={bi} onStarted={reload} /></td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {!data.instances.length && <p class="empty">Nothing protected yet: <code>dpvault backup-instance create</code>.</p>}
    </section>
  );
}
