// A whole-server recovery point restored as files into object storage: the object names of its
// layout (domain/server-restore-files.ts, with no directory: in the container, under the path the
// request's URL gives), each a name object storage takes, and the checks before any data moves
// (restore-container.ts): the container is allowed and answers, and none of the files nor their
// checksums is there (a restore never overwrites).
import { errors } from '../domain/errors.ts';
import { checksumOf } from '../domain/restore-files.ts';
import { allServerFiles, serverFileNames, type ServerFileNames } from '../domain/server-restore-files.ts';
import { checkObjectName } from '../storage/storage.ts';
import type { ServiceContext } from './context.ts';
import { checkContainerNames } from './restore-container.ts';

/** The layout's object names; a 400 naming those object storage would refuse (a database name beyond letters, digits, '.', '_' and '-'). */
export function serverObjectNames(filePrefix: string, databases: readonly string[]): ServerFileNames {
  const names = serverFileNames('', filePrefix, databases);
  const refused = allServerFiles(names).filter((n) => {
    try {
      checkObjectName(checksumOf(n));
      return false;
    } catch {
      return true;
    }
  });
  if (refused.length) {
    throw errors.requestParameterInvalid(
      `${refused.map((n) => `'${n}'`).join(', ')} cannot name an object in a container (letters, digits, '.', '_' and '-' only): restore this recovery point into a directory instead, or give a prefix of those characters.`,
      'restoreTargetInfo.targetDetails.filePrefix',
    );
  }
  return names;
}

/** Checks a container target of a whole-server point before any data moves; returns its manifest's place as jobs show it. */
export function checkServerContainerTarget(ctx: ServiceContext, url: string, filePrefix: string, databases: readonly string[]): Promise<string> {
  const names = serverObjectNames(filePrefix, databases);
  return checkContainerNames(ctx, url, allServerFiles(names).flatMap((n) => [n, checksumOf(n)]), names.manifest);
}
