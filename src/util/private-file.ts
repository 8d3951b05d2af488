// A file only its owner may read (keys, credentials), written whole: under a temporary name with
// mode 0600 from the start, then renamed over the old one, so a reader never sees half of it (and
// two writers at once leave one whole file: each writes a temporary name of its own).
import { randomBytes } from 'node:crypto';
import { chmodSync, renameSync, writeFileSync } from 'node:fs';

export function writePrivateFile(file: string, text: string): void {
  const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}
