// The Backup center in a real browser (Debian's Chromium, headless, driven by playwright-core)
// against a real server and a real PostgreSQL: sign in as the Owner, see the backup that failed on
// a wrong password at the top of the jobs even though a completed one is newer, start a backup
// from the page and watch it finish, restore a recovery point into a new database from the page
// (and find it there), and look at storage and the retention calendar, on a desktop and a phone
// screen. Screenshots go to test-artifacts/portal/. The page must load with no console error (a
// Content-Security-Policy violation is one) and keep the token out of its address.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { startCluster, type PgCluster } from '../support/pg-cluster.ts';
import { shopSql } from '../support/pg-fixtures.ts';
import { startTestService, type TestService } from '../support/service.ts';
import { shellSession } from '../support/shell.ts';
import { scratchDir } from '../support/scratch.ts';
import { createProtectionResources, protectDatabase } from '../support/protection-resources.ts';
import { artifactDir, browserSkip, launchBrowser } from '../support/browser.ts';

const PASSWORD = 'P0rtal-s3cret-pw';
const WRONG = 'not-the-portal-pw';
const skip = browserSkip();
let svc: TestService;
let pgc: PgCluster;
let cwd: string;
let browser: BrowserContext;
let page: Page;
const shots = artifactDir('portal');
const consoleErrors: string[] = [];
const session = shellSession(() => ({ cwd, endpoint: svc.url }));
const { ok, waitJob } = session;
const ado = (password: string) => `Server=127.0.0.1;Database=appdb;Port=${pgc.port};User Id=backupuser;Password=${password};Ssl Mode=Disable;`;

const rows = (status: string) => page.locator(`tr.job[data-status="${status}"]`);
/** Polls until `locator` matches `n` elements (the page polls its jobs every 2 s). */
async function waitForCount(locator: Locator, n: number, timeoutMs = 120_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while ((await locator.count()) !== n) {
    if (performance.now() > until) assert.fail(`expected ${n} of ${locator.toString()}, found ${await locator.count()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function setSecret(password: string): Promise<void> {
  await ok(`dpvault keyvault secret set --vault-name kvportal -n pg --value '${ado(password)}' -o none`);
}

before(async () => {
  if (skip) return;
  pgc = await startCluster();
  await pgc.createDatabase('appdb', shopSql(50));
  await pgc.createRole('backupuser', PASSWORD, { login: true, superuser: true });
  svc = await startTestService();
  cwd = scratchDir('dpvault-portal-');
  const { sub, policyId } = await createProtectionResources(ok, pgc.port, 'kvportal');
  await setSecret(PASSWORD);
  const principal = (await ok('dpvault backup-vault show -g rg -v vault')).identity.principalId as string;
  await ok(`dpvault keyvault set-policy -n kvportal --object-id ${principal} --secret-permissions get list -o none`);
  await protectDatabase(session, cwd, { sub, policyId, keyVault: 'kvportal', name: 'app', db: 'appdb' });
  // A backup that fails on a wrong password, then (password fixed) a newer one that completes.
  await setSecret(WRONG);
  assert.equal((await waitJob((await ok('dpvault backup-instance adhoc-backup -n app -g rg -v vault --rule-name BackupWeekly')).jobId)).properties.status, 'Failed');
  await setSecret(PASSWORD);
  assert.equal((await waitJob((await ok('dpvault backup-instance adhoc-backup -n app -g rg -v vault --rule-name BackupWeekly')).jobId)).properties.status, 'Completed');
  browser = await launchBrowser({ width: 1280, height: 860 });
  page = await browser.newPage();
  page.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(`${m.text()} at ${m.location().url}`)));
  page.on('pageerror', (e) => void consoleErrors.push(e.message));
});
after(async () => {
  await browser?.close();
  await svc?.close();
  await pgc?.stop();
});

describe('the Backup center in Chromium', { skip }, () => {
  it('signs in with a client id and secret, keeping the token in sessionStorage only', async () => {
    await page.goto(`${svc.url}/portal`);
    await page.getByLabel('Application (client) id').fill(svc.owner.appId);
    await page.getByLabel('Client secret').fill('wrong-secret');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /secret|credential|invalid/i, 'a wrong secret is refused with the service\'s reason');
    await page.getByLabel('Client secret').fill(svc.owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Jobs' }).waitFor();
    const stored = await page.evaluate(() => sessionStorage.getItem('dpvault.portal.session') ?? '');
    const token = (JSON.parse(stored) as { token: string }).token;
    assert.ok(token.split('.').length === 3, 'a JWT in sessionStorage');
    assert.ok(!page.url().includes(token) && !page.url().includes(svc.owner.password));
    assert.equal(await page.evaluate(() => localStorage.length), 0, 'nothing kept beyond the tab');
  });

  it('shows the backup that failed on a wrong password first, above a newer completed one', async () => {
    await rows('Completed').first().waitFor();
    const first = page.locator('tr.job').first();
    assert.equal(await first.getAttribute('data-status'), 'Failed');
    assert.match(await first.innerText(), /UserErrorDBUserAuthFailed/);
    assert.equal(await rows('Completed').count(), 1);
    assert.ok(!(await page.content()).includes(WRONG) && !(await page.content()).includes(PASSWORD), 'no password on the page');
    await page.screenshot({ path: join(shots, 'jobs-desktop.png'), fullPage: true });
  });

  it('starts a backup from the protected items and follows it to Completed', async () => {
    await page.getByRole('link', { name: 'Protected items' }).click();
    const row = page.locator('tr[data-instance="app"]');
    await row.waitFor();
    assert.match(await row.innerText(), /ProtectionConfigured/);
    assert.match(await row.innerText(), /Completed/, 'the last backup');
    await row.getByRole('button', { name: 'Back up now' }).click();
    await page.getByRole('heading', { name: 'Jobs' }).waitFor();
    await waitForCount(rows('Completed'), 2);
    assert.equal(await page.locator('tr.job').first().getAttribute('data-status'), 'Failed', 'the failure stays on top');
    assert.equal(await rows('InProgress').count(), 0);
  });

  it('shows the recovery points on a timeline and restores one into a new database', async () => {
    await page.getByRole('link', { name: 'Protected items' }).click();
    await page.getByRole('link', { name: 'app', exact: true }).click();
    await page.getByRole('heading', { name: 'Recovery points' }).waitFor();
    assert.equal(await page.locator('.timeline circle.tier-VaultStore').count(), 2);
    await page.screenshot({ path: join(shots, 'instance-desktop.png'), fullPage: true });
    await page.getByRole('link', { name: 'Restore…' }).first().click();
    const form = page.getByRole('form', { name: 'Restore' });
    await form.waitFor();
    assert.equal(await form.getByLabel('New database on the same server').inputValue(), 'appdb_restored');
    await form.getByRole('button', { name: 'Restore' }).click();
    await page.getByRole('heading', { name: 'Jobs' }).waitFor();
    await waitForCount(rows('Completed').filter({ hasText: 'Restore' }), 1);
    const restored = await pgc.query<{ n: string }>('appdb_restored', 'SELECT count(*) AS n FROM customers');
    const source = await pgc.query<{ n: string }>('appdb', 'SELECT count(*) AS n FROM customers');
    assert.equal(restored[0]!.n, source[0]!.n);
  });

  it('draws storage over time and a policy\'s retention calendar month by month', async () => {
    await page.getByRole('link', { name: 'Storage' }).click();
    await page.getByRole('img', { name: 'Storage used over time' }).waitFor();
    assert.match(await page.locator('.panel').first().innerText(), /VaultStore\s+2/);
    await page.getByRole('link', { name: 'Retention calendar' }).click();
    await page.locator('.month').first().waitFor();
    const months = await page.locator('.month').count();
    assert.ok(months >= 12 && months <= 13, `a year month by month: ${months}`);
    assert.ok((await page.locator('.month .day[class*="tag-"]').count()) >= 50, 'a weekly schedule marks about 52 days');
    await page.screenshot({ path: join(shots, 'calendar-desktop.png'), fullPage: true });
  });

  it('fits a phone screen, and the page raised no console error', async () => {
    await page.getByRole('link', { name: 'Jobs' }).click();
    await rows('Failed').first().waitFor();
    await page.screenshot({ path: join(shots, 'jobs-all-desktop.png') });
    await page.setViewportSize({ width: 390, height: 844 });
    await rows('Failed').first().waitFor();
    const width = await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no horizontal scrolling on a phone: ${width}px`);
    await page.screenshot({ path: join(shots, 'jobs-phone.png'), fullPage: true });
    // The refused sign-in of the first test is the one error expected (the token endpoint's answer).
    assert.deepEqual(consoleErrors.filter((e) => !e.endsWith('/adfs/oauth2/token')), []);
  });
});
