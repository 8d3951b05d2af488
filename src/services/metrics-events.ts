// The metrics that count events (Prometheus counters and histograms): jobs as they end, alerts as
// they are raised and their deliveries as they finally fail, storage operations as they fail. They live in this process's memory and start at 0 when the server
// starts, as every Prometheus counter does after a restart (rate() and increase() treat the drop
// as a reset). What is state (recovery points, bytes, last success, queue depth) is read from the
// catalog at each scrape instead (metrics-state.ts).
import { Counter, Histogram, Registry } from 'prom-client';
import type { JobResource } from '../domain/job.ts';

/** Seconds: a quick verify to a long backup of a large database. */
const DURATION_BUCKETS = [1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 12 * 3600];
/** Bytes: 1 MB to 1 TB by tens. */
const BYTE_BUCKETS = [1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12];

export class EventMetrics {
  readonly registry = new Registry();
  readonly #jobs = new Counter({
    name: 'dpvault_jobs_total', help: 'Jobs that ended, by operation and status as the job shows them (Completed, Failed).',
    labelNames: ['operation', 'status'] as const, registers: [this.registry],
  });
  readonly #duration = new Histogram({
    name: 'dpvault_job_duration_seconds', help: 'How long jobs that ended ran, from start to end.',
    labelNames: ['operation', 'status'] as const, buckets: DURATION_BUCKETS, registers: [this.registry],
  });
  readonly #bytes = new Histogram({
    name: 'dpvault_job_bytes', help: 'Bytes a job that ended transferred (dataTransferredInBytes), when it says.',
    labelNames: ['operation', 'status'] as const, buckets: BYTE_BUCKETS, registers: [this.registry],
  });
  readonly #alerts = new Counter({
    name: 'dpvault_alerts_total', help: 'Alerts raised, by rule (Backup Failure, Missed Backup, ...).',
    labelNames: ['rule'] as const, registers: [this.registry],
  });
  readonly #deliveriesFailed = new Counter({
    name: 'dpvault_alert_deliveries_failed_total', help: 'Alert deliveries to a webhook that failed after their last retry.',
    registers: [this.registry],
  });
  readonly #storageErrors = new Counter({
    name: 'dpvault_storage_errors_total', help: 'Failed operations on backup storage, each attempt (retried ones too); a missing object is not counted.',
    registers: [this.registry],
  });

  /** Counts a job that just ended (finishJob calls it once per job). */
  jobEnded(job: JobResource): void {
    const p = job.properties;
    const labels = { operation: p.operation, status: p.status };
    this.#jobs.inc(labels);
    if (p.endTime) this.#duration.observe(labels, Math.max(0, (Date.parse(p.endTime) - Date.parse(p.startTime)) / 1000));
    const bytes = p.extendedInfo.dataTransferredInBytes;
    if (typeof bytes === 'number') this.#bytes.observe(labels, bytes);
  }

  /** Counts an alert raised under `rule` (its alertRule). */
  alertRaised(rule: string): void {
    this.#alerts.inc({ rule });
  }

  /** Counts a delivery that is Failed after its last attempt. */
  alertDeliveryFailed(): void {
    this.#deliveriesFailed.inc();
  }

  storageError(): void {
    this.#storageErrors.inc();
  }
}
