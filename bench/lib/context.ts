// What the phases of one run share: options, the cluster with the source database, the private
// build, the work directory, and a dpvault installation that has backed the source up (made by the
// backup phase, or by the restore phase when it runs alone).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Build } from './build.ts';
import type { BenchOptions } from './options.ts';
import type { BenchCluster } from './postgres.ts';
import { Protection } from './protect.ts';
import { DpvaultServer, serverLog } from './server.ts';

export interface RunContext {
  opts: BenchOptions;
  pg: BenchCluster;
  build: Build;
  workDir: string;
  /** The loaded, never-churned source database. */
  sourceDb: string;
  /** A `pg_dump -Fc` file of the source, once one was made. */
  fcDump?: string;
  /** A data directory holding one backup of the source, and the protection in it. */
  backedUp?: { dataDir: string; protection: Protection };
}

const stamp = (): string => new Date().toISOString().slice(11, 19);
export const log = (msg: string): void => console.log(`[${stamp()}] ${msg}`);

/** A dpvault server on a new, empty data directory (its extra arguments and environment given) with `db` protected. */
export async function freshProtection(
  ctx: RunContext, name: string, db: string, serverExtra: Parameters<typeof DpvaultServer.start>[3] = {},
): Promise<{ dataDir: string; protection: Protection }> {
  const dataDir = join(ctx.workDir, `dpvault-${name}`);
  rmSync(dataDir, { recursive: true, force: true });
  const server = await DpvaultServer.start(ctx.build.entry, dataDir, serverLog(ctx.workDir, name), serverExtra);
  try {
    const protection = await Protection.setUp(server, ctx.pg.login, db, join(ctx.workDir, `cli-${name}`));
    return { dataDir, protection };
  } catch (e) {
    await server.stop();
    throw e;
  }
}

/** Peak memory as reported: the server's own VmHWM and each child command's highest VmHWM, in KiB. */
export interface MemoryPeaks {
  serverKiB: number;
  children: Record<string, number>;
}

export function peaksOf(server: DpvaultServer): MemoryPeaks {
  return { serverKiB: server.peakKiB(), children: Object.fromEntries(server.childPeaksKiB()) };
}

/** The larger of two peaks, field by field. */
export function maxPeaks(a: MemoryPeaks | undefined, b: MemoryPeaks): MemoryPeaks {
  if (!a) return b;
  const children = { ...a.children };
  for (const [k, v] of Object.entries(b.children)) children[k] = Math.max(children[k] ?? 0, v);
  return { serverKiB: Math.max(a.serverKiB, b.serverKiB), children };
}
