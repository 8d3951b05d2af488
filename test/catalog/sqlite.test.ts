// The SQLite catalog passes the catalog's conformance suite, and what it wrote survives reopening
// the file.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SqliteCatalog } from '../../src/catalog/sqlite.ts';
import { SqliteConnection } from '../../src/catalog/sqlite-connection.ts';
import type { Catalog } from '../../src/catalog/catalog.ts';
import { catalogConformance } from './conformance.ts';

catalogConformance('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dpvault-catalog-'));
  const conn = new SqliteConnection(join(dir, 'catalog.sqlite'));
  const catalog = new SqliteCatalog(conn);
  return {
    catalog,
    // One process holds the file (the data directory's lock): another user shares its connection,
    // as the task queue does, and closing it leaves the connection open.
    openAnother: async () => sharing(new SqliteCatalog(conn)),
    async dispose() {
      await catalog.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

/** The catalog, but its close() leaves the shared connection open. */
function sharing(c: SqliteCatalog): Catalog {
  return new Proxy(c, {
    get(target, prop) {
      if (prop === 'close') return async () => undefined;
      const v: unknown = Reflect.get(target, prop);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

describe('the SQLite catalog file', () => {
  it('keeps what was written when reopened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dpvault-catalog-'));
    try {
      const path = join(dir, 'catalog.sqlite');
      const first = new SqliteCatalog(path);
      await first.putResource({ id: '/x/kept', type: 'T/things', parentId: null, body: { n: 1 } });
      await first.setSetting('s', 'v');
      await first.close();
      const reopened = new SqliteCatalog(path);
      assert.deepEqual((await reopened.getResource('/x/kept'))?.body, { n: 1 });
      assert.equal(await reopened.getSetting('s'), 'v');
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to change an audit entry even through SQL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dpvault-catalog-'));
    try {
      const path = join(dir, 'catalog.sqlite');
      const catalog = new SqliteCatalog(path);
      await catalog.appendAudit({
        eventTimestamp: '2026-01-01T00:00:00.000Z', caller: 'oid', callerName: 'n', operationName: 'x/delete', resourceId: '/subscriptions/s',
        status: 'Failed', httpStatus: 409, subStatus: 'C', requestId: 'r', correlationId: 'r', method: 'DELETE',
      });
      await catalog.close();
      const db = new DatabaseSync(path);
      assert.throws(() => db.exec("UPDATE audit_log SET body = '{}'"), /append-only/);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
