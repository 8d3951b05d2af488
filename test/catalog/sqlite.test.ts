// The SQLite catalog: resources, paging, the task queue's job keys and leases, and transactions
// that neither interleave with nor swallow concurrent writes.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteCatalog } from '../../src/catalog/sqlite.ts';

const dir = mkdtempSync(join(tmpdir(), 'dpvault-catalog-'));
const path = join(dir, 'catalog.sqlite');
const catalog = new SqliteCatalog(path);
after(async () => {
  await catalog.close();
  rmSync(dir, { recursive: true, force: true });
});
const res = (id: string, parentId: string | null = null) => ({ id, type: 'T/things', parentId, body: { id, n: 1 } });

describe('resources', () => {
  it('are found case-insensitively and listed in pages by parent', async () => {
    for (const n of ['a', 'b', 'c']) await catalog.putResource(res(`/subscriptions/s/P/${n}`, '/subscriptions/s'));
    assert.equal((await catalog.getResource('/SUBSCRIPTIONS/S/p/A'))?.id, '/subscriptions/s/P/a');
    const first = await catalog.listResources({ type: 't/THINGS', parentId: '/Subscriptions/S', limit: 2 });
    assert.deepEqual(first.items.map((r) => r.id.slice(-1)), ['a', 'b']);
    const second = await catalog.listResources({ type: 'T/things', parentId: '/subscriptions/s', limit: 2, after: first.next });
    assert.deepEqual(second.items.map((r) => r.id.slice(-1)), ['c']);
    assert.equal(second.next, undefined);
    assert.equal(await catalog.countResources({ idPrefix: '/subscriptions/s/p/' }), 3);
  });
});

describe('transactions', () => {
  it('roll back their own writes only; a concurrent write outside waits and survives', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const tx = catalog
      .transaction(async () => {
        await catalog.putResource(res('/x/inside'));
        await gate;
        throw new Error('abort');
      })
      .catch((e: Error) => e.message);
    const outside = catalog.putResource(res('/x/outside'));
    release();
    assert.equal(await tx, 'abort');
    await outside;
    assert.equal(await catalog.getResource('/x/inside'), undefined);
    assert.ok(await catalog.getResource('/x/outside'));
  });
});

describe('tasks', () => {
  it('are queued once per job key, claimed once, and come back when a lease expires', async () => {
    assert.equal(await catalog.enqueue({ kind: 'k', payload: { a: 1 }, runAt: '2026-01-01T00:00:00Z', jobKey: 'once' }), true);
    assert.equal(await catalog.enqueue({ kind: 'k', payload: { a: 2 }, runAt: '2026-01-01T00:00:00Z', jobKey: 'once' }), false);
    assert.equal(await catalog.claimTask('w', '2025-12-31T00:00:00Z', '2026-01-02T00:00:00Z'), undefined, 'not due yet');
    const t = await catalog.claimTask('w', '2026-01-01T00:00:00Z', '2026-01-01T01:00:00Z');
    assert.deepEqual(t?.payload, { a: 1 });
    assert.equal(await catalog.claimTask('w2', '2026-01-01T00:00:00Z', '2026-01-01T01:00:00Z'), undefined);
    assert.equal(await catalog.releaseExpiredLeases('2026-01-01T02:00:00Z'), 1);
    const again = await catalog.claimTask('w2', '2026-01-01T02:00:00Z', '2026-01-01T03:00:00Z');
    assert.equal(again?.attempts, 2);
    await catalog.completeTask(again!.id);
    assert.deepEqual(await catalog.listTasks('done'), [{ ...again!, attempts: 2 }]);
  });

  it('survive reopening the file', async () => {
    const reopened = new SqliteCatalog(path);
    assert.ok(await reopened.getResource('/x/outside'));
    await reopened.close();
  });
});
