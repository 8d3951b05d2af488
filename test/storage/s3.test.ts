// The S3 backend against s3rver, an S3-compatible server the test starts: the shared conformance
// suite, listing in small pages, and a streamed multipart upload checked byte for byte in the
// server's own files (an SDK computing request checksums against a custom endpoint made s3rver
// store the checksum trailer as object bytes).
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { openStorage } from '../../src/storage/backends.ts';
import { parseObjectStoreUrl } from '../../src/storage/object-url.ts';
import { clientFor, S3Storage } from '../../src/storage/s3.ts';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { isNotFound, isTransient } from '../../src/storage/storage.ts';
import { startS3rver, usePeer } from '../support/object-stores.ts';
import { digest, generated, storageConformance } from './suite.ts';

const s3rver = usePeer(startS3rver);
let buckets = 0;

storageConformance('s3 (s3rver)', async () => {
  const storage = new S3Storage(parseObjectStoreUrl(new URL(s3rver().url(`conformance-${++buckets}`, 'some/prefix'))), { listPageSize: 250 });
  return { storage, cleanup: async () => undefined };
}, {
  skip: {
    concurrentPuts: 's3rver writes a PutObject straight into the file of the key, so concurrent puts of one key mix there; S3 itself replaces objects atomically',
  },
});

/** The bytes s3rver keeps on its disk for an object. */
const stored = (bucket: string, key: string): string => join(s3rver().dir, bucket, `${key}._S3rver_object`);

describe('s3 backend against s3rver', () => {
  it('a streamed put of 100,000 bytes stores exactly those bytes', async () => {
    const s = openStorage(s3rver().url('checksums', 'p'));
    const data = randomBytes(100_000);
    await s.put('streamed', Readable.from([data.subarray(0, 30_000), data.subarray(30_000)]));
    assert.equal((await readFile(stored('checksums', 'p/streamed'))).length, 100_000);
    assert.ok((await readFile(stored('checksums', 'p/streamed'))).equals(data));
    assert.equal((await s.stat('streamed')).size, 100_000);
  });

  it('the client of a custom endpoint stores a streamed PutObject without adding checksum bytes', async () => {
    const loc = parseObjectStoreUrl(new URL(s3rver().url('raw-put')));
    await openStorage(s3rver().url('raw-put')).put('made', Buffer.from('bucket'));
    const data = randomBytes(100_000);
    await clientFor(loc).send(new PutObjectCommand({
      Bucket: 'raw-put', Key: 'streamed', Body: Readable.from([data.subarray(0, 40_000), data.subarray(40_000)]), ContentLength: data.length,
    }));
    const onDisk = await readFile(stored('raw-put', 'streamed'));
    assert.equal(onDisk.length, 100_000);
    assert.ok(onDisk.equals(data));
  });

  it('a streamed multipart upload is stored byte for byte', async () => {
    const s = openStorage(s3rver().url('multipart'));
    const size = 21 * 1024 * 1024 + 12_345; // three parts
    await s.put('parts/obj', generated(size, 7));
    const expected = await digest(generated(size, 7));
    assert.deepEqual(await digest(createReadStream(stored('multipart', 'parts/obj'))), expected, 'the server\'s own file');
    assert.deepEqual(await digest(await s.getStream('parts/obj')), expected, 'read back through the backend');
  });

  it('a storage under a bucket that does not exist yet lists nothing, reads not-found and creates it on the first put', async () => {
    const s = openStorage(s3rver().url('created-on-put'));
    for await (const info of s.list('')) assert.fail(`listed ${info.name}`);
    await assert.rejects(s.get('x'), (e: unknown) => isNotFound(e));
    await s.delete('x');
    await s.put('x', Buffer.from('y'));
    assert.equal((await s.get('x')).toString(), 'y');
  });

  it('an unreachable endpoint is a transient failure naming the storage, without credentials', async () => {
    const s = openStorage('s3://nowhere?endpoint=http%3A%2F%2F127.0.0.1%3A1&region=us-east-1');
    await assert.rejects(s.get('x'), (e: unknown) => {
      assert.ok(isTransient(e), String(e));
      assert.match((e as Error).message, /s3:\/\/nowhere/);
      assert.doesNotMatch((e as Error).message, /S3RVER/);
      return true;
    });
  });

  it('wrong credentials are a permanent failure whose message holds no secret', async () => {
    const saved = { ...process.env };
    process.env.AWS_ACCESS_KEY_ID = 'AKIDWRONGWRONG';
    process.env.AWS_SECRET_ACCESS_KEY = 'secretsecretsecret';
    try {
      // `localhost` rather than 127.0.0.1: a client of its own, which reads the changed variables.
      const s = new S3Storage(parseObjectStoreUrl(new URL(s3rver().url('creds-bucket').replace('127.0.0.1', 'localhost'))));
      await assert.rejects(s.put('x', Buffer.from('y')), (e: unknown) => {
        assert.equal(isTransient(e), false, String(e));
        assert.doesNotMatch((e as Error).message, /AKIDWRONGWRONG|secretsecretsecret/);
        return true;
      });
    } finally {
      process.env.AWS_ACCESS_KEY_ID = saved.AWS_ACCESS_KEY_ID;
      process.env.AWS_SECRET_ACCESS_KEY = saved.AWS_SECRET_ACCESS_KEY;
    }
  });
});
