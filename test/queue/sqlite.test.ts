// The embedded task queue passes the queue's conformance suite; it shares the catalog's file, so
// a catalog transaction rolls a queueing back with it, and a catalog.sqlite written before the
// queue had its own interface opens with its queued tasks still there to claim.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SqliteCatalog } from '../../src/catalog/sqlite.ts';
import { SqliteConnection } from '../../src/catalog/sqlite-connection.ts';
import { SqliteTaskQueue } from '../../src/queue/sqlite.ts';
import { queueConformance, type ConformanceTasks } from './conformance.ts';

function openFresh(): { dir: string; conn: SqliteConnection } {
  const dir = mkdtempSync(join(tmpdir(), 'dpvault-queue-'));
  return { dir, conn: new SqliteConnection(join(dir, 'catalog.sqlite')) };
}

queueConformance('SQLite', async () => {
  const { dir, conn } = openFresh();
  return {
    queue: new SqliteTaskQueue<ConformanceTasks>(conn),
    async dispose() {
      conn.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('the SQLite task queue beside the catalog', () => {
  it('is rolled back with a catalog transaction that fails', async () => {
    const { dir, conn } = openFresh();
    try {
      const catalog = new SqliteCatalog(conn);
      const queue = new SqliteTaskQueue<ConformanceTasks>(conn);
      await catalog
        .transaction(async () => {
          await catalog.putResource({ id: '/x/job', type: 'T/jobs', parentId: null, body: {} });
          await queue.enqueue('send', { n: 1 }, { runAt: '2026-01-01T00:00:00.000Z', jobKey: 'k' });
          throw new Error('abort');
        })
        .catch(() => undefined);
      assert.deepEqual(await queue.list('queued'), []);
      assert.equal(await queue.enqueue('send', { n: 2 }, { runAt: '2026-01-01T00:00:00.000Z', jobKey: 'k' }), true);
    } finally {
      conn.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('claims the tasks a catalog.sqlite of the previous release had queued', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dpvault-queue-'));
    try {
      const path = join(dir, 'catalog.sqlite');
      // The schema as the release before this one wrote it (migration 1), with a task it queued.
      const old = new DatabaseSync(path);
      old.exec(`CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1);
        CREATE TABLE resources (seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, id TEXT NOT NULL, type TEXT NOT NULL,
          parent_key TEXT, parent_id TEXT, body TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
        CREATE TABLE operations (id TEXT PRIMARY KEY, body TEXT NOT NULL);
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE tasks (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, payload TEXT NOT NULL, run_at TEXT NOT NULL,
          status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, job_key TEXT UNIQUE, locked_by TEXT, locked_until TEXT,
          last_error TEXT, created_at TEXT NOT NULL);
        INSERT INTO tasks (kind, payload, run_at, status, attempts, job_key, created_at)
          VALUES ('backup', '{"jobId":"j1","scheduled":true}', '2026-01-01T00:00:00.000Z', 'queued', 0, 'scheduled:x', '2026-01-01T00:00:00.000Z');`);
      old.close();
      const conn = new SqliteConnection(path);
      try {
        const queue = new SqliteTaskQueue(conn);
        const task = await queue.claim('w', { now: '2026-01-01T00:00:01.000Z', leaseUntil: '2026-01-01T01:00:00.000Z' });
        assert.equal(task?.kind, 'backup');
        assert.deepEqual(task?.payload, { jobId: 'j1', scheduled: true });
        assert.equal(await queue.enqueue('backup', { jobId: 'j2' }, { runAt: '2026-01-01T00:00:00.000Z', jobKey: 'scheduled:x' }), false);
      } finally {
        conn.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
