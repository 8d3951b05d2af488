// Bytes stored on disk: the apparent size (st_size) of every regular file under a directory, for
// dpvault's data directory and for the restic and borg repositories alike.
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Sum of st_size of the regular files under `dir`, skipping top-level names for which `skip` is true. */
export function treeBytes(dir: string, skip: (topLevelName: string) => boolean = () => false): number {
  let total = 0;
  const walk = (d: string, top: boolean): void => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (top && skip(e.name)) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p, false);
      else if (e.isFile()) total += lstatSync(p).size;
    }
  };
  walk(dir, true);
  return total;
}

/** What the service keeps beside backup data: the catalog (SQLite and its WAL) and the master key. */
export const isServiceState = (name: string): boolean => /^catalog\.sqlite/.test(name) || name === 'master.key';

/** Backup data stored by a dpvault data directory: everything but the catalog and the master key. */
export const dpvaultStoredBytes = (dataDir: string): number => treeBytes(dataDir, isServiceState);

/** The catalog and master key alone, reported beside the stored bytes. */
export const dpvaultStateBytes = (dataDir: string): number => treeBytes(dataDir, (n) => !isServiceState(n));

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 → "1.5 KiB". */
export function humanBytes(n: number): string {
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v.toFixed(0) : v.toFixed(1)} ${UNITS[u]}`;
}
