// Every file below a directory (none when it does not exist), for tests that look at what the
// service left on disk.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) (e.isDirectory() ? walk : (p: string) => out.push(p))(join(d, e.name));
  };
  walk(dir);
  return out;
}
