// The archive head reader/writer and the key-order plan, on a synthetic archive of format 1.14:
// the head reads back whatever way its bytes arrive, entries we add are placed where the data
// section starts, and a table pg_dump did not define, or dumped the data of, is left to pg_dump.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ArchiveHeadReader, SECTION, archiveInt, writeArchiveHead, type ArchiveHead, type TocEntry } from '../../../src/sources/postgres/archive-toc.ts';
import { arrangeHead, copySessionSql, copyStatements, copyToStatement, type KeyOrderedTable } from '../../../src/sources/postgres/key-order.ts';

function str(s: string): Buffer {
  return Buffer.concat([archiveInt(Buffer.byteLength(s), 4), Buffer.from(s)]);
}

/** A 1.14 header: signature, version, int and offset sizes, custom format, level, time, names. */
function header(): Buffer {
  return Buffer.concat([
    Buffer.from('PGDMP'), Buffer.from([1, 14, 0, 4, 8, 1]), archiveInt(0, 4),
    ...[1, 2, 3, 4, 5, 126, 0].map((v) => archiveInt(v, 4)), str('shop'), str('15.1'), str('15.1'),
  ]);
}

function entry(dumpId: number, desc: string, tag: string, section: number, deps: number[] = []): TocEntry {
  return {
    dumpId, hadDumper: desc === 'TABLE DATA', tableoid: '1259', oid: String(16000 + dumpId), tag, desc, section,
    defn: desc === 'TABLE DATA' ? null : `CREATE ${tag};`, dropStmt: null, copyStmt: null, namespace: 'public',
    tablespace: '', tableam: 'heap', relkind: 0, owner: 'app', deps,
  };
}

const HEAD: ArchiveHead = {
  header: { version: [1, 14, 0], intSize: 4, offSize: 8, raw: header() },
  entries: [
    entry(1, 'TABLE', 'orders', SECTION.preData),
    entry(2, 'TABLE', 'logs', SECTION.preData),
    entry(3, 'TABLE DATA', 'logs', SECTION.data, [2]),
    entry(4, 'CONSTRAINT', 'orders orders_pkey', SECTION.postData, [1]),
  ],
};

const table = (name: string): KeyOrderedTable => ({ schema: 'public', name, columns: ['id', 'note'], key: ['id'] });

test('the head reads back byte-exact whatever the chunking, and the data after it is returned', () => {
  const bytes = Buffer.concat([writeArchiveHead(HEAD), Buffer.from([1, 0, 3, 0, 0, 0])]);
  for (const size of [1, 5, 64, bytes.length]) {
    const r = new ArchiveHeadReader();
    let got: ReturnType<ArchiveHeadReader['end']> | null = null;
    for (let i = 0; i < bytes.length && !got; i += size) got = r.push(bytes.subarray(i, i + size));
    got ??= r.end();
    assert.deepEqual(got.head.entries.map((e) => [e.dumpId, e.desc, e.tag, e.deps]), HEAD.entries.map((e) => [e.dumpId, e.desc, e.tag, e.deps]));
    assert.deepEqual(writeArchiveHead(got.head), writeArchiveHead(HEAD));
  }
  const cut = new ArchiveHeadReader();
  assert.equal(cut.push(writeArchiveHead(HEAD).subarray(0, 80)), null);
  assert.throws(() => cut.end(), /ended inside its table of contents/);
  assert.throws(() => new ArchiveHeadReader().push(Buffer.from('not an archive at all')), /no PGDMP signature/);
});

test('key-ordered TABLE DATA entries go where the data section starts; others are left to pg_dump', () => {
  const { head, blocks } = arrangeHead(HEAD, [table('orders'), table('logs'), table('missing')]);
  assert.deepEqual(blocks.map((b) => [b.dumpId, b.table.name]), [[5, 'orders']]);
  assert.deepEqual(head.entries.map((e) => [e.dumpId, e.desc]), [[1, 'TABLE'], [2, 'TABLE'], [5, 'TABLE DATA'], [3, 'TABLE DATA'], [4, 'CONSTRAINT']]);
  const added = head.entries[2]!;
  assert.deepEqual([added.oid, added.owner, added.deps, added.section, added.hadDumper], ['16001', 'app', [1], SECTION.data, true]);
  assert.equal(added.copyStmt, 'COPY "public"."orders" ("id", "note") FROM stdin;\n');
});

test('identifiers and literals are quoted everywhere; one COPY per table, in order', () => {
  const odd: KeyOrderedTable = { schema: 'we"ird', name: 't.*', columns: ['a b', 'K'], key: ['K', 'a b'] };
  assert.equal(copyToStatement(odd), 'COPY (SELECT "a b", "K" FROM ONLY "we""ird"."t.*" ORDER BY "K", "a b") TO STDOUT');
  const session = copySessionSql("snap'1", "EUC'JP");
  assert.match(session, /SET TRANSACTION SNAPSHOT 'snap''1'$/);
  assert.match(session, /SET client_encoding TO 'EUC''JP';\nBEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;/);
  assert.deepEqual(copyStatements([odd, table('orders')]).split(';\n'), [copyToStatement(odd), copyToStatement(table('orders'))]);
});
