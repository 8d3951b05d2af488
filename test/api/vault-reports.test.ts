// The Backup center's read-only reports over the API: a stored policy's simulation with its
// month-by-month calendar (GET {policy}/simulate), refusals of bad spans as 400 CloudErrors, and a
// vault's storage use (GET {vault}/storageUsage). In-process, as the Owner, on real catalog state.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { API, createResources, subscriptionOf } from '../support/api-resources.ts';
import { startTestService, type TestService } from '../support/service.ts';

const N = { rg: 'reports', vault: 'rvault', policy: 'rpol', kv: 'reportskv', secret: 'rsecret', server: 'rpg' };
let svc: TestService;
let vault: string;

before(async () => {
  svc = await startTestService();
  const sub = await subscriptionOf(svc);
  await createResources(svc, sub, N);
  vault = `/subscriptions/${sub}/resourceGroups/${N.rg}/providers/Microsoft.DataProtection/backupVaults/${N.vault}`;
});
after(() => svc?.close());

const get = (path: string) => svc.app.request('GET', `${path}${path.includes('?') ? '&' : '?'}api-version=${API.dataprotection}`);

test('simulates a stored policy over a year, month by month in its time zone', async () => {
  const res = await get(`${vault}/backupPolicies/${N.policy}/simulate?start=2026-01-01T00:00:00Z&end=2027-01-01T00:00:00Z`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.months.length, 12);
  assert.deepEqual(res.body.months.map((m: { month: string }) => m.month).slice(0, 2), ['2026-01', '2026-02']);
  // The default policy backs up weekly and keeps 3 months in the vault.
  const backups = res.body.months.reduce((n: number, m: { backups: unknown[] }) => n + m.backups.length, 0);
  assert.equal(backups, res.body.recoveryPoints.length);
  assert.ok(backups >= 52 && backups <= 53, String(backups));
  const jan = res.body.months[0];
  assert.ok(jan.backups.every((b: { day: number; tag: string }) => b.day >= 1 && b.day <= 31 && b.tag === 'Default'));
  assert.ok(res.body.months[11].VaultStore >= 12 && res.body.months[11].VaultStore <= 14, 'about three months of weekly points alive');
});

test('refuses a bad span with a 400 naming the parameter, and an unknown policy with a 404', async () => {
  const base = `${vault}/backupPolicies/${N.policy}/simulate`;
  for (const [query, target] of [
    ['start=yesterday', 'start'],
    ['start=2026-01-01T00:00:00Z&end=2025-01-01T00:00:00Z', 'end'],
    ['start=2026-01-01T00:00:00Z&end=2056-01-01T00:00:00Z', 'end'],
    ['end=2026-13-45', 'end'],
  ] as const) {
    const res = await get(`${base}?${query}`);
    assert.equal(res.status, 400, query);
    assert.equal(res.body.error.code, 'InvalidParameter', query);
    assert.equal(res.body.error.target, target, query);
  }
  const missing = await get(`${vault}/backupPolicies/nope/simulate`);
  assert.equal(missing.status, 404);
});

test("answers a vault's storage use: nothing stored yet, one sample now", async () => {
  const res = await get(`${vault}/storageUsage`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(res.body.datastores, []);
  assert.equal(res.body.history.length, 1);
  assert.equal(res.body.history[0].storedBytes, 0);
  assert.equal(res.body.history[0].logicalBytes, 0);
  assert.equal((await get(`${vault.replace(N.vault, 'none')}/storageUsage`)).status, 404);
});
