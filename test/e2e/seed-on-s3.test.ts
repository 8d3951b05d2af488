// The seed test on s3rver with DPVAULT_TEST_STORAGE=all (test/support/seed-on.ts).
import { seedOn } from '../support/seed-on.ts';

await seedOn('s3');
