// Queues work for the workers, by kind with its typed payload (queue/tasks.ts).
import type { BackupInstanceResource } from '../domain/backup-instance.ts';
import { resourceKey } from '../domain/resource-id.ts';
import type { Tasks } from '../queue/tasks.ts';
import type { ServiceContext } from './context.ts';

export async function queueTask<K extends keyof Tasks>(
  ctx: ServiceContext, kind: K, payload: Tasks[K], opts: { runAt?: Date; jobKey?: string; group?: string } = {},
): Promise<boolean> {
  const queued = await ctx.queue.enqueue(kind, payload, { runAt: (opts.runAt ?? ctx.clock.now()).toISOString(), jobKey: opts.jobKey, group: opts.group });
  if (queued) ctx.onTaskQueued?.();
  return queued;
}

/**
 * The task group of a backup instance's backups and restores: its datasource (the database), so
 * that at most one backup or restore of a datasource runs at a time, across every worker.
 */
export function datasourceGroup(instance: BackupInstanceResource): string {
  return `datasource:${resourceKey(instance.properties.dataSourceInfo.resourceID)}`;
}
