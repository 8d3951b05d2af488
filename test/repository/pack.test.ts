// Pack and index file formats: round trips, and refusal of anything damaged.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeIndexFile, encodeIndexFile } from '../../src/repository/chunk-index.ts';
import { chunkId } from '../../src/repository/crypto.ts';
import { createHash } from 'node:crypto';
import { blobAad, blobsOf, openPackBlob, PackBuilder, packMatchesName, parseTrailer, sealChunk, unsealBlob } from '../../src/repository/pack.ts';

const dataKey = randomBytes(32);
const idKey = randomBytes(32);

function buildPack(n: number): { chunks: Buffer[]; ids: string[]; pack: ReturnType<PackBuilder['finish']> } {
  const b = new PackBuilder();
  const chunks = Array.from({ length: n }, (_, i) => randomBytes(1000 + i * 37));
  const ids = chunks.map((c) => chunkId(idKey, c).toString('hex'));
  chunks.forEach((c, i) => b.add(ids[i]!, sealChunk(dataKey, Buffer.from(ids[i]!, 'hex'), c, false), c.length));
  return { chunks, ids, pack: b.finish(dataKey) };
}

const noMore = async (): Promise<Buffer> => {
  throw new Error('unexpected read');
};

describe('pack format', () => {
  it('lists its blobs in an authenticated trailer', async () => {
    const { chunks, ids, pack } = buildPack(20);
    const entries = await parseTrailer(dataKey, pack.record.packId, pack.data.length, pack.data, noMore);
    assert.deepEqual(entries, pack.record.entries);
    entries.forEach((e, i) => {
      assert.equal(e.id, ids[i]);
      const opened = unsealBlob(dataKey, Buffer.from(e.id, 'hex'), pack.data.subarray(e.offset, e.offset + e.length));
      assert.deepEqual(opened?.payload, chunks[i]);
    });
  });

  it('is named by its sealed trailer; a version-1 name (hash of all its bytes) is accepted too', () => {
    const { pack } = buildPack(6);
    assert.ok(packMatchesName(pack.record.packId, pack.data));
    assert.ok(packMatchesName(createHash('sha256').update(pack.data).digest('hex'), pack.data));
    const trailerStart = pack.record.entries.at(-1)!.offset + pack.record.entries.at(-1)!.length;
    for (const at of [trailerStart, pack.data.length - 9, pack.data.length - 8]) {
      const bad = Buffer.from(pack.data);
      bad[at]! ^= 1;
      assert.equal(packMatchesName(pack.record.packId, bad), false, `flip at ${at}`);
    }
    assert.equal(packMatchesName(buildPack(6).pack.record.packId, pack.data), false, 'another pack');
  });

  it('reads the rest of a long trailer through the callback', async () => {
    const { pack } = buildPack(30);
    const tail = pack.data.subarray(pack.data.length - 100);
    const entries = await parseTrailer(dataKey, pack.record.packId, pack.data.length, tail, async (offset, length) =>
      pack.data.subarray(offset, offset + length),
    );
    assert.equal(entries.length, 30);
  });

  it('refuses a trailer with any byte changed, and a blob passed off as another chunk', async () => {
    const { pack, ids } = buildPack(5);
    const trailerStart = pack.record.entries.at(-1)!.offset + pack.record.entries.at(-1)!.length;
    for (const at of [trailerStart, trailerStart + 40, pack.data.length - 6, pack.data.length - 1]) {
      const bad = Buffer.from(pack.data);
      bad[at]! ^= 0x20;
      await assert.rejects(parseTrailer(dataKey, pack.record.packId, bad.length, bad, noMore), { code: 'RepositoryDataCorrupt' }, `flip at ${at}`);
    }
    const e0 = pack.record.entries[0]!;
    assert.equal(unsealBlob(dataKey, Buffer.from(ids[1]!, 'hex'), pack.data.subarray(e0.offset, e0.offset + e0.length)), null);
  });

  it('holds frames of several chunks, each chunk listed at its frame, and opens them whole', async () => {
    const b = new PackBuilder();
    const frames = [[700, 300, 1200], [5000], [10, 20]].map((sizes) => sizes.map((n) => randomBytes(n)));
    const members = frames.map((f) => f.map((c) => ({ id: chunkId(idKey, c).toString('hex'), rawLength: c.length })));
    frames.forEach((f, i) => b.addBlob(members[i]!, sealChunk(dataKey, blobAad(members[i]!), Buffer.concat(f), false)));
    const pack = b.finish(dataKey);
    const entries = await parseTrailer(dataKey, pack.record.packId, pack.data.length, pack.data, noMore);
    const blobs = blobsOf(entries);
    assert.deepEqual(blobs.map((bl) => bl.entries.map((e) => e.id)), members.map((m) => m.map((c) => c.id)));
    blobs.forEach((bl, i) => assert.deepEqual(openPackBlob(dataKey, pack.data, bl), Buffer.concat(frames[i]!)));
    // A frame does not open as a subset of its chunks, nor with them in another order.
    const first = blobs[0]!;
    assert.equal(openPackBlob(dataKey, pack.data, { ...first, entries: first.entries.slice(0, 2) }), null);
    assert.equal(openPackBlob(dataKey, pack.data, { ...first, entries: [first.entries[1]!, first.entries[0]!, first.entries[2]!] }), null);
  });

  it('round-trips index files and refuses damaged ones, naming them', () => {
    const records = [buildPack(3).pack.record, buildPack(4).pack.record];
    const { indexId, data } = encodeIndexFile(dataKey, records);
    assert.deepEqual(decodeIndexFile(dataKey, indexId, data), records);
    const bad = Buffer.from(data);
    bad[30]! ^= 1;
    assert.throws(() => decodeIndexFile(dataKey, indexId, bad), (e: Error) => e.message.includes(`index/${indexId}`));
    assert.throws(() => decodeIndexFile(randomBytes(32), indexId, data), { code: 'RepositoryDataCorrupt' });
  });
});
