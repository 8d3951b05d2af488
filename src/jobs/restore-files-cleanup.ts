// Start-up recovery of a restore as files into a directory that the server was running when it
// stopped. The restore writes every file as `NAME.partial` (its checksum as `NAME.sha256.partial`)
// and names it only once whole (restore-file.ts); planning refused every one of those names
// existing, so what is under them now is this restore's. Removed: every `.partial`, and a checksum
// whose file never got its name (the checksum is named just before its file). Kept: files named
// whole, each beside its checksum — never half written, and never removed here, since another
// restore could have written a whole file under a name this one had not reached. For a whole-server
// point (domain/server-restore-files.ts) the manifest is written last: without it the set is
// incomplete, and the job's message names what is kept to be removed by hand.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { checksumOf, partialOf } from '../domain/restore-files.ts';

/**
 * Cleans up after the interrupted writing of `files` (in the order written; the last one is
 * written only when all the others are whole); says what was removed and what is kept.
 */
export async function removeInterruptedFiles(files: readonly string[]): Promise<string> {
  const removed: string[] = [];
  const remove = async (f: string): Promise<void> => {
    if (!existsSync(f)) return;
    await rm(f, { force: true });
    removed.push(f);
  };
  for (const f of files) {
    await remove(partialOf(f));
    await remove(partialOf(checksumOf(f)));
    if (!existsSync(f)) await remove(checksumOf(f));
  }
  const whole = files.filter((f) => existsSync(f));
  const last = files.at(-1)!;
  const did = removed.length ? `Removed the half-written ${removed.map((f) => `'${f}'`).join(', ')}. ` : '';
  if (existsSync(last)) {
    const what = files.length > 1 ? `'${last}', written last, and every file before it` : `'${last}' and its checksum`;
    return `${did}${what} were written completely before the stop and are kept.`;
  }
  if (whole.length === 0) return removed.length ? did.trim() : 'It had written no file.';
  return `${did}${whole.map((f) => `'${f}'`).join(', ')} ${whole.length > 1 ? 'were' : 'was'} written completely, each with its checksum, and kept; '${last}' was not, so the set is incomplete: remove them before restoring under the same name again.`;
}
