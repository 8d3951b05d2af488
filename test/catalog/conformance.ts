// The catalog's contract (src/catalog/catalog.ts), as a suite any implementation must pass: the
// embedded SQLite one (sqlite.test.ts) and a PostgreSQL one next. It asserts only what the
// interface promises (no file, no SQL), on ids of its own under a fresh subscription per run.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AuditEntry, Catalog, OperationRecord } from '../../src/catalog/catalog.ts';

export interface CatalogUnderTest {
  catalog: Catalog;
  /** Another catalog on the same store, as a second process would open it (closed by the caller). */
  openAnother(): Promise<Catalog>;
  /** Ends the catalog and removes what the factory made. */
  dispose(): Promise<void>;
}

export function catalogConformance(name: string, open: () => Promise<CatalogUnderTest>): void {
  describe(`catalog conformance: ${name}`, () => {
    let subject: CatalogUnderTest;
    let catalog: Catalog;
    const sub = `/subscriptions/${randomUUID()}`;
    const res = (id: string, parentId: string | null = sub, type = 'T/things') => ({ id, type, parentId, body: { id, n: 1 } });
    before(async () => {
      subject = await open();
      catalog = subject.catalog;
    });
    after(() => subject.dispose());

    describe('resources', () => {
      it('are found case-insensitively and keep the casing first written', async () => {
        await catalog.putResource(res(`${sub}/P/Casing`));
        const found = await catalog.getResource(`${sub.toUpperCase()}/p/CASING`);
        assert.equal(found?.id, `${sub}/P/Casing`);
        assert.deepEqual(found?.body, { id: `${sub}/P/Casing`, n: 1 });
        assert.equal(await catalog.getResource(`${sub}/P/absent`), undefined);
      });

      it('are replaced by a second put, keeping their creation time', async () => {
        const id = `${sub}/P/replaced`;
        await catalog.putResource(res(id));
        const first = await catalog.getResource(id);
        await catalog.putResource({ ...res(id), body: { id, n: 2 } });
        const second = await catalog.getResource<{ n: number }>(id);
        assert.equal(second?.body.n, 2);
        assert.equal(second?.createdAt, first?.createdAt);
      });

      it('are deleted once', async () => {
        const id = `${sub}/P/deleted`;
        await catalog.putResource(res(id));
        assert.equal(await catalog.deleteResource(id.toUpperCase()), true);
        assert.equal(await catalog.deleteResource(id), false);
        assert.equal(await catalog.getResource(id), undefined);
      });
    });

    describe('paging', () => {
      const parent = `${sub}/resourceGroups/paged`;
      before(async () => {
        for (const n of ['a', 'b', 'c', 'd', 'e']) await catalog.putResource(res(`${parent}/P/${n}`, parent));
        await catalog.putResource(res(`${parent}/Other/x`, parent, 'T/others'));
      });

      it('lists by type and parent in the order written, a page at a time', async () => {
        const seen: string[] = [];
        let after: string | undefined;
        let pages = 0;
        do {
          const page = await catalog.listResources({ type: 't/THINGS', parentId: parent.toUpperCase(), limit: 2, after });
          assert.ok(page.items.length <= 2);
          seen.push(...page.items.map((r) => r.id.slice(-1)));
          after = page.next;
          pages++;
        } while (after !== undefined);
        assert.deepEqual(seen, ['a', 'b', 'c', 'd', 'e']);
        assert.equal(pages, 3);
      });

      it('lists everything without a limit, by id prefix and counts', async () => {
        assert.equal((await catalog.listResources({ parentId: parent })).items.length, 6);
        assert.equal((await catalog.listResources({ idPrefix: `${parent}/p/`.toUpperCase() })).next, undefined);
        assert.equal(await catalog.countResources({ idPrefix: `${parent}/p/` }), 5);
        assert.equal(await catalog.countResources({ type: 'T/others', parentId: parent }), 1);
      });
    });

    describe('operations', () => {
      it('are stored, replaced and listed by status', async () => {
        const base = { resourceId: `${sub}/P/a`, startTime: '2026-11-24T00:00:00.000Z', endTime: null };
        const running: OperationRecord = { ...base, id: `op-${randomUUID()}`, status: 'Inprogress' };
        const done: OperationRecord = { ...base, id: `op-${randomUUID()}`, status: 'Inprogress' };
        await catalog.putOperation(running);
        await catalog.putOperation(done);
        const finished: OperationRecord = { ...done, status: 'Succeeded', endTime: '2026-11-24T00:00:01.000Z', properties: { jobId: 'j' } };
        await catalog.putOperation(finished);
        assert.deepEqual(await catalog.getOperation(done.id), finished);
        assert.equal(await catalog.getOperation('op-absent'), undefined);
        const inProgress = (await catalog.listOperations('Inprogress')).map((o) => o.id);
        assert.ok(inProgress.includes(running.id) && !inProgress.includes(done.id));
        assert.ok((await catalog.listOperations('Succeeded')).some((o) => o.id === done.id));
      });
    });

    describe('audit log', () => {
      const entry = (resourceId: string, at: string, caller = 'oid-1', callerName = 'Alice'): AuditEntry => ({
        eventTimestamp: at, caller, callerName, operationName: 'Microsoft.DataProtection/backupVaults/write', resourceId,
        status: 'Succeeded', httpStatus: 200, subStatus: null, requestId: randomUUID(), correlationId: randomUUID(), method: 'PUT',
      });
      const rg = `${sub}/resourceGroups/Audit`;
      it('appends entries and reads them back newest first, by scope, time and caller', async () => {
        const a = entry(`${rg}/providers/Microsoft.DataProtection/backupVaults/v`, '2026-01-01T00:00:00.000Z');
        const b = entry(`${rg}2/providers/Microsoft.DataProtection/backupVaults/v`, '2026-01-02T00:00:00.000Z', 'oid-2', 'Bob');
        const c = entry(rg, '2026-01-03T00:00:00.000Z');
        for (const e of [a, b, c]) await catalog.appendAudit(e);
        const all = await catalog.queryAudit({ scopePrefix: sub });
        assert.deepEqual(all.map((r) => r.entry), [c, b, a]);
        assert.ok(all[0]!.seq > all[1]!.seq && all[1]!.seq > all[2]!.seq);
        assert.deepEqual((await catalog.queryAudit({ scopePrefix: rg.toUpperCase() })).map((r) => r.entry), [c, a], 'a group does not take in another group it prefixes');
        assert.deepEqual((await catalog.queryAudit({ scopePrefix: sub, from: '2026-01-02T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z' })).map((r) => r.entry), [b]);
        assert.deepEqual((await catalog.queryAudit({ scopePrefix: sub, caller: 'BOB' })).map((r) => r.entry), [b]);
        assert.deepEqual((await catalog.queryAudit({ scopePrefix: sub, caller: 'oid-1', limit: 1 })).map((r) => r.entry), [c]);
      });

      it('removes only the entries older than the retention bound', async () => {
        const scope = `${sub}/resourceGroups/Pruned`;
        await catalog.appendAudit(entry(scope, '2000-01-01T00:00:00.000Z'));
        const kept = entry(scope, '2999-01-01T00:00:00.000Z');
        await catalog.appendAudit(kept);
        assert.ok((await catalog.pruneAudit('2001-01-01T00:00:00.000Z')) >= 1);
        assert.deepEqual((await catalog.queryAudit({ scopePrefix: scope })).map((r) => r.entry), [kept]);
      });
    });

    describe('settings', () => {
      it('are absent until set, then replaced', async () => {
        const key = `setting-${randomUUID()}`;
        assert.equal(await catalog.getSetting(key), undefined);
        await catalog.setSetting(key, 'one');
        await catalog.setSetting(key, 'two');
        assert.equal(await catalog.getSetting(key), 'two');
      });
    });

    describe('transactions', () => {
      it('apply their writes together and return what fn returns', async () => {
        const out = await catalog.transaction(async () => {
          await catalog.putResource(res(`${sub}/tx/one`));
          await catalog.setSetting(`tx-${sub}`, 'set');
          return 42;
        });
        assert.equal(out, 42);
        assert.ok(await catalog.getResource(`${sub}/tx/one`));
        assert.equal(await catalog.getSetting(`tx-${sub}`), 'set');
      });

      it('roll back their own writes only; a concurrent write outside waits and survives', async () => {
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        const tx = catalog
          .transaction(async () => {
            await catalog.putResource(res(`${sub}/tx/inside`));
            await catalog.putOperation({ id: `op-tx-${sub}`, resourceId: sub, status: 'Inprogress', startTime: '2026-11-24T00:00:00.000Z', endTime: null });
            await gate;
            throw new Error('abort');
          })
          .catch((e: Error) => e.message);
        const outside = catalog.putResource(res(`${sub}/tx/outside`));
        release();
        assert.equal(await tx, 'abort');
        await outside;
        assert.equal(await catalog.getResource(`${sub}/tx/inside`), undefined);
        assert.equal(await catalog.getOperation(`op-tx-${sub}`), undefined);
        assert.ok(await catalog.getResource(`${sub}/tx/outside`));
      });

      it('lose no update when callers on two catalogs read, modify and write at once', async () => {
        const other = await subject.openAnother();
        try {
          const key = `counter-${randomUUID()}`;
          await catalog.setSetting(key, '0');
          const increment = (c: Catalog) =>
            c.transaction(async () => {
              const n = Number(await c.getSetting(key));
              await new Promise((r) => setTimeout(r, 1)); // the other callers run meanwhile
              await c.setSetting(key, String(n + 1));
            });
          await Promise.all(Array.from({ length: 10 }, (_, i) => increment(i % 2 ? other : catalog)));
          assert.equal(await catalog.getSetting(key), '10');
          assert.equal(await other.getSetting(key), '10');
        } finally {
          await other.close();
        }
      });

      it('nest: an inner transaction joins the outer one and rolls back with it', async () => {
        await catalog
          .transaction(async () => {
            await catalog.transaction(() => catalog.putResource(res(`${sub}/tx/nested`)));
            throw new Error('abort');
          })
          .catch(() => undefined);
        assert.equal(await catalog.getResource(`${sub}/tx/nested`), undefined);
      });
    });

    describe('leases', () => {
      const t = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s)).toISOString();
      const lease = () => `lease-${randomUUID()}`;

      it('go to one of two holders taking them at once, also from another connection', async () => {
        const other = await subject.openAnother();
        try {
          for (let round = 0; round < 5; round++) {
            const name = lease();
            const won = await Promise.all([catalog.acquireLease(name, 'a', t(0), t(60)), other.acquireLease(name, 'b', t(0), t(60))]);
            assert.equal(won.filter(Boolean).length, 1, `round ${round}: ${String(won)}`);
            assert.equal((await catalog.getLease(name))?.holder, won[0] ? 'a' : 'b');
          }
        } finally {
          await other.close();
        }
      });

      it('are taken over once expired, and not before; the holder extends its own', async () => {
        const name = lease();
        assert.equal(await catalog.acquireLease(name, 'a', t(0), t(60)), true);
        assert.equal(await catalog.acquireLease(name, 'b', t(59), t(120)), false, 'held until 60');
        assert.equal(await catalog.acquireLease(name, 'a', t(59), t(90)), true, 'the holder takes it again');
        assert.equal(await catalog.acquireLease(name, 'b', t(61), t(120)), false, 'extended to 90');
        assert.equal(await catalog.acquireLease(name, 'b', t(91), t(150)), true, 'expired: taken over');
        assert.deepEqual(await catalog.getLease(name), { holder: 'b', leaseUntil: t(150) });
      });

      it('are renewed and released by their holder only', async () => {
        const name = lease();
        assert.equal(await catalog.renewLease(name, 'a', t(60)), false, 'nobody holds it');
        await catalog.acquireLease(name, 'a', t(0), t(60));
        assert.equal(await catalog.renewLease(name, 'b', t(120)), false);
        await catalog.releaseLease(name, 'b');
        assert.deepEqual(await catalog.getLease(name), { holder: 'a', leaseUntil: t(60) });
        assert.equal(await catalog.renewLease(name, 'a', t(120)), true);
        assert.equal((await catalog.getLease(name))?.leaseUntil, t(120));
        await catalog.releaseLease(name, 'a');
        assert.equal(await catalog.getLease(name), undefined);
        assert.equal(await catalog.acquireLease(name, 'b', t(1), t(60)), true, 'released: free at once');
        assert.equal(await catalog.renewLease(name, 'a', t(200)), false, 'a lost it');
      });
    });
  });
}
