// The repository's range reads (src/repository/io.ts) on a real filesystem storage, with its
// positional read and without it (the stream path object stores take): the same bytes, and the
// same refusal of a range past the end of the object (a truncated pack).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readRange, readRangeInto } from '../../src/repository/io.ts';
import { FsStorage } from '../../src/storage/fs.ts';
import { isNotFound, STORAGE_INVALID_RANGE, type Storage } from '../../src/storage/storage.ts';

/** `storage` as an object store looks to the repository: no positional reads. */
function withoutReadInto(storage: FsStorage): Storage {
  return {
    displayName: storage.displayName,
    properties: storage.properties,
    put: (n, d) => storage.put(n, d),
    get: (n) => storage.get(n),
    getStream: (n, r) => storage.getStream(n, r),
    stat: (n) => storage.stat(n),
    list: (p) => storage.list(p),
    delete: (n) => storage.delete(n),
  };
}

describe('range reads, in place and streamed', () => {
  let dir: string;
  let fs: FsStorage;
  const data = randomBytes(300_000);
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dpv-io-'));
    fs = new FsStorage(dir);
    await fs.put('packs/p', data);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  for (const [label, storage] of [['in place', () => fs], ['streamed', () => withoutReadInto(fs)]] as const) {
    it(`${label}: reads exactly the range, and refuses one past the end or of a missing object`, async () => {
      const s = storage();
      assert.equal(typeof s.readInto === 'function', label === 'in place');
      const into = Buffer.from(new SharedArrayBuffer(200_000));
      assert.equal(await readRangeInto(s, 'packs/p', 99_999, into), 200_000);
      assert.ok(into.equals(data.subarray(99_999, 299_999)));
      assert.ok((await readRange(s, 'packs/p', 17, 1000)).equals(data.subarray(17, 1017)));
      assert.equal((await readRange(s, 'packs/p', data.length, 0)).length, 0);
      await assert.rejects(readRangeInto(s, 'packs/p', 200_000, Buffer.alloc(100_001)), { code: STORAGE_INVALID_RANGE });
      await assert.rejects(readRange(s, 'packs/p', data.length + 1, 0), { code: STORAGE_INVALID_RANGE });
      await assert.rejects(readRange(s, 'packs/q', 0, 10), (e: unknown) => isNotFound(e));
    });
  }
});
