// The files a restore as files writes beside its dump `<prefix>.dump`: the dump while it is being
// written, and its SHA-256 (itself written as a `.partial` first). The restore job writes them; planning refuses a target where one
// exists and start-up recovery removes what an interrupted restore left.

export const partialOf = (file: string): string => `${file}.partial`;
export const checksumOf = (file: string): string => `${file}.sha256`;

/** Every name a restore of `file` writes: the file, its checksum, and each while being written. */
export const namesWrittenFor = (file: string): string[] => [file, checksumOf(file), partialOf(file), partialOf(checksumOf(file))];

/** Whether `path` is `dir` or lies below it (both absolute and normalised). */
export function isWithin(path: string, dir: string): boolean {
  if (path === dir) return true;
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return path.startsWith(prefix);
}

/** The restore-files roots of a path list (`DPVAULT_RESTORE_FILES_ROOT`, `:`-separated as PATH is); empty entries are skipped. */
export function rootsFromPathList(list: string | undefined): string[] {
  return (list ?? '').split(':').filter((p) => p !== '');
}
