// The items of an item-level restore: SCHEMA.TABLE read as PostgreSQL reads a qualified name,
// and Azure's ItemPathBasedRestoreCriteria read into tables and their new names, every bad one
// reported at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTableName, parseTableName, sqlTableName } from '../../src/domain/item-path.ts';
import { describeItem, readRestoreItems } from '../../src/domain/restore-items.ts';

test('SCHEMA.TABLE: unquoted parts fold to lower case, quoted ones are kept, "" is a quote', () => {
  assert.deepEqual(parseTableName('App.Orders'), { schema: 'app', table: 'orders' });
  assert.deepEqual(parseTableName('"Sales Ops"."Quota ""Targets"""'), { schema: 'Sales Ops', table: 'Quota "Targets"' });
  assert.deepEqual(parseTableName(' public.t$1 '), { schema: 'public', table: 't$1' });
  assert.equal(formatTableName({ schema: 'Sales Ops', table: 'orders' }), '"Sales Ops".orders');
  assert.equal(sqlTableName({ schema: 'a"b', table: 'c' }), '"a""b"."c"');
  for (const t of [{ schema: 'app', table: 'orders' }, { schema: 'Sales Ops', table: 'Quota "T"' }]) assert.deepEqual(parseTableName(formatTableName(t)), t);
});

test('SCHEMA.TABLE: a missing schema, stray text, an open quote or a name over 63 bytes is refused, saying why', () => {
  assert.match(parseTableName('orders') as string, /the schema is missing \(write public\.orders/);
  assert.match(parseTableName('app.orders.x') as string, /unexpected '\.x'/);
  assert.match(parseTableName('app."orders') as string, /unterminated quoted name/);
  assert.match(parseTableName('app.""') as string, /empty quoted name/);
  assert.match(parseTableName('1app.t') as string, /where a name should start/);
  assert.match(parseTableName(`app.${'x'.repeat(64)}`) as string, /longer than PostgreSQL's 63 bytes/);
});

const criterion = (itemPath: unknown, extra: Record<string, unknown> = {}) => ({ objectType: 'ItemPathBasedRestoreCriteria', itemPath, isPathRelativeToBackupItem: true, ...extra });

test('criteria: each table with its new name (renameTo) or its own', () => {
  const items = readRestoreItems([criterion('app.orders', { renameTo: 'app.orders_old' }), { object_type: 'itempathbasedrestorecriteria', item_path: 'public.audit' }]);
  assert.deepEqual(items.map(describeItem), ['app.orders as app.orders_old', 'public.audit']);
});

test('criteria: every problem is listed in one 400', () => {
  assert.throws(
    () => readRestoreItems([
      criterion('orders'), criterion('app.x', { renameTo: 'bad' }), { objectType: 'RangeBasedItemLevelRestoreCriteria' },
      criterion('app.y', { isPathRelativeToBackupItem: false }), criterion('app.z', { subItemPathPrefix: ['a'] }), criterion(7),
    ]),
    (e: { code?: string; message?: string; target?: string }) => {
      assert.equal(e.code, 'UserErrorInvalidRequestParameter');
      assert.equal(e.target, 'restoreTargetInfo.restoreCriteria');
      for (const re of [/\[0\]: 'orders' is not SCHEMA\.TABLE/, /\[1\]\.renameTo: 'bad'/, /\[2\]\.objectType must be ItemPathBasedRestoreCriteria/, /\[3\]\.isPathRelativeToBackupItem must be true/, /\[4\]\.subItemPathPrefix is not supported/, /\[5\]: itemPath is required/]) {
        assert.match(e.message!, re);
      }
      return true;
    },
  );
});

test('criteria: none, a table named twice, or two tables restored under one name are refused', () => {
  assert.throws(() => readRestoreItems([]), /at least one ItemPathBasedRestoreCriteria/);
  assert.throws(() => readRestoreItems(undefined), /at least one/);
  assert.throws(() => readRestoreItems([criterion('app.a'), criterion('APP.A', { renameTo: 'app.b' })]), /app\.a is listed twice/);
  assert.throws(() => readRestoreItems([criterion('app.a', { renameTo: 'app.c' }), criterion('app.b', { renameTo: 'app.c' })]), /app\.a and app\.b would both be restored as app\.c/);
});
