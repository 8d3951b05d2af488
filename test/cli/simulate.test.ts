// `dpvault backup-policy simulate`, offline: the engine's answer as JSON, the month-by-month
// calendar with -o table, and clear errors for bad input.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import { seedPolicy } from '../jobs/protected-fixture.ts';
import { scratchDir } from '../support/scratch.ts';

let dir: string;
before(() => {
  dir = scratchDir('dpvault-simulate-');
  writeFileSync(join(dir, 'seed.json'), JSON.stringify(seedPolicy()));
  const pst = seedPolicy(['R/2021-08-15T22:00:00-07:00/P1W']);
  (pst.policyRules as any[])[0].trigger.schedule.timeZone = 'Mars Standard Time';
  writeFileSync(join(dir, 'badzone.json'), JSON.stringify(pst));
  writeFileSync(join(dir, 'badinterval.json'), JSON.stringify(seedPolicy(['R/2021-08-15T22:00:00/P1W'])));
});

async function run(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {}, isTty: false });
  return { code, stdout, stderr };
}
const policy = () => join(dir, 'seed.json');

test('prints the recovery points and the counts at the --at instants', async () => {
  const r = await run('backup-policy', 'simulate', '--policy', policy(), '--start', '2025-01-01', '--end', '2025-03-01',
    '--failed', '2025-02-02T22:00:00Z', '--at', '2025-02-28T23:00:00Z', '2026-01-01T00:00:00Z');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(out).sort(), ['at', 'recoveryPoints']);
  // Sun/Wed/Fri from Wed 1 January to the end of February: 14 + 12 occurrences, one failed.
  assert.equal(out.recoveryPoints.length, 25);
  assert.deepEqual(out.recoveryPoints[0], {
    recoveryPointTime: '2025-01-01T22:00:00.000Z',
    retentionTagName: 'Monthly',
    dataStores: [
      { dataStoreType: 'VaultStore', from: '2025-01-01T22:00:00.000Z', until: '2025-07-01T22:00:00.000Z' },
      { dataStoreType: 'ArchiveStore', from: '2025-07-01T22:00:00.000Z', until: '2027-07-01T22:00:00.000Z' },
    ],
  });
  // The failed Sunday 2 February does not use up February's first slot: Wednesday 5 is Monthly.
  const feb = out.recoveryPoints.filter((p: any) => p.recoveryPointTime.startsWith('2025-02'));
  assert.equal(feb[0].recoveryPointTime, '2025-02-05T22:00:00.000Z');
  assert.equal(feb[0].retentionTagName, 'Monthly');
  assert.ok(feb.slice(1).every((p: any) => p.retentionTagName === 'Default'));
  // On 1 January 2026 the Defaults have expired; January's and February's Monthly are in the archive.
  assert.deepEqual(out.at, [
    { time: '2025-02-28T23:00:00.000Z', VaultStore: 25, ArchiveStore: 0 },
    { time: '2026-01-01T00:00:00.000Z', VaultStore: 0, ArchiveStore: 2 },
  ]);
});

test('-o table prints the month-by-month calendar as text', async () => {
  const r = await run('backup-policy', 'simulate', '--policy', policy(), '--start', '2025-01-01', '--end', '2025-09-01', '-o', 'table');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^Month\s+Backups\s+Monthly\s+Default\s+VaultStore\s+ArchiveStore$/);
  assert.equal(lines.length, 9);
  // July: 13 backups (Wed 2 Monthly); in the vault at its end the 39 points since 1 May and the
  // Monthly of February, March and April (42); January's Monthly moved to the archive on 1 July.
  assert.deepEqual(lines[7]!.split(/\s+/), ['2025-07', '13', '1', '12', '42', '1']);
});

test('bad input gets clear errors', async () => {
  const bad = await run('backup-policy', 'simulate', '--policy', policy(), '--start', 'yesterday', '--end', '2025-03-01');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /argument --start: 'yesterday' is not an ISO 8601 date-time/);
  const reversed = await run('backup-policy', 'simulate', '--policy', policy(), '--start', '2025-03-01', '--end', '2025-01-01');
  assert.match(reversed.stderr, /--end: must be later than --start/);
  const zone = await run('backup-policy', 'simulate', '--policy', join(dir, 'badzone.json'), '--start', '2025-01-01', '--end', '2025-03-01');
  assert.equal(zone.code, 1);
  assert.match(zone.stderr, /Mars Standard Time/);
  const interval = await run('backup-policy', 'simulate', '--policy', join(dir, 'badinterval.json'), '--start', '2025-01-01', '--end', '2025-03-01');
  assert.equal(interval.code, 1);
  assert.match(interval.stderr, /InvalidRepeatingInterval.*no UTC offset/);
});
