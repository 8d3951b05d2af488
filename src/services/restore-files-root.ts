// Where a restore as files may write: only below a directory the operator allowed
// (`dpvault server --restore-files-root DIR`, DPVAULT_RESTORE_FILES_ROOT), never inside the data
// directory. Paths are compared after resolving symbolic links and `..` (realpath of the deepest
// part that exists), so neither a link nor `..` leads out of a root. Checked when the request is
// made and again by the job just before it writes.
import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { errors } from '../domain/errors.ts';
import { isWithin } from '../domain/restore-files.ts';

export interface FilesTargetPolicy {
  /** The allowed roots as the operator gave them (none: every directory target is refused). */
  roots: readonly string[];
  dataDir: string;
}

/** An absolute path with its existing part resolved through symbolic links; the rest appended as given. */
export function resolveDeepest(path: string): string {
  const abs = resolve(path);
  const rest: string[] = [];
  let at = abs;
  for (;;) {
    try {
      return join(realpathSync(at), ...rest.reverse());
    } catch {
      const up = dirname(at);
      if (up === at) return abs;
      rest.push(basename(at));
      at = up;
    }
  }
}

/** The directory resolved, when it lies under an allowed root and outside the data directory; throws otherwise. */
export function confineTargetDirectory(dir: string, policy: FilesTargetPolicy): string {
  if (policy.roots.length === 0) throw errors.restoreFilesRootNotSet();
  const real = resolveDeepest(dir);
  if (isWithin(real, resolveDeepest(policy.dataDir))) throw errors.restoreTargetInDataDir(dir);
  if (!policy.roots.some((root) => isWithin(real, resolveDeepest(root)))) throw errors.restoreTargetOutsideRoots(dir, real, policy.roots);
  return real;
}
