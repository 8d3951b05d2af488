// Start-up cleanup of an interrupted restore as files, on real files: every `.partial` (of a file
// or of its checksum) is removed, and a checksum whose file never got its name; files named whole
// are kept and named in the message, and a set whose last file exists is complete.
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { removeInterruptedFiles } from '../../src/jobs/restore-files-cleanup.ts';
import { scratchDir } from '../support/scratch.ts';

function dirWith(names: string[]): { dir: string; files: string[] } {
  const dir = scratchDir('dpvault-files-cleanup-');
  for (const n of names) writeFileSync(join(dir, n), n);
  return { dir, files: ['p_roles.sql', 'p_database_a.sql', 'p_database_b.sql', 'p_manifest.json'].map((f) => join(dir, f)) };
}

test('a set killed while writing its third file: the partials and the orphan checksum go, the whole files stay and are named', async () => {
  const { dir, files } = dirWith([
    'p_roles.sql', 'p_roles.sql.sha256', 'p_database_a.sql', 'p_database_a.sql.sha256', 'p_database_b.sql.partial', 'p_database_b.sql.sha256.partial', 'other.partial',
  ]);
  const said = await removeInterruptedFiles(files);
  assert.deepEqual(readdirSync(dir).sort(), ['other.partial', 'p_database_a.sql', 'p_database_a.sql.sha256', 'p_roles.sql', 'p_roles.sql.sha256']);
  assert.match(said, /^Removed the half-written '[^']*p_database_b\.sql\.partial', '[^']*p_database_b\.sql\.sha256\.partial'\. /);
  assert.match(said, /p_roles\.sql', '[^']*p_database_a\.sql' were written completely, each with its checksum, and kept; '[^']*p_manifest\.json' was not/);
});

test('a checksum named just before the kill, its file not yet: the checksum goes too', async () => {
  const { dir, files } = dirWith(['p_roles.sql.sha256', 'p_roles.sql.partial']);
  const said = await removeInterruptedFiles(files);
  assert.deepEqual(readdirSync(dir), []);
  assert.match(said, /^Removed the half-written .*p_roles\.sql\.partial', .*p_roles\.sql\.sha256'\.$/);
});

test('a complete set (its last file named) is kept whole; a set never started says so', async () => {
  const complete = dirWith(['p_roles.sql', 'p_roles.sql.sha256', 'p_manifest.json', 'p_manifest.json.sha256']);
  assert.match(await removeInterruptedFiles(complete.files), /p_manifest\.json', written last, and every file before it were written completely before the stop and are kept\.$/);
  assert.equal(readdirSync(complete.dir).length, 4);
  const none = dirWith([]);
  assert.equal(await removeInterruptedFiles(none.files), 'It had written no file.');
  const single = dirWith(['p_roles.sql', 'p_roles.sql.sha256']);
  assert.match(await removeInterruptedFiles(single.files.slice(0, 1)), /p_roles\.sql' and its checksum were written completely/);
});
