// The life of one key-ordered dump (ordered-dump.ts) as a small state machine, pure so it is
// tested on its own. The archive passes through three phases: pg_dump's head (its header and
// TOC), the key-ordered copy of the picked tables (pg_dump meanwhile blocked on its pipe), then
// pg_dump's own data blocks to its end. `stopped` is orthogonal: a kill or the abort signal can
// come in any phase, and it decides who is blamed when the archive then breaks.

export type DumpPhase =
  /** Reading pg_dump's header and TOC; the copying session opens meanwhile. */
  | 'readingHead'
  /** The copy writes the picked tables' data blocks; a failure now is the copy's. */
  | 'copying'
  /** pg_dump's own data blocks pass through. */
  | 'passingDump'
  /** The archive ended whole: `done` resolved. */
  | 'finished'
  /** The archive broke: `done` rejected. */
  | 'failed';

export interface DumpState {
  readonly phase: DumpPhase;
  /** Killed (by the caller, the abort signal or a failure): every part was told to stop. */
  readonly stopped: boolean;
}

export type DumpEvent =
  | { type: 'headRead'; blocksToCopy: number }
  | { type: 'copyEnded' }
  | { type: 'archiveEnded' }
  | { type: 'stop' }
  | { type: 'fail' };

export const initialDumpState: DumpState = { phase: 'readingHead', stopped: false };

/** The archive ended one way or the other: `done` is settled. */
export function isSettled(s: DumpState): boolean {
  return s.phase === 'finished' || s.phase === 'failed';
}

/** The next state; an event that does not apply in a phase leaves the phase as it is. */
export function nextDumpState(s: DumpState, e: DumpEvent): DumpState {
  switch (e.type) {
    case 'stop':
      return s.stopped ? s : { ...s, stopped: true };
    case 'fail':
      return isSettled(s) ? s : { ...s, phase: 'failed' };
    case 'headRead':
      return s.phase === 'readingHead' ? { ...s, phase: e.blocksToCopy > 0 ? 'copying' : 'passingDump' } : s;
    case 'copyEnded':
      return s.phase === 'copying' ? { ...s, phase: 'passingDump' } : s;
    case 'archiveEnded':
      return s.phase === 'passingDump' ? { ...s, phase: 'finished' } : s;
  }
}

/**
 * Whose error `done` reports when the archive broke in state `s` (taken before the failure's own
 * kill): stopped on purpose, the dump was cancelled (or pg_dump's error, when it has one); while
 * the copy ran, pg_dump only waited on its pipe and its signal says nothing, so the copy's error;
 * otherwise pg_dump's error says why better than a broken pipe does, when there is one.
 */
export function blameFor(s: DumpState, dumpFailed: boolean): 'dump' | 'cancelled' | 'copy' {
  if (s.stopped) return dumpFailed ? 'dump' : 'cancelled';
  if (s.phase === 'copying') return 'copy';
  return dumpFailed ? 'dump' : 'copy';
}
