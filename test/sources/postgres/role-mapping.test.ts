// Fitting a dump's owners and grants to the target's roles, and the staging database's name: pure
// functions, checked on TOC entries as pg_dump writes them (quoted identifiers, one grantee per
// statement, grants by another grantor inside SET/RESET SESSION AUTHORIZATION).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ArchiveHead, TocEntry } from '../../../src/sources/postgres/archive-toc.ts';
import { fitArchiveToRoles } from '../../../src/sources/postgres/role-mapping.ts';
import { stagingDatabaseName } from '../../../src/jobs/restore-staging.ts';

const entry = (e: Partial<TocEntry>): TocEntry => ({
  dumpId: 1, hadDumper: false, tableoid: '0', oid: '0', tag: 't', desc: 'TABLE', section: 2, defn: null, dropStmt: null, copyStmt: null,
  namespace: 'public', tablespace: null, tableam: null, relkind: 0, owner: null, deps: [], raw: Buffer.from('raw'), ...e,
});
const head = (entries: TocEntry[]): ArchiveHead => ({ header: { version: [1, 14, 0], intSize: 4, offSize: 8, raw: Buffer.alloc(0) }, entries });
const acl = [
  'REVOKE ALL ON TABLE "public"."t" FROM "owner";',
  'GRANT SELECT ON TABLE "public"."t" TO "reader";',
  'GRANT SELECT("email") ON TABLE "public"."t" TO "gone";',
  'SET SESSION AUTHORIZATION "gone";',
  'GRANT SELECT ON TABLE "public"."t" TO "reader";',
  'RESET SESSION AUTHORIZATION;',
  'GRANT SELECT ON TABLE "public"."t" TO PUBLIC;',
  '',
].join('\n');
const table = entry({ dumpId: 1, owner: 'owner', dropStmt: 'DROP TABLE "public"."t";\n' });
const lost = entry({ dumpId: 2, tag: 'u', owner: 'gone', dropStmt: 'DROP TABLE "public"."u";\n' });
const grants = entry({ dumpId: 3, desc: 'ACL', owner: 'owner', defn: acl });
const defaults = entry({ dumpId: 4, desc: 'DEFAULT ACL', owner: 'owner', defn: 'ALTER DEFAULT PRIVILEGES FOR ROLE "stranger" GRANT SELECT ON TABLES TO "reader";\n' });

test('owners and grants of roles the target lacks are dropped, the rest kept, and the report says so', () => {
  const roles = { user: 'restorer', existing: new Set(['owner', 'reader', 'stranger', 'restorer']), assignable: new Set(['owner', 'reader', 'restorer']) };
  const { head: fitted, report } = fitArchiveToRoles(head([table, lost, grants, defaults]), roles, true);
  assert.equal(fitted.entries[0], table, 'an entry left as it was keeps its raw bytes');
  assert.equal(fitted.entries[1]!.owner, '');
  assert.equal(fitted.entries[1]!.raw, undefined);
  assert.equal(
    fitted.entries[2]!.defn,
    ['REVOKE ALL ON TABLE "public"."t" FROM "owner";', 'GRANT SELECT ON TABLE "public"."t" TO "reader";', 'GRANT SELECT ON TABLE "public"."t" TO PUBLIC;', ''].join('\n'),
  );
  assert.equal(fitted.entries[3]!.defn, '');
  assert.deepEqual(report, { missingRoles: ['gone'], unassignableRoles: ['stranger'], ownersReplaced: 1, grantsSkipped: 3 });
});

test('with owners not kept, no owner is touched but grants are still fitted', () => {
  const roles = { user: 'restorer', existing: new Set(['reader']), assignable: new Set<string>() };
  const { head: fitted, report } = fitArchiveToRoles(head([table, grants]), roles, false);
  assert.equal(fitted.entries[0], table);
  assert.deepEqual(report.missingRoles, ['gone', 'owner']);
  assert.equal(report.ownersReplaced, 0);
});

test('the staging name fits in 63 bytes without splitting a character, and is the same for the same job', () => {
  const job = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.DataProtection/backupVaults/v/backupJobs/0a1b2c3d-4e5f-6789-abcd-ef0123456789';
  assert.equal(stagingDatabaseName('shop', job), 'shop_dpvault_0a1b2c3d4e5f');
  const long = 'é'.repeat(40);
  const name = stagingDatabaseName(long, job);
  assert.ok(Buffer.byteLength(name) <= 63);
  assert.match(name, /^é+_dpvault_0a1b2c3d4e5f$/);
  assert.equal(stagingDatabaseName(long, job), name);
});
