// Restores as files into object storage: the target a request names (restore-containers.ts
// resolves it against the containers the operator allowed), and the checks made before any data
// moves, when the request is made and again by the job: the container answers, and neither the
// dump nor its checksum exists there (a restore never overwrites). Errors name the container as
// the request did, never an endpoint's credentials.
import { errors, RESTORE_FILE_EXISTS, toDpError } from '../domain/errors.ts';
import { checksumOf } from '../domain/restore-files.ts';
import { openStorage } from '../storage/backends.ts';
import { redact } from '../storage/object-errors.ts';
import { locationUrl, resolveContainerTarget, type ContainerTarget } from '../storage/restore-containers.ts';
import { stack } from '../storage/stack.ts';
import { checkObjectName, isNotFound, type Storage } from '../storage/storage.ts';
import type { ServiceContext } from './context.ts';

/** How long the checks before a restore wait for the container to answer. */
export const CONTAINER_PROBE_TIMEOUT_MS = 15_000;

/** The dump's object name in the container: `<prefix>.dump`, as a directory target names it. */
export function dumpObjectName(filePrefix: string): string {
  const name = `${filePrefix}.dump`;
  try {
    checkObjectName(checksumOf(name));
  } catch {
    throw errors.requestParameterInvalid(
      `restoreTargetInfo.targetDetails.filePrefix '${filePrefix}' cannot name an object: use letters, digits, '.', '_' and '-'.`,
      'restoreTargetInfo.targetDetails.filePrefix',
    );
  }
  return name;
}

/** The allowed container `url` names (no I/O); throws UserErrorRestoreTargetNotAllowed otherwise. */
export function containerTargetFor(ctx: ServiceContext, url: string): ContainerTarget {
  return resolveContainerTarget(url, ctx.restoreFilesContainers ?? []);
}

/** The target's storage; `retry` false fails at once on an unreachable endpoint (the checks before a restore). */
export function openContainer(target: ContainerTarget, retry = true): Storage {
  try {
    return stack(openStorage(locationUrl(target.location)), retry ? {} : { retry: false });
  } catch (e) {
    throw errors.restoreContainerNotAccessible(target.shown, redact(toDpError(e).message));
  }
}

/** Where the dump goes, as jobs show it. */
export function containerDestination(target: ContainerTarget, filePrefix: string): string {
  return `${target.shown}/${dumpObjectName(filePrefix)}`;
}

/**
 * Fails, before any data moves, unless the container answers within the timeout and holds
 * neither the dump nor its checksum. Returns the destination as jobs show it.
 */
export async function checkContainerTarget(ctx: ServiceContext, url: string, filePrefix: string, timeoutMs = CONTAINER_PROBE_TIMEOUT_MS): Promise<string> {
  const name = dumpObjectName(filePrefix);
  return checkContainerNames(ctx, url, [name, checksumOf(name)], name, timeoutMs);
}

/**
 * The same for any set of object names (a whole-server point's files and their checksums): the
 * container answers and holds none of `names`. Returns `destination` as jobs show it.
 */
export async function checkContainerNames(
  ctx: ServiceContext, url: string, names: readonly string[], destination: string, timeoutMs = CONTAINER_PROBE_TIMEOUT_MS,
): Promise<string> {
  const target = containerTargetFor(ctx, url);
  const storage = openContainer(target, false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`it did not answer within ${Math.round(timeoutMs / 1000)} s.`)), timeoutMs);
  });
  try {
    for (const n of names) {
      const found = await Promise.race([storage.stat(n).then(() => true, (e: unknown) => (isNotFound(e) ? false : Promise.reject(e))), timeout]);
      if (found) throw errors.restoreFileExists(`${target.shown}/${n}`);
    }
  } catch (e) {
    const err = toDpError(e);
    if (err.code === RESTORE_FILE_EXISTS) throw err;
    throw errors.restoreContainerNotAccessible(target.shown, redact(err.message));
  } finally {
    clearTimeout(timer);
  }
  return `${target.shown}/${destination}`;
}
