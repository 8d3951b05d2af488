// Jobs: every job of the subscription, failed ones first, then those running with their progress
// (the list polls every 2 s while anything runs, 10 s otherwise), then the rest, newest first.
import type { Api } from './api.ts';
import { jobsPath, type Job } from './resources.ts';
import { useLoad } from './use-load.ts';
import { Failure } from './failure.tsx';
import { failuresFirst, progressOf } from './job-order.ts';
import { span, when } from './format.ts';
import { systemClock } from '../util/clock.ts';

function Progress(props: { job: Job }) {
  const pct = progressOf(props.job);
  if (props.job.properties.status !== 'InProgress' || pct === null) return null;
  return <span class="progress"><progress value={pct} max={100} /> {pct}%</span>;
}

export function JobsView(props: { api: Api }) {
  const { data, error } = useLoad(async () => failuresFirst(await props.api.list<Job>(jobsPath(await props.api.subscription()))), [], 2000);
  if (!data) return <Failure error={error} />;
  const now = systemClock.now().getTime();
  return (
    <section>
      <h2>Jobs</h2>
      <table class="cards jobs">
        <thead><tr><th>Operation</th><th>Item</th><th>Status</th><th>Started</th><th>Duration</th></tr></thead>
        <tbody>
          {data.map((j) => (
            <tr key={j.id} data-status={j.properties.status} class="job">
              <td data-label="Operation">{j.properties.operation}</td>
              <td data-label="Item">{j.properties.dataSourceName}<div class="sub">{j.properties.vaultName}</div></td>
              <td data-label="Status">
                <span class={`status ${j.properties.status}`}>{j.properties.status}</span>
                <Progress job={j} />
                {j.properties.errorDetails?.map((e) => <div class="error" key={e.code}>{e.code}: {e.message}</div>)}
              </td>
              <td data-label="Started">{when(j.properties.startTime)}</td>
              <td data-label="Duration">{span(j.properties.startTime, j.properties.endTime, now)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {!data.length && <p class="empty">No jobs yet.</p>}
    </section>
  );
}
