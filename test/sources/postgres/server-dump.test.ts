// The whole-server dump on a real cluster gives its readers' buffers back to the database dump
// that made them (as a backup gives them back): a big table's socket reads then go round in a few
// slabs instead of a new 256 KiB buffer per read held until the database's dump ends, which took
// a scale-10 server of three databases to 747 MiB. The archive read that way is whole.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readServerArchive } from '../../../src/sources/postgres/server-archive.ts';
import { startServerDump } from '../../../src/sources/postgres/server-dump.ts';
import { recyclerOf } from '../../../src/util/recycle.ts';
import { startCluster, type PgCluster } from '../../support/pg-cluster.ts';

let cluster: PgCluster;
// About 24 MB of random text per database, copied in key order (minTableBytes 0).
const BIG_SQL = 'CREATE TABLE big (id int PRIMARY KEY, body text); INSERT INTO big SELECT g, repeat(md5(g::text || random()::text), 8) FROM generate_series(1, 90000) g;';

before(async () => {
  cluster = await startCluster();
  await cluster.createDatabase('one', BIG_SQL);
  await cluster.createDatabase('two', BIG_SQL);
});
after(async () => {
  await cluster?.stop();
});

test('buffers given back as they are read go round: a few dozen distinct buffers for 48 MB, and every entry arrives', async () => {
  const dump = startServerDump({ ...cluster.connection('postgres'), host: '127.0.0.1' }, { major: cluster.version, databases: ['one', 'two'], minTableBytes: 0 });
  const recycle = recyclerOf(dump.stdout);
  assert.ok(recycle, 'the server dump takes its pieces back');
  const buffers = new Set<ArrayBufferLike>();
  let total = 0;
  async function* read(): AsyncGenerator<Buffer> {
    for await (const chunk of dump.stdout as AsyncIterable<Buffer>) {
      buffers.add(chunk.buffer);
      total += chunk.length;
      yield Buffer.from(chunk);
      recycle!(chunk);
    }
  }
  const entries: string[] = [];
  for await (const entry of readServerArchive(read())) {
    let bytes = 0;
    for await (const b of entry.body) bytes += b.length;
    entries.push(`${entry.kind} ${entry.name} ${bytes > 0}`);
  }
  await dump.done;
  assert.deepEqual(entries, ['roles roles true', 'tablespaces tablespaces true', 'database one true', 'database two true']);
  assert.ok(total > 40e6, `${total} bytes`);
  // Without giving them back, every 256 KiB slab is new: 180 or more for 48 MB.
  assert.ok(buffers.size < 60, `${buffers.size} distinct buffers for ${total} bytes`);
});
