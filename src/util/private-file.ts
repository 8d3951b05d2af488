// A file only its owner may read (keys, credentials), written whole: under a temporary name with
// mode 0600 from the start, then renamed over the old one, so a reader never sees half of it.
import { chmodSync, renameSync, writeFileSync } from 'node:fs';

export function writePrivateFile(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}
