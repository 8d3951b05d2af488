// Object store locations (src/storage/object-url.ts) and what errors may say about them
// (src/storage/object-errors.ts): pure, no store needed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openStorage } from '../../src/storage/backends.ts';
import { classifyObjectError, redact } from '../../src/storage/object-errors.ts';
import { describe as describeLocation, parseObjectStoreUrl } from '../../src/storage/object-url.ts';
import { isNotFound, isStorageFull, isTransient, STORAGE_OBJECT_ARCHIVED } from '../../src/storage/storage.ts';

const parse = (u: string) => parseObjectStoreUrl(new URL(u));

describe('object store locations', () => {
  it('parse bucket or container, prefix, endpoint, region and path style', () => {
    assert.deepEqual(parse('s3://my-bucket/a/b/?endpoint=http%3A%2F%2F127.0.0.1%3A9000&region=eu-west-1'), {
      scheme: 's3', container: 'my-bucket', prefix: 'a/b/', endpoint: 'http://127.0.0.1:9000', region: 'eu-west-1', forcePathStyle: true, archiveClass: 'GLACIER',
    });
    assert.deepEqual(parse('s3://bkt'), { scheme: 's3', container: 'bkt', prefix: '', endpoint: undefined, region: undefined, forcePathStyle: false, archiveClass: 'GLACIER' });
    assert.equal(parse('s3://bkt?archiveClass=DEEP_ARCHIVE').archiveClass, 'DEEP_ARCHIVE');
    assert.equal(parse('s3://bkt?endpoint=http://h:1&forcePathStyle=false').forcePathStyle, false);
    assert.deepEqual(parse('azblob://cont/x?endpoint=http://127.0.0.1:10000/devstoreaccount1'), {
      scheme: 'azblob', container: 'cont', prefix: 'x/', endpoint: 'http://127.0.0.1:10000/devstoreaccount1', region: undefined, forcePathStyle: true, archiveClass: undefined,
    });
  });

  it('refuse what is wrong with InvalidStorageLocation, never echoing credentials', () => {
    const bad: [string, RegExp][] = [
      ['s3://AKID:secretvalue@bkt/p', /credentials never go in the URL/],
      ['azblob://cont?endpoint=http://user:pw@h/acct', /must not carry credentials/],
      ['azblob://cont?endpoint=http://h/acct%3Fsig%3Dsecretvalue', /must not carry credentials/],
      ['azblob://cont?sig=secretvalue', /unknown parameter 'sig'/],
      ['s3://bkt?endpoint=ftp://h', /http or https/],
      ['s3://bkt?endpoint=nope', /not a URL/],
      ['s3://b', /not a valid bucket name/],
      ['azblob://a--b', /not a valid container name/],
      ['s3://bkt/a%20b', /prefix segment/],
      ['s3://bkt?region=EU%20West', /not a region/],
      ['s3://bkt?forcePathStyle=yes', /true or false/],
      ['s3://bkt?archiveClass=STANDARD', /archiveClass must be GLACIER or DEEP_ARCHIVE/],
      ['azblob://cont?archiveClass=GLACIER', /unknown parameter 'archiveClass'/],
      ['s3://bkt:9000/p', /port belongs in the endpoint/],
    ];
    for (const [u, why] of bad) {
      assert.throws(() => openStorage(u), (e: Error & { code?: string; kind?: string }) => {
        assert.equal(e.code, 'InvalidStorageLocation', u);
        assert.equal(e.kind, 'invalid', u);
        assert.match(e.message, why, u);
        assert.doesNotMatch(e.message, /secretvalue|AKID|pw@/, u);
        return true;
      }, u);
    }
  });

  it('describe a location by its parts only', () => {
    assert.equal(describeLocation(parse('s3://bkt/p/q?endpoint=http://h:1&region=r1')), 's3://bkt/p/q?endpoint=http%3A%2F%2Fh%3A1&region=r1');
    assert.equal(describeLocation(parse('azblob://cont')), 'azblob://cont');
  });
});

describe('object store errors', () => {
  const at = (status: number | undefined, code: string | undefined, message = 'm') => classifyObjectError('get', 'packs/x', 's3://b', { status, code, message }, 10);

  it('are classified by kind', () => {
    assert.ok(isNotFound(at(404, 'NoSuchKey')));
    assert.ok(isNotFound(at(404, undefined)));
    assert.equal(at(409, 'BlobArchived').code, STORAGE_OBJECT_ARCHIVED);
    assert.equal(at(403, 'InvalidObjectState').code, STORAGE_OBJECT_ARCHIVED);
    assert.ok(isStorageFull(at(507, undefined)));
    assert.ok(isStorageFull(at(400, 'XMinioStorageFull')));
    for (const [s, c] of [[503, 'SlowDown'], [500, undefined], [undefined, 'ECONNRESET'], [undefined, 'ECONNREFUSED'], [429, undefined]] as const) {
      assert.ok(isTransient(at(s, c)), `${s} ${c}`);
    }
    for (const [s, c] of [[403, 'AccessDenied'], [400, 'InvalidArgument'], [undefined, 'ERR_SOMETHING']] as const) {
      assert.equal(isTransient(at(s, c)), false, `${s} ${c}`);
    }
    assert.equal(at(undefined, 'CredentialsProviderError').code, 'StorageCredentialsMissing');
  });

  it('never carry a secret of the environment or of a signed URL', () => {
    const env = { AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI', AZURE_STORAGE_CONNECTION_STRING: 'AccountName=a;AccountKey=Zm9vYmFy;EndpointSuffix=x' };
    const text = 'bad wJalrXUtnFEMI and Zm9vYmFy at https://a/b?sv=1&sig=c2lnbmF0dXJl and AccountKey=other;';
    const out = redact(text, env);
    assert.doesNotMatch(out, /wJalrXUtnFEMI|Zm9vYmFy|c2lnbmF0dXJl|other/);
    assert.match(out, /sig=\*\*\*/);
    assert.doesNotMatch(at(403, 'AccessDenied', `denied for ${process.env.AWS_SECRET_ACCESS_KEY ?? 'x'} sig=abc`).message, /sig=abc/);
  });
});
