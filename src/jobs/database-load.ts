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
import { roleReportDetails, type TargetRoles } from '../sources/postgres/role-mapping.ts';
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
  /** A change of the archive's TOC on its way in, after the roles are fitted (tablespaces the target lacks, say). */
  rewriteHead?: (head: ArchiveHead) => ArchiveHead;
}

/** Loads the archive into database `load.target`, which this creates; returns what the job reports about roles. */
export async function loadIntoNewDatabase(ctx: ServiceContext, load: NewDatabaseLoad): Promise<Record<string, string>> {
  const { maintenance, server, roles, target } = load;
  const staging = stagingDatabaseName(target, load.jobId);
  await createDatabase(maintenance, staging);
  try {
    const workers = chooseRestoreWorkers(ctx.restoreJobs ?? defaultRestoreWorkers(), await connectionRoom(maintenance));
    const settings = restoreSessionSettings(server.maintenanceWorkMemBytes, ctx.restoreMaintenanceWorkMem ?? DEFAULT_RESTORE_MAINTENANCE_WORK_MEM);
    const options = { major: server.majorVersion, targetDatabase: staging, roles, noOwner: load.noOwner, settings, rewriteHead: load.rewriteHead };
    // One session is the one stream into one pg_restore; more take the three-phase parallel path.
    const restore = workers > 1 ? await startParallelRestore(maintenance, { ...options, workers }) : await startRestore(maintenance, options);
    await feedRestore(restore, load.feed);
    const report = restore.report();
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
