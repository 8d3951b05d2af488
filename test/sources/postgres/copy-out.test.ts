// Rows read straight off the copy session's socket, on a real cluster: through a SlabReads socket
// (reads into a few reused buffers) they are the same bytes as through the pg library's own
// socket, whatever the consumer holds on to and however slowly it reads, over TCP or a Unix
// socket, and the buffers go round when the consumer gives the pieces back.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import { rawCopy } from '../../../src/sources/postgres/copy-out.ts';
import { connect } from '../../../src/sources/postgres/probe.ts';
import { slabReadsOf, type SlabReads } from '../../../src/sources/postgres/slab-socket.ts';
import { startCluster, type PgCluster } from '../../support/pg-cluster.ts';

let cluster: PgCluster;
const SQL = 'COPY (SELECT * FROM rows ORDER BY id) TO STDOUT; COPY (SELECT * FROM little) TO STDOUT';

before(async () => {
  cluster = await startCluster();
  // ~24 MB of rows of varied lengths, some longer than a socket read, and a small second table.
  await cluster.createDatabase('copy', `
CREATE TABLE rows (id int PRIMARY KEY, v text);
INSERT INTO rows SELECT g, repeat(md5(g::text), 1 + g % 40) || CASE WHEN g % 5000 = 0 THEN repeat('x', 300000) ELSE '' END FROM generate_series(1, 40000) g;
CREATE TABLE little (v text);
INSERT INTO little VALUES ('a'), (E'tab\\there');
`);
});
after(async () => {
  await cluster?.stop();
});

const slabsOf = (client: pg.Client): SlabReads | null => slabReadsOf((client as unknown as { connection: { stream: object } }).connection.stream);
const digest = (parts: Buffer[]): string => createHash('sha256').update(Buffer.concat(parts)).digest('hex');

/** The copy's pieces as the library's own socket delivers them (a new buffer per read). */
async function viaLibrary(): Promise<{ bytes: string; ends: number }> {
  const client = await connect(cluster.connection('copy'));
  assert.equal(slabsOf(client), null);
  const out: Buffer[] = [];
  let ends = 0;
  for await (const ev of rawCopy(client, SQL, 4).events) {
    if (ev.kind === 'data') out.push(Buffer.from(ev.bytes));
    else ends++;
  }
  return { bytes: digest(out), ends };
}

test('rows read into reused buffers are the bytes the library reads, and the buffers go round', async () => {
  const expected = await viaLibrary();
  assert.equal(expected.ends, 2);

  const client = await connect(cluster.connection('copy'), { slabReads: true });
  const slabs = slabsOf(client);
  assert.ok(slabs, 'the session reads through a SlabReads socket');
  await client.query('SELECT 1'); // the library's own queries still work on it
  const copy = rawCopy(client, SQL, 4);
  // Holds up to HOLD pieces before copying and giving back the oldest, and now and then lets
  // reads pile up: a piece given back too early, or read over while out, would show below.
  const HOLD = 8;
  const held: Buffer[] = [];
  const out: Buffer[] = [];
  let total = 0;
  let ends = 0;
  let i = 0;
  const giveBack = (): void => {
    const piece = held.shift()!;
    out.push(Buffer.from(piece));
    copy.recycle(piece);
  };
  for await (const ev of copy.events) {
    if (ev.kind === 'end') {
      ends++;
      continue;
    }
    total += ev.bytes.length;
    held.push(ev.bytes);
    if (held.length > HOLD) giveBack();
    if (++i % 50 === 0) await new Promise((r) => setTimeout(r, 2));
  }
  while (held.length) giveBack();
  assert.equal(ends, 2);
  assert.equal(digest(out), expected.bytes);
  assert.ok(total > 20 * 1024 * 1024, `${total} bytes copied`);
  // In use at once: the slab being read into, those of the queued reads (up to 5) and of the
  // read being translated, and those of the held pieces; without recycling, 80 or more.
  assert.ok(slabs.slabCount <= HOLD + 8, `${slabs.slabCount} slabs for ${total} bytes`);
});

test('a consumer that gives nothing back still reads every byte', async () => {
  const expected = await viaLibrary();
  const client = await connect(cluster.connection('copy'), { slabReads: true });
  const out: Buffer[] = [];
  for await (const ev of rawCopy(client, SQL, 4).events) if (ev.kind === 'data') out.push(ev.bytes);
  assert.equal(digest(out), expected.bytes);
});

test('over a Unix socket too', async () => {
  const expected = await viaLibrary();
  const client = await connect({ ...cluster.connection('copy'), host: cluster.dir, password: null }, { slabReads: true });
  assert.ok(slabsOf(client), 'the session reads through a SlabReads socket');
  const copy = rawCopy(client, SQL, 4);
  const out: Buffer[] = [];
  for await (const ev of copy.events) {
    if (ev.kind !== 'data') continue;
    out.push(Buffer.from(ev.bytes));
    copy.recycle(ev.bytes);
  }
  assert.equal(digest(out), expected.bytes);
});
