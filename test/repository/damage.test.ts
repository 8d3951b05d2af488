// Damage is always detected: a byte flipped anywhere in a pack (its first bytes, a chunk body,
// the trailer, the end marker) fails restore with an error naming the recovery point and the
// pack, before any bad byte is passed on, and verify reports the pack and the recovery point.
// So does a blob that authenticates but holds other bytes than the chunks it is sealed for.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Writable, type Readable } from 'node:stream';
import { openConfig } from '../../src/repository/config-copies.ts';
import type { RepositoryKeys } from '../../src/repository/crypto.ts';
import { packIdOf } from '../../src/repository/layout.ts';
import { readManifest, writeManifest } from '../../src/repository/manifest.ts';
import { blobAad, blobsOf, readTrailer, sealChunk, unsealBlob } from '../../src/repository/pack.ts';
import { dumpText, readAll, sha256, SMALL, streamOf, tempRepo } from './helpers.ts';
import type { RepoFixture } from './helpers.ts';

/** Reads until the stream ends or fails; returns what arrived and the error, if any. */
async function drain(stream: Readable | Promise<Readable>): Promise<{ data: Buffer; error: Error | null }> {
  const parts: Buffer[] = [];
  try {
    for await (const p of (await stream) as AsyncIterable<Buffer>) parts.push(p);
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
        const { data: got, error } = await drain(fx.repo.restore(manifestId));
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
      const { error } = await drain(fx.repo.restore(manifestId));
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
      // Found before a byte is passed on: the chunk list is read whole before the restore starts.
      const { data: got, error } = await drain(fx.repo.restore(manifestId));
      assert.ok(error?.message.includes(manifestId) && error.message.includes('chunk list'), String(error));
      assert.equal(got.length, 0);
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

describe('chunks checked against their ids', () => {
  let fx: RepoFixture;
  let data: Buffer;
  let manifestId: string;
  let keys: RepositoryKeys;
  before(async () => {
    // Stored uncompressed, so a blob sealed again over other bytes keeps its length and place.
    fx = await tempRepo({ chunker: { min: 1024, avg: 4096, max: 16 * 1024 }, packSize: 256 * 1024, frameBytes: 32 * 1024, compressionLevel: 0 });
    data = dumpText(1024 * 1024, 11);
    manifestId = (await fx.repo.backup(streamOf(data), { recoveryPointId: 'rp-ids' })).manifestId;
    keys = (await openConfig(fx.storage, fx.master)).keys;
  });
  after(async () => fx.cleanup());

  /** Collects what restoreInto writes (through the worker thread that opens segments). */
  async function restoreIntoBuffer(): Promise<{ data: Buffer; error: Error | null }> {
    const parts: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        parts.push(Buffer.from(chunk));
        done();
      },
    });
    try {
      await fx.repo.restoreInto(manifestId, sink);
      return { data: Buffer.concat(parts), error: null };
    } catch (e) {
      return { data: Buffer.concat(parts), error: e as Error };
    }
  }

  it('a blob that authenticates but holds other bytes than its chunks fails restore and verify, naming the pack', async () => {
    const names: string[] = [];
    for await (const o of fx.storage.list('packs/')) names.push(o.name);
    const target = names.sort()[1]!;
    const path = join(fx.dir, target);
    const original = await readFile(path);
    const blob = blobsOf(await readTrailer(fx.storage, keys.dataKey, packIdOf(target)!, original.length))[2]!;
    const aad = blobAad(blob.entries);
    const opened = unsealBlob(keys.dataKey, aad, original.subarray(blob.offset, blob.offset + blob.length));
    assert.ok(opened && !opened.compressed);
    // What a writer with a bug could have stored: one byte off, sealed properly under the chunks' ids.
    const other = Buffer.from(opened.payload);
    other[other.length >> 1]! ^= 0x20;
    const resealed = sealChunk(keys.dataKey, aad, other, false);
    assert.equal(resealed.length, blob.length);
    const bad = Buffer.from(original);
    resealed.copy(bad, blob.offset);
    await writeFile(path, bad);
    try {
      for (const [how, got] of [['restore', await drain(fx.repo.restore(manifestId))], ['restoreInto', await restoreIntoBuffer()]] as const) {
        assert.ok(got.error, `${how} noticed the chunk that does not match its id`);
        assert.equal((got.error as { code?: string }).code, 'RepositoryDataCorrupt');
        assert.ok(got.error.message.includes(target) && got.error.message.includes('rp-ids'), got.error.message);
        assert.ok(got.data.length < data.length && data.subarray(0, got.data.length).equals(got.data), `${how} passed on only good bytes`);
      }
      const report = await fx.repo.verify();
      assert.deepEqual(report.damagedPacks.map((p) => p.pack), [target]);
    } finally {
      await writeFile(path, original);
    }
    await assert.rejects(fx.repo.restore(manifestId), /quarantined/, 'the damage found stays isolated until a verify finds the pack whole');
    assert.equal((await fx.repo.verify()).ok, true);
    assert.ok((await readAll(await fx.repo.restore(manifestId))).equals(data));
  });

  it('the stream hash is checked by restore and verify, and version-1 and -2 manifests by what they recorded', async () => {
    const current = await readManifest(fx.storage, keys.dataKey, manifestId);
    assert.equal(current.version, 3);
    assert.equal(current.sha256, undefined);
    assert.match(current.streamHash ?? '', /^[0-9a-f]{64}$/);
    const v2 = { ...current };
    delete v2.streamHash;
    const otherHash = sha256(Buffer.from('other'));
    try {
      await writeManifest(fx.storage, keys.dataKey, { ...current, streamHash: otherHash });
      for (const [how, got] of [['restore', await drain(fx.repo.restore(manifestId))], ['restoreInto', await restoreIntoBuffer()]] as const) {
        assert.match(String(got.error), /stream hash/, how);
        assert.equal((got.error as { code?: string }).code, 'RepositoryDataCorrupt');
      }
      const verified = await fx.repo.verify();
      assert.equal(verified.ok, false, 'verify reads every chunk list whole');
      assert.match(verified.damagedManifests.map((d) => d.problem).join(), /does not match its stream hash/);
      assert.equal(verified.health.find((h) => h.manifestId === manifestId)?.restorable, false);
      await writeManifest(fx.storage, keys.dataKey, v2);
      await assert.rejects(fx.repo.restore(manifestId), /unknown form/, 'version 3 needs its stream hash');
      await writeManifest(fx.storage, keys.dataKey, { ...v2, version: 2 });
      assert.ok((await readAll(await fx.repo.restore(manifestId))).equals(data));
      await writeManifest(fx.storage, keys.dataKey, { ...v2, version: 1, sha256: sha256(data) });
      assert.ok((await readAll(await fx.repo.restore(manifestId))).equals(data));
      await writeManifest(fx.storage, keys.dataKey, { ...v2, version: 1, sha256: otherHash });
      const { error } = await drain(fx.repo.restore(manifestId));
      assert.match(String(error), /stream hash/);
      await writeManifest(fx.storage, keys.dataKey, { ...v2, version: 1 });
      await assert.rejects(fx.repo.restore(manifestId), /unknown form/);
    } finally {
      await writeManifest(fx.storage, keys.dataKey, current);
    }
    assert.ok((await readAll(await fx.repo.restore(manifestId))).equals(data));
  });
});
