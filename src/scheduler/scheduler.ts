// The scheduler: on each tick, for every protected backup instance, asks the policy engine which
// occurrence of its backup schedule is due and queues exactly one scheduled backup job for it.
// The task's job key (`scheduled:{instance}:{occurrence}`) is unique in the queue, and the queueing,
// the job resource and the "handled through" mark are written in one catalog transaction (the
// embedded queue shares the catalog's file), so a restart around the due time never makes two
// jobs. A server that was down runs only the most recent missed occurrence at its first tick
// (start-up), never a backlog. Instances whose backups are suspended or whose protection is
// stopped are skipped. Each tick also checks every protected instance for a missed backup (a due
// occurrence with no successful backup by the end of its grace) and raises its alert
// (missed-backups.ts).
import { SerialRunner } from '../util/serial-runner.ts';
import type { BackupInstanceResource } from '../domain/backup-instance.ts';
import { RECOVERY_POINT_TYPE } from '../domain/backup-instance.ts';
import type { BackupVault } from '../domain/vault.ts';
import { chooseTag } from '../policy/tagging.ts';
import { listAllInstances } from '../services/backup-instances.ts';
import type { ServiceContext } from '../services/context.ts';
import { createJob } from '../services/jobs.ts';
import { datasourceGroup } from '../services/tasks.ts';
import type { PolicyResource } from '../domain/policy.ts';
import { backupScheduleOf, type BackupSchedule } from '../policy/policy-rules.ts';
import type { RecoveryPointResource } from '../domain/recovery-point.ts';
import { loadScheduleMarks, setHandledThrough, setMissedCheckedThrough, type ScheduleMarks } from '../services/schedule-state.ts';
import { dueOccurrence, scheduledJobKey } from './due.ts';
import { checkMissedBackup } from './missed-backups.ts';

export interface TickReport {
  /** Scheduled backups queued by this tick. */
  queued: { instanceId: string; occurrence: string; jobId: string }[];
  /** Occurrences skipped because a later one ran instead (the server was down). */
  missed: { instanceId: string; occurrence: string }[];
  /** Instances not scheduled because their protection is not configured (suspended, stopped). */
  skipped: string[];
  /** Instances whose schedule could not be read (a policy gone or invalid). */
  errors: { instanceId: string; message: string }[];
  /** Missed Backup alerts raised by this tick. */
  alerts: { instanceId: string; alertId: string }[];
}

/** What one tick reads once for all instances. */
interface TickView {
  marks: ScheduleMarks;
  /** Policies and vaults by lower-cased id. */
  resources: Map<string, unknown>;
}

export class Scheduler {
  readonly #ctx: ServiceContext;
  readonly #log: (line: string) => void;
  readonly #runner: SerialRunner<Date, TickReport>;

  constructor(ctx: ServiceContext, opts: { log?: (line: string) => void } = {}) {
    this.#ctx = ctx;
    this.#log = opts.log ?? (() => undefined);
    this.#runner = new SerialRunner('scheduler tick', (now) => this.#tick(now), this.#log);
  }

  /** Ticks every `intervalMs` until stopped (the timer does not keep the process alive). */
  start(intervalMs: number): void {
    this.#runner.start(intervalMs, () => this.#ctx.clock.now());
  }

  stop(): Promise<void> {
    return this.#runner.stop();
  }

  /** Queues the scheduled backups due at `now`. Ticks run one at a time. */
  tick(now: Date = this.#ctx.clock.now()): Promise<TickReport> {
    return this.#runner.run(now);
  }


  async #tick(now: Date): Promise<TickReport> {
    const report: TickReport = { queued: [], missed: [], skipped: [], errors: [], alerts: [] };
    // What every instance needs, read once per tick (a tick over 10,000 instances read ~7
    // statements an instance one by one: docs/benchmarks.md, scale-out phase).
    const view: TickView = { marks: await loadScheduleMarks(this.#ctx), resources: new Map() };
    for (const instance of await listAllInstances(this.#ctx)) {
      if (instance.properties.currentProtectionState !== 'ProtectionConfigured') {
        report.skipped.push(instance.id);
        continue;
      }
      try {
        await this.#schedule(instance, now, report, view);
      } catch (e) {
        const message = (e as Error).message;
        report.errors.push({ instanceId: instance.id, message });
        this.#log(`scheduler: backup instance ${instance.id}: ${message}`);
      }
    }
    if (report.queued.length) this.#ctx.onTaskQueued?.();
    return report;
  }

  async #schedule(instance: BackupInstanceResource, now: Date, report: TickReport, view: TickView): Promise<void> {
    const ctx = this.#ctx;
    const handled = view.marks.handledThrough(instance.id);
    if (!handled) {
      // Protected before the scheduler kept marks: its schedule, and the check for missed
      // backups, start now (both marks at once, so the next tick reads and writes nothing for it).
      await setHandledThrough(ctx, instance.id, now);
      if (!view.marks.missedCheckedThrough(instance.id)) await setMissedCheckedThrough(ctx, instance.id, now);
      return;
    }
    const policy = await this.#resource<PolicyResource>(view, instance.properties.policyInfo.policyId);
    if (!policy) throw new Error(`its backup policy '${instance.properties.policyInfo.policyId}' no longer exists`);
    const schedule = backupScheduleOf(policy);
    const alertId = await checkMissedBackup(ctx, instance, schedule, now, view.marks.missedCheckedThrough(instance.id));
    if (alertId) report.alerts.push({ instanceId: instance.id, alertId });
    const { run, missed } = dueOccurrence(schedule, handled, now);
    if (!run) return;
    for (const m of missed) report.missed.push({ instanceId: instance.id, occurrence: m.toISOString() });
    if (missed.length) this.#log(`scheduler: ${instance.name}: ${missed.length} missed occurrence(s) skipped; running the one of ${run.toISOString()}`);
    const vault = await this.#resource<BackupVault>(view, instance.id.split('/backupInstances/')[0]!);
    if (!vault) throw new Error('its Backup vault no longer exists');
    const tag = await this.#expectedTag(instance, schedule, run);
    const jobId = await ctx.catalog.transaction(async () => {
      // The job exists before its task can be claimed; if the key was already taken (another tick,
      // another process, a restart) the job goes again inside the same transaction.
      const job = await createJob(ctx, {
        vault, instance, policy: { id: policy.id, name: policy.name }, category: 'Backup', isUserTriggered: false, taskName: 'Trigger Backup',
        additionalDetails: { PolicyRuleName: schedule.ruleName, RetentionTag: tag },
      });
      const queued = await ctx.queue.enqueue(
        'backup',
        { jobId: job.id, scheduled: true, occurrence: run.toISOString() },
        { runAt: run.toISOString(), jobKey: scheduledJobKey(instance.id, run), group: datasourceGroup(instance) },
      );
      if (!queued) await ctx.catalog.deleteResource(job.id);
      await setHandledThrough(ctx, instance.id, run);
      return queued ? job.id : null;
    });
    if (jobId) report.queued.push({ instanceId: instance.id, occurrence: run.toISOString(), jobId });
  }

  /** A policy or vault by id, read once per tick (many instances share a few). */
  async #resource<T>(view: TickView, id: string): Promise<T | undefined> {
    const key = id.toLowerCase();
    if (!view.resources.has(key)) view.resources.set(key, (await this.#ctx.catalog.getResource<T>(id))?.body);
    return view.resources.get(key) as T | undefined;
  }

  /** The tag the backup will get if it succeeds (the job re-decides it from the history when it ends). */
  async #expectedTag(instance: BackupInstanceResource, schedule: BackupSchedule, at: Date): Promise<string> {
    const history = await this.#ctx.catalog.listResources<RecoveryPointResource>({ type: RECOVERY_POINT_TYPE, parentId: instance.id });
    try {
      return chooseTag(schedule.taggingCriteria, schedule.timeZone, at, history.items.map((h) => new Date(h.body.properties.recoveryPointTime)));
    } catch {
      return 'Default';
    }
  }
}
