// The seed test on Azurite with DPVAULT_TEST_STORAGE=all (test/support/seed-on.ts).
import { seedOn } from '../support/seed-on.ts';

await seedOn('azblob');
