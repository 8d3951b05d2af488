// Where the embedded service keeps backup data under its data directory.
import { join } from 'node:path';

export const dumpRoot = (dataDir: string): string => join(dataDir, 'backup-data');
