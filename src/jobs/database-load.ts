// One archive loaded into a new database on a server, the way every whole-database restore does
// it (a database point into a database, each database of a whole-server point into a server): a
// staging database (restore-staging.ts) is created, loaded by one pg_restore or the parallel
// path (as many sessions as the server has room for), owners and grants fitted to the target's
// roles, and renamed to the target name only once the load has finished. A failure drops the
// staging database and says so; nothing is ever created under the target name half-loaded.
import { DpError, toDpError } from '../domain/errors.ts';
import type { ArchiveHead } from '../sources/postgres/archive-toc.ts';
import type { PgConnection } from '../sources/postgres/connection-string.ts';
import { createDatabase, dropDatabase, renameDatabase } from '../sources/postgres/probe.ts';
import { startParallelRestore } from '../sources/postgres/parallel-restore.ts';
import { DEFAULT_RESTORE_MAINTENANCE_WORK_MEM, restoreSessionSettings } from '../sources/postgres/restore-settings.ts';
import { chooseRestoreWorkers, connectionRoom, defaultRestoreWorkers } from '../sources/postgres/restore-workers.ts';
import { startRestore } from '../sources/postgres/restore.ts';
import { roleReportDetails, type RoleReport, type TargetRoles } from '../sources/postgres/role-mapping.ts';
import { runRangedRestore, type ReadRanges } from '../sources/postgres/ranged-restore.ts';
import { rangedUnits } from '../sources/postgres/restore-plan.ts';
import type { ArchiveLayout } from '../domain/archive-layout.ts';
import type { ServiceContext } from '../services/context.ts';
import { feedRestore } from './restore-feed.ts';
import type { Feed } from './restore-file.ts';
import { stagingDatabaseName } from './restore-staging.ts';

export interface NewDatabaseLoad {
  /** Connects to a database that exists on the target server (for creating, renaming and dropping). */
  maintenance: PgConnection;
  /** The target server's major version and maintenance_work_mem (probe.ts probeServer). */
  server: { majorVersion: number; maintenanceWorkMemBytes: number };
  /** The target's roles, to fit owners and grants to. */
  roles: TargetRoles;
  /** The name the database gets once loaded; it must not exist. */
  target: string;
  jobId: string;
  noOwner: boolean;
  /** Writes the archive into pg_restore's input. */
  feed: Feed;
  /**
   * The archive's layout and a reader of its byte ranges, when the point recorded one: then the
   * tables load in parallel sessions, each reading only its own bytes (ranged-restore.ts).
   */
  ranged?: { layout: ArchiveLayout; read: ReadRanges };
  /** A change of the archive's TOC on its way in, after the roles are fitted (tablespaces the target lacks, say). */
  rewriteHead?: (head: ArchiveHead) => ArchiveHead;
}

/** How many tables the sessions share (each loads part of them), for the job's log line. */
function splitNote(sessions: readonly { ids: readonly number[] }[]): string {
  const seen = new Set<number>();
  const twice = new Set<number>();
  for (const s of sessions) for (const id of s.ids) (seen.has(id) ? twice : seen).add(id);
  const shared = twice.size;
  return shared === 0 ? '' : ` (${shared} table${shared === 1 ? '' : 's'} split between them)`;
}

/** Loads the archive into database `load.target`, which this creates; returns what the job reports about roles. */
export async function loadIntoNewDatabase(ctx: ServiceContext, load: NewDatabaseLoad): Promise<Record<string, string>> {
  const { maintenance, server, roles, target } = load;
  const staging = stagingDatabaseName(target, load.jobId);
  await createDatabase(maintenance, staging);
  try {
    const ranged = load.ranged && rangedUnits(load.ranged.layout) >= 2 ? load.ranged : null;
    const workers = chooseRestoreWorkers(ctx.restoreJobs ?? defaultRestoreWorkers(ranged !== null), await connectionRoom(maintenance));
    const settings = restoreSessionSettings(server.maintenanceWorkMemBytes, ctx.restoreMaintenanceWorkMem ?? DEFAULT_RESTORE_MAINTENANCE_WORK_MEM);
    const options = { major: server.majorVersion, targetDatabase: staging, roles, noOwner: load.noOwner, settings, rewriteHead: load.rewriteHead };
    let report: RoleReport | null;
    if (ranged && workers > 1) {
      const t0 = performance.now();
      const said: string[] = [];
      const at = (): string => `${((performance.now() - t0) / 1000).toFixed(2)} s`;
      report = await runRangedRestore(maintenance, {
        ...options, workers, layout: ranged.layout, read: ranged.read,
        onPlan: (sessions) => said.push(`${sessions.length} data sessions of ${sessions.map((s) => `${(s.bytes / 2 ** 20).toFixed(1)} MiB`).join(', ')}${splitNote(sessions)}`),
        onPhaseEnd: (phase) => said.push(`${phase} done at ${at()}`),
      });
      ctx.log?.(`restore job ${load.jobId}: loaded ${staging} from byte ranges: ${said.join('; ')}`);
    } else {
      // One session is the one stream into one pg_restore; more take the three-phase parallel path.
      const restore = workers > 1 ? await startParallelRestore(maintenance, { ...options, workers }) : await startRestore(maintenance, options);
      await feedRestore(restore, load.feed);
      report = restore.report();
    }
    await renameDatabase(maintenance, staging, target);
    return report ? roleReportDetails(report, roles, !load.noOwner) : {};
  } catch (e) {
    const err = toDpError(e);
    const left = await dropDatabase(maintenance, staging).then(
      () => `The half-restored staging database '${staging}' was dropped; nothing was created under the name '${target}'.`,
      (d: unknown) => `Nothing was created under the name '${target}', but the half-restored staging database '${staging}' could not be dropped (${toDpError(d).message}); drop it by hand.`,
    );
    throw new DpError(err.kind, err.code, `${err.message}\n${left}`, { target: err.target });
  }
}
