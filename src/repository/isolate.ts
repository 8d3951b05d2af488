// Isolating damage once it is found: each finding is merged into its pack's quarantine record
// (written before anything else changes, so a crash keeps the finding), then the in-memory index
// forgets the lost copies and, where another pack holds a good copy of a chunk, points there. No
// backup deduplicates against a lost copy from then on: it stores the chunk again.
import { readIndexFiles } from './chunk-index.ts';
import type { RepoContext } from './context.ts';
import { mergeRecord, writeQuarantineRecord } from './quarantine.ts';
import type { QuarantineRecord } from './quarantine.ts';

export interface DamageFinding {
  packId: string;
  problem: string;
  /** Chunks whose copy in this pack cannot be read. */
  lost: Iterable<string>;
  packGone?: boolean;
}

/** The isolation running in each repository: findings are merged one at a time. */
const running = new WeakMap<RepoContext, Promise<unknown>>();

/**
 * Records `findings` in the quarantine and takes the lost copies out of the index. One isolation
 * at a time per repository: two readers that find damage in one pack at once (the sessions of
 * a parallel restore) would otherwise both merge into the same old record, and one finding
 * would be lost (or its write refused).
 */
export function isolateDamage(ctx: RepoContext, findings: readonly DamageFinding[]): Promise<QuarantineRecord[]> {
  const next = (running.get(ctx) ?? Promise.resolve()).catch(() => undefined).then(() => isolateNow(ctx, findings));
  running.set(ctx, next);
  return next;
}

async function isolateNow(ctx: RepoContext, findings: readonly DamageFinding[]): Promise<QuarantineRecord[]> {
  if (findings.length === 0) return [];
  const at = ctx.clock.now().toISOString();
  const written: QuarantineRecord[] = [];
  for (const f of findings) {
    const next: QuarantineRecord = { version: 1, packId: f.packId, problem: f.problem, detectedAt: at, lost: [...new Set(f.lost)], packGone: f.packGone ?? false };
    const record = mergeRecord(ctx.quarantine.get(f.packId), next);
    await writeQuarantineRecord(ctx.storage, ctx.keys.dataKey, record);
    ctx.quarantine.set(record);
    written.push(record);
  }
  const forgotten = new Set<string>();
  for (const r of written) for (const id of r.lost) if (ctx.index.forgetIn(id, r.packId)) forgotten.add(id);
  if (forgotten.size > 0) {
    // Other packs may hold good copies (a chunk stored again after an earlier loss).
    const { records } = await readIndexFiles(ctx.storage, ctx.keys.dataKey);
    for (const rec of records) {
      const good = rec.entries.filter((e) => forgotten.has(e.id) && !ctx.index.has(e.id) && !ctx.quarantine.isLostIn(e.id, rec.packId));
      if (good.length > 0) ctx.index.add({ packId: rec.packId, size: rec.size, entries: good });
    }
  }
  return written;
}
