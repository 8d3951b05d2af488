// A size-limited filesystem for tests of a full disk: a tmpfs mounted on a directory. Mounting
// needs root (CI runs as root); elsewhere `mountTmpfs` says why it cannot, for the test to skip.
import { execFileSync } from 'node:child_process';
import { statfsSync } from 'node:fs';

/** Mounts a tmpfs of `bytes` on `dir`; returns null, or the reason it cannot be mounted here. */
export function mountTmpfs(dir: string, bytes: number): string | null {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (e) {
    const said = String((e as { stderr?: Buffer }).stderr ?? '').trim() || (e as Error).message;
    return `a size-limited filesystem cannot be mounted here (${said}); run as root to test a full disk`;
  }
}

export function unmount(dir: string): void {
  execFileSync('umount', [dir], { stdio: 'pipe' });
}

/** Bytes an unprivileged writer may still use on the filesystem holding `dir`. */
export function freeBytes(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}
