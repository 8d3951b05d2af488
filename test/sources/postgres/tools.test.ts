// Discovery of pg_dump/pg_restore/psql by major version, on this machine's real installation
// and on PATH directories built for the test.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DpError } from '../../../src/domain/errors.ts';
import { findTool, majorFromVersionNum, parseMajorVersion, TOOL_NOT_FOUND } from '../../../src/sources/postgres/tools.ts';
import { serverMajor } from '../../support/pg-bin.ts';

const scratch = mkdtempSync(join(tmpdir(), 'dpvault-tools-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A directory with an executable `name` that reports `version` like pg_dump does. */
function fakeToolDir(sub: string, name: string, version: string): string {
  const dir = join(scratch, sub);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), `#!/bin/sh\necho "${name} (PostgreSQL) ${version}"\n`, { mode: 0o755 });
  return dir;
}

test('reads major versions from --version output and server_version_num', () => {
  assert.equal(parseMajorVersion('pg_dump (PostgreSQL) 15.13 (Debian 15.13-0+deb12u1)'), 15);
  assert.equal(parseMajorVersion('pg_restore (PostgreSQL) 9.6.24'), 9.6);
  assert.equal(parseMajorVersion('psql (PostgreSQL) 17beta2'), 17);
  assert.equal(parseMajorVersion('PostgreSQL 16.4 on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit'), 16);
  assert.equal(parseMajorVersion('no version here'), null);
  assert.equal(majorFromVersionNum(150013), 15);
  assert.equal(majorFromVersionNum(90624), 9.6);
});

test("finds pg_dump, pg_restore and psql of the installed server's major version", async () => {
  const major = serverMajor();
  for (const name of ['pg_dump', 'pg_restore', 'psql'] as const) {
    const file = await findTool(name, major);
    assert.ok(file.endsWith(`/${name}`), file);
    const out = execFileSync(file, ['--version'], { encoding: 'utf8' });
    assert.equal(parseMajorVersion(out), major, `${file}: ${out}`);
    assert.equal(await findTool(name, major), file, 'a second call answers the same from the cache');
  }
});

test('a PATH binary counts only when its own --version reports the wanted major', async () => {
  const old = fakeToolDir('v41', 'pg_dump', '41.2');
  const good = fakeToolDir('v42', 'pg_dump', '42.0');
  const path = [old, good].join(':');
  assert.equal(await findTool('pg_dump', 42, { path }), join(good, 'pg_dump'));
  await assert.rejects(findTool('pg_dump', 43, { path }), (e: unknown) => e instanceof DpError && e.code === TOOL_NOT_FOUND);
});

test('a missing version fails with UserErrorBackupToolNotFound naming the version and how to install it', async () => {
  await assert.rejects(findTool('pg_restore', 99, { path: scratch }), (e: unknown) => {
    assert.ok(e instanceof DpError);
    assert.equal(e.code, TOOL_NOT_FOUND);
    assert.match(e.message, /pg_restore of PostgreSQL 99 was not found/);
    assert.match(e.message, /apt-get install postgresql-client-99/);
    return true;
  });
});
