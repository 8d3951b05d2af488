// The benchmark report's summary: targets of phases not run this time are carried over from
// their sections, with when and on which dpvault they were measured.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { earlierTargets, sectionText } from '../../bench/lib/report.ts';

const DOC = `# Benchmarks

<!-- bench:weekly:begin -->
## 2. Storage

_Measured 2026-11-24T13:43:22Z, scale 10, dpvault 95a5495._ Each store's size after each week.

| week | dpvault |
| --- | ---: |
| 1 | 244.1 MiB |

| target | measured | result |
| --- | --- | --- |
| 12 weekly backups ≤ 2.1x one \`pg_dump -Fc\` file | 1.90x | **met** |
| ≥ 3x smaller than restic | 4.25x | **met** |

Server peak memory over the series: 199.9 MiB.

| target | measured | result |
| --- | --- | --- |
| ≥ 3x smaller than restic (churn-uniform.sql, informational) | 2.24x | **not met** |
<!-- bench:weekly:end -->

<!-- bench:restore:begin -->
## 3. Restore (no target table)
<!-- bench:restore:end -->
`;

test('the target rows of every table of an earlier section come with its measured line', () => {
  assert.deepEqual(earlierTargets(DOC, 'weekly'), {
    measured: '_Measured 2026-11-24T13:43:22Z, scale 10, dpvault 95a5495._',
    rows: [
      '| 12 weekly backups ≤ 2.1x one `pg_dump -Fc` file | 1.90x | **met** |',
      '| ≥ 3x smaller than restic | 4.25x | **met** |',
      '| ≥ 3x smaller than restic (churn-uniform.sql, informational) | 2.24x | **not met** |',
    ],
  });
});

test('a section without targets, or no section at all, carries nothing', () => {
  assert.equal(earlierTargets(DOC, 'restore'), null);
  assert.equal(earlierTargets(DOC, 'backup'), null);
  assert.equal(sectionText(DOC, 'backup'), null);
});
