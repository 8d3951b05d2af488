// The PostgreSQL catalog passes the catalog's conformance suite on a real cluster, and what only
// it has: the append-only audit log enforced by the database, migrations under a lock, the refusal
// of a newer schema, and of a bad or unreachable URL without showing its password.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { PostgresCatalog } from '../../src/catalog/postgres.ts';
import { PgCatalogConnection } from '../../src/catalog/postgres-connection.ts';
import { DpError } from '../../src/domain/errors.ts';
import { startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { freePort } from '../support/pg-bin.ts';
import { catalogConformance } from './conformance.ts';

let cluster: PgCluster;
const started = startCluster().then((c) => (cluster = c));
after(() => cluster?.stop());

/** A new, empty database on the cluster; its URL. */
async function freshDatabase(): Promise<string> {
  await started;
  const name = `catalog_${randomUUID().replaceAll('-', '')}`;
  await cluster.createDatabase(name);
  return cluster.connectionString(name);
}

catalogConformance('PostgreSQL', async () => {
  const url = await freshDatabase();
  const catalog = await PostgresCatalog.open(url);
  return {
    catalog,
    openAnother: () => PostgresCatalog.open(url),
    dispose: () => catalog.close(),
  };
});

describe('the PostgreSQL catalog', () => {
  let url: string;
  before(async () => {
    url = await freshDatabase();
  });

  it('refuses to change or remove an audit entry through SQL; only pruning removes entries', async () => {
    const catalog = await PostgresCatalog.open(url);
    try {
      await catalog.appendAudit({
        eventTimestamp: '2000-01-01T00:00:00.000Z', caller: 'oid', callerName: 'n', operationName: 'x/delete', resourceId: '/subscriptions/s',
        status: 'Failed', httpStatus: 409, subStatus: 'C', requestId: 'r', correlationId: 'r', method: 'DELETE',
      });
      const db = (sql: string) => cluster.query(new URL(url).pathname.slice(1), sql);
      await assert.rejects(db("UPDATE dpvault.audit_log SET body = '{}'"), /append-only/);
      await assert.rejects(db('DELETE FROM dpvault.audit_log'), /append-only/);
      await assert.rejects(db('TRUNCATE dpvault.audit_log'), /append-only/);
      assert.equal((await catalog.queryAudit({})).length, 1);
      assert.equal(await catalog.pruneAudit('2001-01-01T00:00:00.000Z'), 1);
    } finally {
      await catalog.close();
    }
  });

  it('is migrated once when two servers open an empty catalog at once, and keeps what was written', async () => {
    const empty = await freshDatabase();
    const [a, b] = await Promise.all([PostgresCatalog.open(empty), PostgresCatalog.open(empty)]);
    try {
      await a.setSetting('s', 'v');
      assert.equal(await b.getSetting('s'), 'v');
      const versions = await cluster.query<{ version: number }>(new URL(empty).pathname.slice(1), 'SELECT version FROM dpvault.schema_version ORDER BY version');
      assert.deepEqual(versions.map((r) => r.version), Array.from({ length: PgCatalogConnection.schemaVersion }, (_, i) => i + 1));
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('refuses a catalog whose schema is newer than it knows, and says why', async () => {
    const newer = await freshDatabase();
    await (await PostgresCatalog.open(newer)).close();
    await cluster.query(new URL(newer).pathname.slice(1), `INSERT INTO dpvault.schema_version VALUES (${PgCatalogConnection.schemaVersion + 1})`);
    await assert.rejects(PostgresCatalog.open(newer), (e: DpError) => {
      assert.equal(e.code, 'CatalogSchemaNewer');
      assert.match(e.message, new RegExp(`version ${PgCatalogConnection.schemaVersion + 1}, newer than this dpvault knows \\(${PgCatalogConnection.schemaVersion}\\)`));
      return true;
    });
  });

  it('refuses a wrong password, an unreachable server and a non-PostgreSQL URL, naming the setting and never the password', async () => {
    await started;
    const secret = 'S3cret-Passw0rd';
    const wrong = cluster.connectionString('postgres', 'postgres', secret);
    const closed = `postgres://postgres:${secret}@127.0.0.1:${await freePort()}/db`;
    for (const [u, code] of [[wrong, 'CatalogUnreachable'], [closed, 'CatalogUnreachable'], [`mysql://u:${secret}@h/db`, 'InvalidArgumentValueError']] as const) {
      await assert.rejects(PostgresCatalog.open(u, { connectTimeoutMs: 5000 }), (e: DpError) => {
        assert.ok(e instanceof DpError, String(e));
        assert.equal(e.code, code);
        assert.match(e.message, /--database \(or DPVAULT_DATABASE\)/);
        assert.ok(!e.message.includes(secret), e.message);
        assert.match(e.message, /\*\*\*/);
        return true;
      });
    }
  });
});
