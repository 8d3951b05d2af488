// One scrape of GET /metrics: the event metrics this process counted (metrics-events.ts) and the state
// read now from the catalog, the queue and the store (metrics-state.ts), in Prometheus' text format.
// Each scrape builds its state gauges in a registry of its own, so scrapes at once do not mix.
import { Gauge, Registry } from 'prom-client';
import { JOB_TYPE, type JobResource } from '../domain/job.ts';
import { INSTANCE_TYPE, RECOVERY_POINT_TYPE, type BackupInstanceResource } from '../domain/backup-instance.ts';
import { POLICY_TYPE, type PolicyResource } from '../domain/policy.ts';
import type { RecoveryPointResource } from '../domain/recovery-point.ts';
import { vaultStoreKey } from '../domain/recovery-point-store.ts';
import { VAULT_TYPE, type BackupVault } from '../domain/vault.ts';
import type { ServiceContext } from './context.ts';
import type { EventMetrics } from './metrics-events.ts';
import { backupIntervals, lastBackupSuccess, pointsByDatastore, type Sample } from './metrics-state.ts';

export interface MetricsText {
  contentType: string;
  text: string;
}

export async function scrapeMetrics(ctx: ServiceContext, events: EventMetrics): Promise<MetricsText> {
  const mine = { idPrefix: `/subscriptions/${ctx.subscriptionId}/` };
  const [jobs, points, vaults, instances, policies, queued] = await Promise.all([
    ctx.catalog.listResources<JobResource>({ ...mine, type: JOB_TYPE }),
    ctx.catalog.listResources<RecoveryPointResource>({ ...mine, type: RECOVERY_POINT_TYPE }),
    ctx.catalog.listResources<BackupVault>({ ...mine, type: VAULT_TYPE }),
    ctx.catalog.listResources<BackupInstanceResource>({ ...mine, type: INSTANCE_TYPE }),
    ctx.catalog.listResources<PolicyResource>({ ...mine, type: POLICY_TYPE }),
    ctx.queue.list('queued'),
  ]);
  const stored: Sample[] = [];
  for (const v of vaults.items) {
    const bytes = (await ctx.store.storedBytes?.(vaultStoreKey(v.id))) ?? {};
    for (const [datastore, value] of Object.entries(bytes)) stored.push({ labels: { vault: v.body.name, datastore }, value });
  }
  const { points: pointCounts, logicalBytes } = pointsByDatastore(points.items.map((r) => r.body));

  const state = new Registry();
  const gauge = (name: string, help: string, labelNames: string[], samples: Sample[]) => {
    const g = new Gauge({ name, help, labelNames, registers: [state] });
    for (const s of samples) g.set(s.labels, s.value);
  };
  gauge('dpvault_backup_last_success_timestamp_seconds', 'End of the newest completed backup job of each backup instance, in Unix seconds.', ['vault', 'instance'], lastBackupSuccess(jobs.items.map((r) => r.body)));
  const byPolicyId = new Map(policies.items.map((r) => [r.body.id.toLowerCase(), r.body]));
  gauge('dpvault_backup_interval_seconds', "Longest gap between two backups the policy's schedule asks for, per protected backup instance (alert when the last success is older than twice this).", ['vault', 'instance'], backupIntervals(instances.items.map((r) => r.body), byPolicyId, ctx.clock.now()));
  gauge('dpvault_recovery_points', 'Recovery points per vault and datastore.', ['vault', 'datastore'], pointCounts);
  gauge('dpvault_logical_bytes', 'Bytes of the databases the recovery points hold (their dumps, before deduplication and compression), per vault and datastore.', ['vault', 'datastore'], logicalBytes);
  gauge('dpvault_stored_bytes', "Bytes the vault's storage holds (packs after deduplication, compression and encryption), per vault and datastore.", ['vault', 'datastore'], stored);
  gauge('dpvault_queue_depth', 'Tasks waiting in the queue for a worker (backups, restores, verify, repair, maintenance, deliveries).', [], [{ labels: {}, value: queued.length }]);

  const all = Registry.merge([events.registry, state]);
  return { contentType: all.contentType, text: await all.metrics() };
}
