// The per-table checksum `catalog migrate` compares: it sees a changed value, a changed sequence
// number, a missing row and rows in another order, and reads PostgreSQL's bigint strings as the
// numbers SQLite gives.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { digestDifference, tableDigest } from '../../src/catalog/catalog-digest.ts';

const rows = [
  { key: 'a', value: '1' },
  { key: 'b', value: '2' },
];

describe('the catalog digest', () => {
  it('agrees on equal rows and tells each difference', () => {
    const source = tableDigest('settings', rows);
    assert.equal(digestDifference(source, tableDigest('settings', rows.map((r) => ({ ...r })))), undefined);
    assert.match(digestDifference(source, tableDigest('settings', [rows[0]!, { key: 'b', value: '3' }]))!, /checksum/);
    assert.match(digestDifference(source, tableDigest('settings', [rows[0]!]))!, /1 row\(s\) copied of 2/);
    assert.match(digestDifference(source, tableDigest('settings', [rows[1]!, rows[0]!]))!, /checksum/);
  });

  it('reads sequence numbers as numbers, and sees one changed', () => {
    const entry = { event_timestamp: 't', scope_key: 's', caller_key: 'c', caller_name_key: 'n', body: '{}' };
    const sqlite = tableDigest('audit_log', [{ seq: 7, ...entry }]);
    assert.equal(digestDifference(sqlite, tableDigest('audit_log', [{ seq: '7', ...entry }])), undefined);
    assert.match(digestDifference(sqlite, tableDigest('audit_log', [{ seq: '8', ...entry }]))!, /checksum/);
  });
});
