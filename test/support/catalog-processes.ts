// Processes on one PostgreSQL catalog, for tests: a cluster started before the file's tests and
// stopped after them, a new empty database per test, and data directories holding a master key
// (removed at the end).
import { after, before } from 'node:test';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type PgCluster } from './pg-cluster.ts';

export interface CatalogProcesses {
  /** The cluster (started by the file's `before`). */
  cluster(): PgCluster;
  /** A new, empty database on the cluster: its URL and name. */
  freshDatabase(): Promise<{ url: string; name: string }>;
  /** A new data directory holding this master key (hex). */
  dataDirWithKey(key: string): string;
  /** Removed at the end with the data directories. */
  scratch(prefix: string): string;
}

/** Registers the file's before/after hooks; call at the top of a test file. */
export function catalogProcesses(prefix: string): CatalogProcesses {
  let cluster: PgCluster | undefined;
  const dirs: string[] = [];
  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    await cluster?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const scratch = (p: string) => {
    const d = mkdtempSync(join(tmpdir(), p));
    dirs.push(d);
    return d;
  };
  return {
    cluster: () => cluster!,
    async freshDatabase() {
      const name = `${prefix}_${randomUUID().replaceAll('-', '')}`;
      await cluster!.createDatabase(name);
      return { url: cluster!.connectionString(name), name };
    },
    dataDirWithKey(key) {
      const d = scratch(`dpvault-${prefix}-`);
      writeFileSync(join(d, 'master.key'), `${key}\n`, { mode: 0o600 });
      return d;
    },
    scratch,
  };
}
