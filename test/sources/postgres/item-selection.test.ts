// Which TOC entries an item-level restore loads, on the TOC pg_dump writes for customers (serial
// key, unique name), orders (identity key, foreign key to customers, index, comment, grant) and
// lines (foreign key to orders): the table's own entries, what hangs on them, what they need
// without other tables' rows; never another table's foreign key to it; a foreign key to a table
// not restored made NOT VALID for the staging database. And the names of a renamed table's
// indexes, constraints and sequences.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SECTION, type ArchiveHead, type TocEntry } from '../../../src/sources/postgres/archive-toc.ts';
import { selectItems, tablesOf, withExternalKeysNotValid } from '../../../src/sources/postgres/item-selection.ts';
import { dependentName } from '../../../src/sources/postgres/item-names.ts';

const S = SECTION;
function entry(dumpId: number, desc: string, namespace: string | null, tag: string, section: number, deps: number[], defn = ''): TocEntry {
  return {
    dumpId, hadDumper: desc === 'TABLE DATA', tableoid: '0', oid: '0', tag, desc, section, defn, dropStmt: '', copyStmt: null,
    namespace, tablespace: null, tableam: null, relkind: 0, owner: 'postgres', deps,
  };
}
// As pg_dump 15 wrote it for the schema of test/e2e/item-restore.test.ts (dump ids kept).
const TOC: TocEntry[] = [
  entry(6, 'SCHEMA', null, 'app', S.preData, []),
  entry(843, 'TYPE', 'app', 'mood', S.preData, [6]),
  entry(216, 'TABLE', 'app', 'customers', S.preData, [6]),
  entry(215, 'SEQUENCE', 'app', 'customers_id_seq', S.preData, [6, 216]),
  entry(3380, 'SEQUENCE OWNED BY', 'app', 'customers_id_seq', S.preData, [215]),
  entry(3381, 'ACL', 'app', 'SEQUENCE customers_id_seq', S.none, [215]),
  entry(220, 'TABLE', 'app', 'lines', S.preData, [6]),
  entry(219, 'SEQUENCE', 'app', 'lines_id_seq', S.preData, [220, 6]),
  entry(3382, 'SEQUENCE OWNED BY', 'app', 'lines_id_seq', S.preData, [219]),
  entry(218, 'TABLE', 'app', 'orders', S.preData, [843, 6]),
  entry(3383, 'COMMENT', 'app', 'TABLE orders', S.none, [218]),
  entry(3384, 'COMMENT', 'app', 'COLUMN orders.amount', S.none, [218]),
  entry(3385, 'ACL', 'app', 'TABLE orders', S.none, [218]),
  entry(217, 'SEQUENCE', 'app', 'orders_id_seq', S.preData, [218, 6]),
  entry(3211, 'DEFAULT', 'app', 'customers id', S.preData, [215, 216, 216]),
  entry(3213, 'DEFAULT', 'app', 'lines id', S.preData, [219, 220, 220]),
  entry(3369, 'TABLE DATA', 'app', 'customers', S.data, [216]),
  entry(3373, 'TABLE DATA', 'app', 'lines', S.data, [220]),
  entry(3371, 'TABLE DATA', 'app', 'orders', S.data, [218]),
  entry(3386, 'SEQUENCE SET', 'app', 'customers_id_seq', S.data, [215]),
  entry(3387, 'SEQUENCE SET', 'app', 'lines_id_seq', S.data, [219]),
  entry(3388, 'SEQUENCE SET', 'app', 'orders_id_seq', S.data, [217]),
  entry(3216, 'CONSTRAINT', 'app', 'customers customers_name_key', S.postData, [216]),
  entry(3218, 'CONSTRAINT', 'app', 'customers customers_pkey', S.postData, [216]),
  entry(3223, 'CONSTRAINT', 'app', 'lines lines_pkey', S.postData, [220]),
  entry(3221, 'CONSTRAINT', 'app', 'orders orders_pkey', S.postData, [218]),
  entry(3219, 'INDEX', 'app', 'orders_amount_idx', S.postData, [218]),
  entry(3225, 'FK CONSTRAINT', 'app', 'lines lines_order_id_fkey', S.postData, [3221, 218, 220],
    'ALTER TABLE ONLY app.lines\n    ADD CONSTRAINT lines_order_id_fkey FOREIGN KEY (order_id) REFERENCES app.orders(id);\n'),
  entry(3224, 'FK CONSTRAINT', 'app', 'orders orders_customer_id_fkey', S.postData, [3218, 218, 216],
    'ALTER TABLE ONLY app.orders\n    ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES app.customers(id);\n'),
];
const ids = (...n: number[]) => [...n].sort((a, b) => TOC.findIndex((e) => e.dumpId === a) - TOC.findIndex((e) => e.dumpId === b));

test('orders alone: its own entries, its grant, comments and identity sequence with its value; customers structure and key for the foreign key, without rows', () => {
  const s = selectItems(TOC, [{ schema: 'app', table: 'orders' }]);
  assert.deepEqual(s.missing, []);
  assert.deepEqual(s.ids, ids(6, 843, 216, 218, 3383, 3384, 3385, 217, 3371, 3388, 3218, 3221, 3219, 3224));
  assert.deepEqual(s.externalForeignKeys, [{ dumpId: 3224, table: { schema: 'app', table: 'orders' }, name: 'orders_customer_id_fkey', wasValid: true }]);
});

test('customers and orders together: the key between them is theirs, not external; lines\' key to orders is never taken', () => {
  const s = selectItems(TOC, [{ schema: 'app', table: 'orders' }, { schema: 'app', table: 'customers' }]);
  assert.deepEqual(s.externalForeignKeys, []);
  assert.ok(s.ids.includes(3224) && s.ids.includes(3369) && s.ids.includes(3211) && s.ids.includes(3380) && s.ids.includes(3381) && s.ids.includes(3386));
  assert.ok(!s.ids.includes(3225) && !s.ids.includes(220) && !s.ids.includes(3373));
});

test('tables the TOC lacks are named; the TOC\'s tables are listed', () => {
  assert.deepEqual(selectItems(TOC, [{ schema: 'app', table: 'nope' }, { schema: 'public', table: 'orders' }]).missing, [
    { schema: 'app', table: 'nope' }, { schema: 'public', table: 'orders' },
  ]);
  assert.deepEqual(tablesOf(TOC).map((t) => t.table), ['customers', 'lines', 'orders']);
});

test('a partitioned table is named as such (its rows live in its partitions)', () => {
  const toc = [...TOC, entry(900, 'TABLE', 'app', 'events', S.preData, [6]), entry(901, 'TABLE', 'app', 'events_2026', S.preData, [6]),
    entry(902, 'TABLE ATTACH', 'app', 'events_2026', S.preData, [900, 901])];
  const s = selectItems(toc, [{ schema: 'app', table: 'events' }, { schema: 'app', table: 'events_2026' }, { schema: 'app', table: 'orders' }]);
  assert.deepEqual(s.partitioned, [{ schema: 'app', table: 'events' }]);
});

test('an external foreign key is made NOT VALID for the staging database (once), nothing else is touched', () => {
  const head: ArchiveHead = { header: { version: [1, 15, 0], intSize: 4, offSize: 8, raw: Buffer.alloc(0) }, entries: TOC };
  const s = selectItems(TOC, [{ schema: 'app', table: 'lines' }]);
  const out = withExternalKeysNotValid(head, s.externalForeignKeys);
  assert.match(out.entries.find((e) => e.dumpId === 3225)!.defn!, /REFERENCES app\.orders\(id\) NOT VALID;\n$/);
  assert.equal(out.entries.find((e) => e.dumpId === 3224), TOC.find((e) => e.dumpId === 3224));
  const already = { ...s.externalForeignKeys[0]!, wasValid: false };
  assert.equal(withExternalKeysNotValid(head, [already]).entries.find((e) => e.dumpId === 3225), TOC.find((e) => e.dumpId === 3225));
});

test('dependent names: the old table name replaced or prefixed, cut to 63 bytes, numbered when taken', () => {
  const taken = new Set(['orders_old_pkey']);
  assert.equal(dependentName('orders_pkey', 'orders', 'orders_old', taken), 'orders_old_pkey_2');
  assert.equal(dependentName('orders_amount_idx', 'orders', 'orders_old', taken), 'orders_old_amount_idx');
  assert.equal(dependentName('by_amount', 'orders', 'orders_old', taken), 'orders_old_by_amount');
  const long = dependentName('orders_pkey', 'orders', 'é'.repeat(40), new Set());
  assert.ok(Buffer.byteLength(long) <= 63);
  assert.equal(long, 'é'.repeat(31));
});
