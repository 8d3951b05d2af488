// A weekly series on a real repository for the locality tests and measurements: a dump-like
// stream, then each week the same stream with scattered edits (as churn.sql's sprinkle of
// updated rows in a key-ordered dump), each week backed up.
import { dumpText, streamOf } from './helpers.ts';
import type { RepoFixture } from './helpers.ts';

/** The stream of week `weeks` - 1: `base` with `edits` scattered edits a week, seeded by week. */
export function weeklyStreams(base: Buffer, weeks: number, edits: number): Buffer[] {
  const out = [base];
  let s = 12345;
  const next = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  for (let w = 1; w < weeks; w++) {
    const b = Buffer.from(out[w - 1]!);
    for (let e = 0; e < edits; e++) b.write(`edit ${w}.${e} `.padEnd(40, '#'), Math.floor(next() * (b.length - 64)));
    out.push(b);
  }
  return out;
}

/** Backs up each stream in turn, a millisecond apart on the repository's clock; returns the manifest ids, oldest first. */
export async function backupSeries(fx: RepoFixture, streams: readonly Buffer[]): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, s] of streams.entries()) {
    fx.clock.advance(1);
    ids.push((await fx.repo.backup(streamOf(s), { recoveryPointId: `week-${i}` })).manifestId);
  }
  return ids;
}

export const seriesBase = (bytes: number): Buffer => dumpText(bytes, 77);
