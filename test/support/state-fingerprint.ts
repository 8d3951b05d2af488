// What a refused request must not change: every row of every catalog table, and the names and
// sizes of the data directory's other files, hashed into one string.
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';

/** `catalog`: the data directory's catalog.sqlite, opened read-only. */
export function stateFingerprint(catalog: DatabaseSync, dataDir: string): string {
  const hash = createHash('sha256');
  const tables = catalog.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[];
  for (const { name } of tables) {
    hash.update(name);
    for (const row of catalog.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).iterate()) hash.update(JSON.stringify(row));
  }
  for (const e of readdirSync(dataDir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || e.name.startsWith('catalog.sqlite')) continue;
    const path = join(e.parentPath, e.name);
    hash.update(`${path}:${statSync(path).size}`);
  }
  return hash.digest('hex');
}
