// Debian's Chromium driven by playwright-core, for the Backup center's tests: headless with the
// flags this machine needs (no sandbox as root, no GPU, no QUIC, nothing reaching the network on
// its own) and a fresh profile directory per browser. Without /usr/bin/chromium a test fails
// (CI installs it), unless DPVAULT_SKIP_BROWSER=1 says to skip, which `browserSkip` reports.
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { scratchDir } from './scratch.ts';

export const CHROMIUM = process.env.DPVAULT_CHROMIUM ?? '/usr/bin/chromium';

/** Beside these, `headless: true` makes playwright pass --headless. */
const FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Why the browser tests are skipped (a string for node:test's `skip`), or false when they run. */
export function browserSkip(): string | false {
  if (existsSync(CHROMIUM)) return false;
  if (process.env.DPVAULT_SKIP_BROWSER === '1') return `DPVAULT_SKIP_BROWSER=1 and no Chromium at ${CHROMIUM} (apt-get install chromium)`;
  return false; // the test runs and fails at launch, naming what is missing
}

/** A headless Chromium with a fresh profile; close the context to end it. */
export async function launchBrowser(viewport: { width: number; height: number }): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: apt-get install chromium (or DPVAULT_SKIP_BROWSER=1 to skip the browser tests).`);
  return chromium.launchPersistentContext(scratchDir('dpvault-chromium-'), {
    executablePath: CHROMIUM, headless: true, args: FLAGS, viewport,
  });
}

/** Where screenshots go: test-artifacts/<name>/ at the repository's root (gitignored). */
export function artifactDir(name: string): string {
  const dir = resolve(import.meta.dirname, '../../test-artifacts', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}
