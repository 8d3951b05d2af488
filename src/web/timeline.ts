// Where each recovery point sits on an instance's timeline, and its tier (the datastore it lives
// in: ArchiveStore when it is there, else VaultStore), and the path of a chart's line. Pure.
import type { RecoveryPoint } from './resources.ts';

export interface PlacedPoint {
  point: RecoveryPoint;
  /** 0 (oldest) to 1 (newest) along the span. */
  x: number;
  tier: string;
}

export function tierOf(rp: RecoveryPoint): string {
  const types = rp.properties.recoveryPointDataStoresDetails.map((d) => d.type);
  return types.includes('ArchiveStore') ? 'ArchiveStore' : (types[0] ?? 'VaultStore');
}

export function placePoints(points: readonly RecoveryPoint[]): PlacedPoint[] {
  const times = points.map((p) => Date.parse(p.properties.recoveryPointTime));
  const lo = Math.min(...times);
  const hi = Math.max(...times);
  return points.map((point, i) => ({ point, x: hi > lo ? (times[i]! - lo) / (hi - lo) : 0.5, tier: tierOf(point) }));
}

/** An SVG polyline's points for (time, value) samples in a box of `width` x `height`, values from 0 to `max`. */
export function linePoints(samples: readonly { t: number; v: number }[], span: { from: number; to: number }, max: number, width: number, height: number): string {
  const dx = span.to > span.from ? span.to - span.from : 1;
  return samples
    .map(({ t, v }) => `${(((t - span.from) / dx) * width).toFixed(1)},${(height - (max > 0 ? v / max : 0) * height).toFixed(1)}`)
    .join(' ');
}
