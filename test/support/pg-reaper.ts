// Makes sure throwaway clusters never outlive their test run. Three nets, each enough alone:
// 1. the postmaster dies with the Node process that started it (setpriv --pdeathsig, pg-bin.ts);
// 2. on process exit, every cluster still registered here gets SIGQUIT (immediate shutdown);
// 3. each startCluster() first reaps clusters under os.tmpdir()/dpvault-pg-* whose owning
//    process is gone: it kills their postmaster and removes the directory.
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TEMP_PREFIX = 'dpvault-pg-';
const OWNER_FILE = 'harness.json';
/** A directory without an owner file younger than this may be a cluster being set up right now. */
const SETUP_GRACE_MS = 10 * 60_000;

interface OwnerRecord {
  ownerPid: number;
}

/** True while `pid` runs (a zombie counts as gone). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true; // No /proc (macOS): kill(0) said it exists.
  }
}

/** The postmaster's pid from its data directory, or null when it is not running. */
export function postmasterPid(dataDir: string): number | null {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 && isRunning(pid) ? pid : null;
  } catch {
    return null;
  }
}

export function writeOwner(dir: string): void {
  const rec: OwnerRecord = { ownerPid: process.pid };
  writeFileSync(join(dir, OWNER_FILE), JSON.stringify(rec));
}

const live = new Map<string, () => void>();
let hooked = false;

/** Registers a running cluster for the exit-time SIGQUIT; `kill` must be synchronous. */
export function register(dir: string, kill: () => void): void {
  live.set(dir, kill);
  if (!hooked) {
    hooked = true;
    process.on('exit', () => {
      for (const k of live.values()) k();
    });
  }
}

export function unregister(dir: string): void {
  live.delete(dir);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Stops the postmaster of `dir` (SIGQUIT, SIGKILL if it lingers) and removes the directory. */
async function reap(dir: string): Promise<void> {
  const pid = postmasterPid(join(dir, 'data'));
  if (pid !== null) {
    // Only a process started on this directory: a pid may have been reused since.
    const cmdline = existsSync(`/proc/${pid}/cmdline`) ? readFileSync(`/proc/${pid}/cmdline`, 'utf8') : dir;
    if (!cmdline.includes(dir)) return;
    for (const [signal, waitMs] of [['SIGQUIT', 5000], ['SIGKILL', 5000]] as const) {
      try {
        process.kill(pid, signal);
      } catch {
        break;
      }
      for (let t = 0; t < waitMs && isRunning(pid); t += 50) await sleep(50);
      if (!isRunning(pid)) break;
    }
    if (isRunning(pid)) return;
  }
  rmSync(dir, { recursive: true, force: true });
}

/** Reaps every cluster left behind by a process that no longer runs. Returns the directories removed. */
export async function reapStaleClusters(root = tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(root).filter((n) => n.startsWith(TEMP_PREFIX));
  } catch {
    return removed;
  }
  for (const name of names) {
    const dir = join(root, name);
    try {
      let ownerPid: number | null = null;
      try {
        ownerPid = (JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as OwnerRecord).ownerPid;
      } catch {
        if (Date.now() - statSync(dir).mtimeMs < SETUP_GRACE_MS) continue;
      }
      if (ownerPid !== null && isRunning(ownerPid)) continue;
      await reap(dir);
      if (!existsSync(dir)) removed.push(dir);
    } catch {
      // Another process reaped it first, or it is not ours to touch.
    }
  }
  return removed;
}
