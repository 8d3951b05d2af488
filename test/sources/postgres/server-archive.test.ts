// The whole-server recovery point's layout (src/sources/postgres/server-archive.ts): entries come
// back byte for byte whatever the chunking and however many escape bytes they hold, an unread
// entry is skipped, damage is named, and equal content gives equal bytes (what deduplicates).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { SERVER_ARCHIVE_MAGIC, archiveEntry, readServerArchive, type ServerEntryHeader } from '../../../src/sources/postgres/server-archive.ts';

async function* from(...parts: Buffer[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield p;
}

async function encode(entries: [ServerEntryHeader, Buffer[]][]): Promise<Buffer> {
  const out: Buffer[] = [SERVER_ARCHIVE_MAGIC];
  for (const [h, body] of entries) for await (const b of archiveEntry(h, from(...body))) out.push(Buffer.from(b));
  return Buffer.concat(out);
}

/** `bytes` cut into pieces of 1 to `max` bytes. */
function* pieces(bytes: Buffer, max: number): Generator<Buffer> {
  for (let at = 0; at < bytes.length;) {
    const n = 1 + Math.floor(Math.random() * max);
    yield bytes.subarray(at, at + n);
    at += n;
  }
}

async function decode(bytes: Buffer, max: number, read = (_: ServerEntryHeader) => true): Promise<[ServerEntryHeader, Buffer | null][]> {
  const got: [ServerEntryHeader, Buffer | null][] = [];
  for await (const e of readServerArchive(from(...pieces(bytes, max)))) {
    if (!read(e)) {
      got.push([{ name: e.name, kind: e.kind }, null]);
      continue;
    }
    const parts: Buffer[] = [];
    for await (const p of e.body) parts.push(Buffer.from(p));
    got.push([{ name: e.name, kind: e.kind }, Buffer.concat(parts)]);
  }
  return got;
}

describe('server archive', () => {
  const escapes = Buffer.alloc(5000, 0xdb);
  const mixed = Buffer.concat([randomBytes(20000), escapes, Buffer.of(0xdb, 0x00, 0xdb, 0x03, 0xdb, 0x01), randomBytes(3000)]);
  const entries: [ServerEntryHeader, Buffer[]][] = [
    [{ name: 'roles', kind: 'roles' }, [Buffer.from('CREATE ROLE app;\n')]],
    [{ name: 'tablespaces', kind: 'tablespaces' }, []],
    [{ name: 'shop\u06db', kind: 'database' }, [mixed.subarray(0, 7777), mixed.subarray(7777)]],
    [{ name: 'empty', kind: 'database' }, [Buffer.alloc(0)]],
  ];

  it('gives every entry back byte for byte, whatever the chunking', async () => {
    const bytes = await encode(entries);
    for (const max of [1, 2, 3, 64, 100000]) {
      const got = await decode(bytes, max);
      assert.deepEqual(got.map(([h]) => h), entries.map(([h]) => h));
      got.forEach(([, body], i) => assert.ok(body!.equals(Buffer.concat(entries[i]![1])), `entry ${i}, pieces of ${max}`));
    }
  });

  it('skips an entry left unread or read in part', async () => {
    const bytes = await encode(entries);
    const got = await decode(bytes, 50, (h) => h.kind !== 'database' || h.name === 'empty');
    assert.deepEqual(got.map(([h, b]) => [h.name, b?.length ?? null]), [['roles', 17], ['tablespaces', 0], ['shop\u06db', null], ['empty', 0]]);
    const partly: string[] = [];
    for await (const e of readServerArchive(from(bytes))) {
      partly.push(e.name);
      for await (const _ of e.body) break;
    }
    assert.deepEqual(partly, ['roles', 'tablespaces', 'shop\u06db', 'empty']);
  });

  it('writes equal content as equal bytes', async () => {
    const a = await encode([[{ name: 'a', kind: 'database' }, [mixed]]]);
    const b = await encode([[{ name: 'b', kind: 'database' }, [mixed.subarray(0, 3), mixed.subarray(3)]]]);
    // Past the header, which names the database, the bytes are the same.
    assert.ok(a.subarray(a.length - mixed.length).equals(b.subarray(b.length - mixed.length)));
  });

  it('names damage: another stream, a truncated one, an unknown escape', async () => {
    const bytes = await encode(entries);
    const cases: [Buffer, RegExp][] = [
      [Buffer.from('PGDMP...'), /does not start as a whole-server recovery point/],
      [bytes.subarray(0, bytes.length - 1), /ends inside an entry|does not end properly/],
      [Buffer.concat([SERVER_ARCHIVE_MAGIC, Buffer.from('junk')]), /entry does not start/],
    ];
    for (const [damaged, message] of cases) {
      await assert.rejects(decode(damaged, 7), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'UserErrorRecoveryPointDataCorrupt');
        assert.match(e.message, message);
        return true;
      });
    }
  });
});

describe('giving buffers back', () => {
  it('gives a body buffer back at once when escaping copied it, and leaves one passed on as it is to the reader', async () => {
    const plain = Buffer.from('no escape here');
    const withEsc = Buffer.from([1, 0xdb, 2]);
    const given: Uint8Array[] = [];
    async function* body(): AsyncGenerator<Buffer> {
      yield plain;
      yield withEsc;
    }
    const out: Buffer[] = [];
    for await (const b of archiveEntry({ name: 'db', kind: 'database' }, body(), (c) => given.push(c))) out.push(b);
    assert.deepEqual(given, [withEsc]);
    assert.ok(out.includes(plain), 'passed on as it is');
    assert.ok(!out.includes(withEsc), 'a copy, escaped');
  });
});
