// What a backup job reads, chosen by the datasource's manifest (backupScope): one database,
// reached with the key vault secret its backup instance names, dumped key-ordered; or a whole
// flexible server, reached with the vault's identity, dumped as a server archive (every database
// and the globals). Either way the job gets sizes for its progress, the server's version, what the
// recovery point records, and a way to start the dump.
import type { BackupInstanceResource } from '../domain/backup-instance.ts';
import type { BackupVault } from '../domain/vault.ts';
import { requireManifest } from '../datasources/registry.ts';
import type { DumpHandle } from '../sources/postgres/dump.ts';
import { startOrderedDump } from '../sources/postgres/ordered-dump.ts';
import { probeDatabase } from '../sources/postgres/probe.ts';
import { listServerDatabases, startServerDump } from '../sources/postgres/server-dump.ts';
import type { ServiceContext } from '../services/context.ts';
import { connectionFor } from '../services/datasource-access.ts';
import { checkServerForBackup, serverAccessFor } from '../services/server-access.ts';

export interface BackupSource {
  majorVersion: number;
  /** The datasource's size on the server. */
  sizeBytes: number;
  /** What the dump will roughly weigh. */
  estimateBytes: number;
  /** The database (or, for a server, the server's name) the recovery point names. */
  database: string;
  /** The databases a whole-server point holds, in the order they are in it; undefined for a database point. */
  databases?: string[];
  /** Fields the recovery point's metaData adds to the common ones. */
  metaData: Record<string, unknown>;
  start(): Promise<DumpHandle>;
}

export async function openBackupSource(ctx: ServiceContext, vault: BackupVault, instance: BackupInstanceResource): Promise<BackupSource> {
  const info = instance.properties.dataSourceInfo;
  const manifest = requireManifest(info.datasourceType || info.resourceType);
  if (manifest.backupScope === 'Server') {
    const server = await serverAccessFor(ctx, vault, manifest, info.resourceID, 'Backup');
    const { majorVersion } = await checkServerForBackup(server);
    const { names, sizeBytes } = await listServerDatabases(server.conn);
    return {
      majorVersion, sizeBytes, estimateBytes: sizeBytes, database: server.server.name, databases: names,
      metaData: { objectType: 'PostgresFlexibleServerBackupMetadata', serverName: server.server.name, databases: names },
      start: async () => startServerDump(server.conn, { major: majorVersion, databases: names, minTableBytes: ctx.keyOrderMinBytes }),
    };
  }
  const uri = instance.properties.datasourceAuthCredentials?.secretStoreResource.uri ?? '';
  const db = await connectionFor(ctx, vault, info.resourceID, uri);
  // One connection checks the database, the user's rights and the server's version.
  const probed = await probeDatabase(db.conn);
  return {
    majorVersion: probed.majorVersion,
    sizeBytes: probed.sizeBytes,
    // The table data, or the whole database before statistics exist.
    estimateBytes: probed.dataBytes > 0 ? probed.dataBytes : probed.sizeBytes,
    database: db.database,
    metaData: { objectType: 'PostgresBackupMetadata', dbName: db.database },
    start: () => startOrderedDump(db.conn, { major: probed.majorVersion, minTableBytes: ctx.keyOrderMinBytes }),
  };
}
