// Which allowed container a restore as files' target URL names (pure): az's account URL mapped to
// an endpoint the operator configured, the container's own URLs, prefixes, and refusals that
// never echo a URL's query or credentials.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allowedContainers, locationUrl, resolveContainerTarget } from '../../src/storage/restore-containers.ts';

const AZURITE = 'http://127.0.0.1:10000/devstoreaccount1';
const allowed = allowedContainers([
  `azblob://restores?endpoint=${encodeURIComponent(AZURITE)}`,
  'azblob://west/pg?endpoint=https%3A%2F%2Fprodacct.blob.core.windows.net',
  'azblob://fromenv',
  's3://bucket/dumps?endpoint=http%3A%2F%2F127.0.0.1%3A9000&region=us-east-1',
], { AZURE_STORAGE_ACCOUNT: 'EnvAcct' });

const refused = (url: string, code: string, pattern?: RegExp) =>
  assert.throws(() => resolveContainerTarget(url, allowed), (e: Error & { code?: string }) => {
    assert.equal(e.code, code);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });

describe('restore container targets', () => {
  it("maps az's https://ACCOUNT.blob.core.windows.net/CONTAINER to the endpoint configured for that account", () => {
    const t = resolveContainerTarget('https://devstoreaccount1.blob.core.windows.net/restores', allowed);
    assert.equal(t.location.endpoint, AZURITE);
    assert.equal(t.location.container, 'restores');
    assert.equal(t.location.prefix, '');
    assert.equal(t.shown, 'https://devstoreaccount1.blob.core.windows.net/restores');
    const prod = resolveContainerTarget('https://prodacct.blob.core.windows.net/west/pg/jan', allowed);
    assert.equal(prod.location.endpoint, 'https://prodacct.blob.core.windows.net');
    assert.equal(prod.location.prefix, 'pg/jan/');
    // The account of an entry without endpoint is the environment's.
    assert.equal(resolveContainerTarget('https://envacct.blob.core.windows.net/fromenv', allowed).location.endpoint, undefined);
  });

  it("takes the container's own URLs: azblob://, s3:// and the endpoint's path-style URL", () => {
    const s3 = resolveContainerTarget('s3://bucket/dumps/x', allowed);
    assert.equal(s3.location.endpoint, 'http://127.0.0.1:9000');
    assert.equal(s3.location.prefix, 'dumps/x/');
    assert.equal(s3.location.region, 'us-east-1');
    assert.equal(locationUrl(s3.location), 's3://bucket/dumps/x?endpoint=http%3A%2F%2F127.0.0.1%3A9000&region=us-east-1');
    assert.equal(resolveContainerTarget(`s3://bucket/dumps?endpoint=${encodeURIComponent('http://127.0.0.1:9000')}`, allowed).location.prefix, 'dumps/');
    assert.equal(resolveContainerTarget('azblob://restores/a', allowed).location.endpoint, AZURITE);
    const pathStyle = resolveContainerTarget(`${AZURITE}/restores/b`, allowed);
    assert.equal(pathStyle.location.container, 'restores');
    assert.equal(pathStyle.location.prefix, 'b/');
  });

  it('refuses a container, account, endpoint or prefix the operator did not allow', () => {
    refused('https://otheracct.blob.core.windows.net/restores', 'UserErrorRestoreTargetNotAllowed', /otheracct.*--restore-files-container/);
    refused('https://devstoreaccount1.blob.core.windows.net/elsewhere', 'UserErrorRestoreTargetNotAllowed');
    refused('https://prodacct.blob.core.windows.net/west/other', 'UserErrorRestoreTargetNotAllowed');
    refused('s3://bucket/other', 'UserErrorRestoreTargetNotAllowed');
    refused('s3://bucket/dumps?endpoint=http%3A%2F%2Fevil.example%3A9000', 'UserErrorRestoreTargetNotAllowed');
    refused('http://169.254.169.254/latest/meta-data', 'UserErrorRestoreTargetNotAllowed');
    assert.throws(() => resolveContainerTarget('s3://bucket/dumps', []), /allows no container/);
  });

  it('refuses credentials in the URL without repeating them', () => {
    for (const url of [
      'https://devstoreaccount1.blob.core.windows.net/restores?sv=2020&sig=SECRETSIG',
      'https://user:SECRETPW@devstoreaccount1.blob.core.windows.net/restores',
      's3://bucket/dumps?secret=SECRETSIG',
    ]) {
      assert.throws(() => resolveContainerTarget(url, allowed), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'UserErrorInvalidRequestParameter');
        assert.doesNotMatch(e.message, /SECRET/);
        return true;
      });
    }
    refused('s3://bucket/dumps/..bad/x', 'UserErrorInvalidRequestParameter', /path segment/);
  });

  it('refuses an allowed entry that is not a container URL, naming it without its query', () => {
    assert.throws(() => allowedContainers(['ftp://x/y']), /No storage backend handles 'ftp:'/);
    assert.throws(() => allowedContainers(['azblob://Bad_Name']), /not a valid container name/);
  });
});
