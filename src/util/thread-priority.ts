// Lowering the scheduling priority of the calling thread alone. Linux schedules each thread as a
// task of its own and setpriority(2) on a thread id renices only that thread; Node offers the
// call (os.setPriority) but not the thread id, which /proc/thread-self names. Elsewhere this does
// nothing: the thread keeps the process's priority.
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** The kernel's id of the calling thread, or null where /proc/thread-self does not exist. */
export function currentThreadId(): number | null {
  try {
    const id = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(id) && id > 0 ? id : null;
  } catch {
    return null;
  }
}

/**
 * Raises the calling thread's nice value by `by` (lower priority), never above 19; returns the
 * new value, or null when the platform does not allow it.
 */
export function lowerThreadPriority(by: number): number | null {
  const tid = currentThreadId();
  if (tid === null) return null;
  try {
    const nice = Math.min(19, getPriority(tid) + by);
    setPriority(tid, nice);
    return getPriority(tid);
  } catch {
    return null;
  }
}
