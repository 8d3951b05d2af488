// `dpvault catalog migrate --from DATA_DIR --to postgres://...`: moves a stopped embedded
// installation's catalog (resources, which hold vaults, policies, instances, recovery points,
// jobs, key vault secrets still sealed under the same master key, principals and role
// assignments; operations; settings; the audit log) into an empty PostgreSQL catalog, in one
// transaction, keeping every row's sequence number (so listing order and the audit log's order
// stay). Before it commits, each table's count and checksum (catalog-digest.ts) are compared with
// the source; any difference rolls everything back. A non-empty target is refused before anything
// is written. The caller adds settings of its own in the same transaction (the command adds the
// master key's verifier and the sealed token signing keys: cli/commands/server.ts). Queued tasks (the embedded task queue) are not moved: migrate
// a stopped server whose jobs have ended.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { errors } from '../domain/errors.ts';
import { CATALOG_TABLES, digestDifference, rowValues, tableDigest, type CatalogTable, type TableDigest } from './catalog-digest.ts';
import { PgCatalogConnection } from './postgres-connection.ts';
import { SqliteConnection } from './sqlite-connection.ts';

export interface MigrationSummary {
  from: string;
  /** The target's URL, password hidden. */
  to: string;
  tables: TableDigest[];
}

const BATCH = 500;
const TABLES = Object.keys(CATALOG_TABLES) as CatalogTable[];
/** The column each table is read in order of (its key). */
const orderOf = (t: CatalogTable): string => CATALOG_TABLES[t][0];

/** Copies the catalog of `dataDir` into the empty catalog at `url`, then sets `added` (key, value) there too. */
export async function migrateCatalog(dataDir: string, url: string, added: readonly (readonly [string, string])[]): Promise<MigrationSummary> {
  const file = join(dataDir, 'catalog.sqlite');
  if (!existsSync(file)) throw errors.catalogMigrateSourceMissing(dataDir);
  new SqliteConnection(file).close(); // brings the source's schema up to date, as a server start would
  const source = new DatabaseSync(file, { readOnly: true });
  try {
    const target = await PgCatalogConnection.open(url);
    try {
      const tables = await target.transaction(async () => {
        const present = await targetRows(target);
        if (present > 0) throw errors.catalogMigrateTargetNotEmpty(target.redactedUrl, present);
        const digests: TableDigest[] = [];
        for (const t of TABLES) {
          const rows = source.prepare(`SELECT ${CATALOG_TABLES[t].join(', ')} FROM ${t} ORDER BY ${orderOf(t)}`).all() as Record<string, unknown>[];
          await copyRows(target, t, rows);
          const want = tableDigest(t, rows);
          const got = tableDigest(t, (await target.query(`SELECT ${CATALOG_TABLES[t].join(', ')} FROM dpvault.${t} ORDER BY ${orderOf(t)}`)).rows);
          const why = digestDifference(want, got);
          if (why) throw errors.catalogMigrateMismatch(t, why);
          digests.push(want);
        }
        for (const [key, value] of added) await target.query('INSERT INTO dpvault.settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, value]);
        return digests;
      });
      return { from: dataDir, to: target.redactedUrl, tables };
    } finally {
      await target.close();
    }
  } finally {
    source.close();
  }
}

/** How many rows the target's catalog tables hold. */
async function targetRows(target: PgCatalogConnection): Promise<number> {
  const counts = TABLES.map((t) => `(SELECT count(*) FROM dpvault.${t})`).join(' + ');
  return Number((await target.query<{ n: string }>(`SELECT ${counts} AS n`)).rows[0]!.n);
}

/** Inserts the rows as they are (sequence numbers too), then moves the identity past them. */
async function copyRows(target: PgCatalogConnection, t: CatalogTable, rows: Record<string, unknown>[]): Promise<void> {
  const cols = CATALOG_TABLES[t];
  const extra = t === 'operations' ? ['status'] : [];
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    const columns = cols.map((_, c) => batch.map((r) => rowValues(t, r)[c]));
    if (t === 'operations') columns.push(batch.map((r) => (JSON.parse(String(r.body)) as { status: string }).status));
    const types = [...cols.map((c) => (c === 'seq' ? 'bigint[]' : 'text[]')), ...extra.map(() => 'text[]')];
    const unnest = types.map((ty, n) => `$${n + 1}::${ty}`).join(', ');
    const overriding = cols.includes('seq' as never) ? 'OVERRIDING SYSTEM VALUE' : '';
    await target.query(`INSERT INTO dpvault.${t} (${[...cols, ...extra].join(', ')}) ${overriding} SELECT * FROM unnest(${unnest})`, columns);
  }
  if (cols.includes('seq' as never)) {
    await target.query(`SELECT setval(pg_get_serial_sequence('dpvault.${t}', 'seq'), coalesce((SELECT max(seq) FROM dpvault.${t}), 0) + 1, false)`);
  }
}
