// Damage is always detected: a byte flipped anywhere in a pack (its first bytes, a chunk body,
// the trailer, the end marker) fails restore with an error naming the recovery point and the
// pack, before any bad byte is passed on, and verify reports the pack and the recovery point.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Readable } from 'node:stream';
import { dumpText, SMALL, streamOf, tempRepo } from './helpers.ts';
import type { RepoFixture } from './helpers.ts';

/** Reads until the stream ends or fails; returns what arrived and the error, if any. */
async function drain(stream: Readable): Promise<{ data: Buffer; error: Error | null }> {
  const parts: Buffer[] = [];
  try {
    for await (const p of stream as AsyncIterable<Buffer>) parts.push(p);
    return { data: Buffer.concat(parts), error: null };
  } catch (e) {
    return { data: Buffer.concat(parts), error: e as Error };
  }
}

// Once with large chunks of random bytes (a blob per chunk), once with small chunks of
// compressible text sealed in frames of several chunks each.
const LAYOUTS = [
  { name: 'blobs of one chunk', params: SMALL, data: () => randomBytes(3 * 1024 * 1024) },
  { name: 'frames of several chunks', params: { chunker: { min: 1024, avg: 4096, max: 16 * 1024 }, packSize: 256 * 1024, frameBytes: 32 * 1024 }, data: () => dumpText(3 * 1024 * 1024, 5) },
];

for (const layout of LAYOUTS) describe(`damaged packs (${layout.name})`, () => {
  let fx: RepoFixture;
  let data: Buffer;
  let manifestId: string;
  let packs: string[];
  before(async () => {
    fx = await tempRepo(layout.params);
    data = layout.data();
    manifestId = (await fx.repo.backup(streamOf(data), { recoveryPointId: 'rp-damage' })).manifestId;
    packs = [];
    for await (const o of fx.storage.list('packs/')) packs.push(o.name);
    packs.sort();
  });
  after(async () => fx.cleanup());

  /** Where to flip: found from the pack's last eight bytes (trailer length and end marker). */
  async function positions(packName: string): Promise<Record<string, number>> {
    const body = await readFile(join(fx.dir, packName));
    const trailerStart = body.length - 8 - body.readUInt32LE(body.length - 8);
    return {
      'first byte (nonce of the first blob)': 0,
      'first chunk body': 100,
      'middle of the blobs': Math.floor(trailerStart / 2),
      'inside the trailer': trailerStart + 20,
      'trailer length field': body.length - 7,
      'end marker': body.length - 1,
    };
  }

  it('restore and verify detect a flipped byte at every kind of position, naming the pack', async () => {
    const target = packs[0]!;
    const path = join(fx.dir, target);
    const original = await readFile(path);
    for (const [where, at] of Object.entries(await positions(target))) {
      const bad = Buffer.from(original);
      bad[at]! ^= 0x04;
      await writeFile(path, bad);
      try {
        const { data: got, error } = await drain(await fx.repo.restore(manifestId));
        assert.ok(error, `restore noticed a flip at the ${where}`);
        assert.equal((error as { code?: string }).code, 'RepositoryDataCorrupt');
        assert.match(error.message, /rp-damage/, `the error names the recovery point (${where})`);
        assert.ok(error.message.includes(manifestId), `the error names the manifest (${where})`);
        assert.ok(error.message.includes(target), `the error names the pack (${where}): ${error.message}`);
        assert.ok(data.subarray(0, got.length).equals(got), `only good bytes were passed on (${where})`);

        const report = await fx.repo.verify({ samplePercent: 100 });
        assert.equal(report.ok, false);
        const damaged = report.damagedPacks.find((p) => p.pack === target);
        assert.ok(damaged, `verify names the pack (${where})`);
        assert.deepEqual(damaged.manifests, [manifestId]);
        assert.deepEqual(report.damagedPacks.map((p) => p.pack), [target], 'no other pack is blamed');
      } finally {
        await writeFile(path, original);
      }
    }
    const clean = await fx.repo.verify();
    assert.equal(clean.ok, true);
    assert.equal(clean.packsChecked, packs.length);
    assert.ok(clean.chunksChecked > packs.length);
  });

  it('a missing pack fails restore naming it, and verify reports it with the chunks lost', async () => {
    const target = packs.at(-1)!;
    const path = join(fx.dir, target);
    await rename(path, `${path}.away`);
    try {
      const { error } = await drain(await fx.repo.restore(manifestId));
      assert.ok(error?.message.includes(target) && error.message.includes('missing'), String(error));
      const report = await fx.repo.verify();
      const damaged = report.damagedPacks.find((p) => p.pack === target);
      assert.ok(damaged && damaged.manifests.includes(manifestId));
      assert.ok(report.damagedChunks.length > 0 && report.damagedChunks.every((c) => c.pack === target));
    } finally {
      await rename(`${path}.away`, path);
    }
  });

  it('a damaged chunk list or manifest fails restore with the manifest named', async () => {
    const partPath = join(fx.dir, 'chunklists', manifestId, '000000');
    const part = await readFile(partPath);
    const bad = Buffer.from(part);
    bad[40]! ^= 1;
    await writeFile(partPath, bad);
    try {
      const { error } = await drain(await fx.repo.restore(manifestId));
      assert.ok(error?.message.includes(manifestId) && error.message.includes('chunk list'), String(error));
    } finally {
      await writeFile(partPath, part);
    }
    const manifestPath = join(fx.dir, 'manifests', manifestId);
    const m = await readFile(manifestPath);
    const badM = Buffer.from(m);
    badM[m.length - 3]! ^= 1;
    await writeFile(manifestPath, badM);
    try {
      await assert.rejects(fx.repo.restore(manifestId), (e: Error) => e.message.includes(manifestId) && /damaged/.test(e.message));
    } finally {
      await writeFile(manifestPath, m);
    }
  });
});
