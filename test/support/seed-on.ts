// The seed test (test/e2e/seed-protect-restore.test.ts) on one object store backend, for
// `DPVAULT_TEST_STORAGE=all`: each test/e2e/seed-on-*.test.ts runs that same file, unchanged, in
// its own test process with the variable set to its backend. Otherwise it is skipped, saying why:
// the variable then selects one storage for every test.
import { test } from 'node:test';

export async function seedOn(kind: 's3' | 'azblob'): Promise<void> {
  if (process.env.DPVAULT_TEST_STORAGE !== 'all') {
    test(`the seed on ${kind}`, { skip: `runs with DPVAULT_TEST_STORAGE=all (or =${kind}, which runs every test's services on ${kind})` }, () => undefined);
    return;
  }
  process.env.DPVAULT_TEST_STORAGE = kind;
  await import('../e2e/seed-protect-restore.test.ts');
}
