// `dpvault worker` and `dpvault server --no-worker` on a PostgreSQL catalog (issue 22), as real
// processes where it matters: a worker starts against the catalog, runs no API and stops on
// SIGTERM; it refuses to start without --database, with another master key than the catalog's,
// on a catalog a newer dpvault migrated, and (like a server) on backup data on this machine's
// filesystem unless --shared-filesystem says every process sees it; each refusal names what to
// change and leaves the catalog as it was. A --no-worker server starts no worker loop: a task
// queued to it stays queued. (With the task queue still per process, a task queued through a
// server cannot reach another process's worker yet: that cross-process test waits for the queue
// on PostgreSQL.)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startService, startWorker } from '../../src/app.ts';
import { PgCatalogConnection } from '../../src/catalog/postgres-connection.ts';
import { DpError } from '../../src/domain/errors.ts';
import { catalogProcesses } from '../support/catalog-processes.ts';
import { CLI_BIN } from '../support/service.ts';
import { startServerProcess } from '../support/server-process.ts';

const { cluster: pg, freshDatabase, dataDirWithKey, scratch } = catalogProcesses('worker');

/** The catalog's settings (name, value), to see that a refused start wrote nothing. */
async function settingsOf(db: string): Promise<string[]> {
  const exists = await pg().query<{ t: string | null }>(db, "SELECT to_regclass('dpvault.settings')::text AS t");
  if (!exists[0]?.t) return [];
  return (await pg().query<{ key: string }>(db, 'SELECT key FROM dpvault.settings ORDER BY key')).map((r) => r.key);
}

/** Runs `dpvault worker ARGS` expecting it to exit by itself (killed after 60 s otherwise). */
async function runWorker(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI_BIN, 'worker', ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DPVAULT_SERVER_REEXEC: '1', ...env } });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const limit = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(limit);
  return { code, stderr };
}

describe('dpvault worker', () => {
  it('starts against a PostgreSQL catalog, serves no API, and stops on SIGTERM', async () => {
    const { url } = await freshDatabase();
    const key = randomBytes(32).toString('hex');
    const server = await startServerProcess(dataDirWithKey(key), ['--database', url, '--shared-filesystem']);
    try {
      const d = dataDirWithKey(key);
      const child = spawn(process.execPath, [CLI_BIN, 'worker', '--data-dir', d, '--database', url, '--shared-filesystem', '--concurrency', '3'], {
        stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DPVAULT_SERVER_REEXEC: '1' },
      });
      let said = '';
      const exited = new Promise<string>((resolve) => child.on('close', (c, signal) => resolve(`${c ?? signal}`)));
      await new Promise<void>((resolve, reject) => {
        child.stderr.on('data', (chunk: Buffer) => {
          said += chunk.toString();
          if (said.includes('dpvault worker running')) resolve();
        });
        void exited.then((c) => reject(new Error(`worker exited ${c}: ${said}`)));
      });
      assert.match(said, /running up to 3 task\(s\) at once/);
      assert.match(said, /catalog in postgresql:\/\/postgres:\*\*\*@/);
      assert.ok(!said.includes(pg().superuserPassword), said);
      assert.doesNotMatch(said, /listening/);
      assert.ok(!existsSync(join(d, 'catalog.sqlite')), 'the catalog is PostgreSQL');
      child.kill('SIGTERM');
      assert.equal(await exited, '0', said);
      assert.match(said, /stopping: waiting for the running tasks[\s\S]*stopped/);
    } finally {
      await server.stop();
    }
  });

  it('refuses to start without --database, and says why', async () => {
    const r = await runWorker(['--data-dir', dataDirWithKey(randomBytes(32).toString('hex'))], { DPVAULT_DATABASE: '' });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /dpvault worker runs the jobs of servers that share a PostgreSQL catalog: give --database/);
    assert.match(r.stderr, /embedded installation/);
    const dataDir = dataDirWithKey(randomBytes(32).toString('hex'));
    await assert.rejects(startWorker({ dataDir }), (e: DpError) => e.code === 'InvalidArgumentValueError' && /give --database/.test(e.message));
    assert.ok(!existsSync(join(dataDir, 'catalog.sqlite')), 'nothing was opened');
  });

  it('refuses another master key than the catalog\'s, and writes nothing', async () => {
    const { url, name } = await freshDatabase();
    const first = await startService({ dataDir: dataDirWithKey(randomBytes(32).toString('hex')), database: url, port: 0, sharedFilesystem: true, runJobs: false });
    try {
      const before = await settingsOf(name);
      const r = await runWorker(['--data-dir', dataDirWithKey(randomBytes(32).toString('hex')), '--database', url, '--shared-filesystem']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /MasterKeyMismatch/);
      assert.match(r.stderr, /every server and worker on one catalog must share the master key \(DPVAULT_MASTER_KEY/);
      assert.deepEqual(await settingsOf(name), before);
    } finally {
      await first.close();
    }
  });

  it('refuses a catalog migrated by a newer dpvault, and says which version', async () => {
    const { url, name } = await freshDatabase();
    const key = randomBytes(32).toString('hex');
    await (await startService({ dataDir: dataDirWithKey(key), database: url, port: 0, sharedFilesystem: true, runJobs: false })).close();
    const newer = PgCatalogConnection.schemaVersion + 1;
    await pg().query(name, `INSERT INTO dpvault.schema_version VALUES (${newer})`);
    const r = await runWorker(['--data-dir', dataDirWithKey(key), '--database', url, '--shared-filesystem']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /CatalogSchemaNewer/);
    assert.match(r.stderr, new RegExp(`version ${newer}, newer than this dpvault knows`));
  });

  it('refuses backup data on this machine\'s filesystem without --shared-filesystem, naming the setting; the catalog is left as it was', async () => {
    const { url, name } = await freshDatabase();
    const key = randomBytes(32).toString('hex');
    const local = scratch('dpvault-local-store-');
    const cases: [string[], RegExp][] = [
      [['--storage', `file://${local}`], /--storage keeps backup data on this machine's filesystem/],
      [[], /The default storage \(no --storage, DPVAULT_STORAGE or config file\) keeps backup data on this machine's filesystem/],
      [['--storage', 'azblob://c?endpoint=http://127.0.0.1:1/acct', '--location-storage', `westus=${local}`], /--location-storage westus=\.\.\. keeps backup data on this machine's filesystem/],
    ];
    for (const [args, said] of cases) {
      const r = await runWorker(['--data-dir', dataDirWithKey(key), '--database', url, ...args]);
      assert.notEqual(r.code, 0, r.stderr);
      assert.match(r.stderr, /LocalStorageNotShared/);
      assert.match(r.stderr, said);
      assert.match(r.stderr, /add --shared-filesystem to every server and worker/);
      assert.deepEqual(await settingsOf(name), [], 'nothing was written to the catalog');
    }
    // A server too.
    await assert.rejects(startService({ dataDir: dataDirWithKey(key), database: url, port: 0 }), (e: DpError) => e.code === 'LocalStorageNotShared');
    assert.deepEqual(await settingsOf(name), []);
  });
});

describe('dpvault server --no-worker', () => {
  it('serves the API and starts no worker loop: a queued task stays queued', async () => {
    const { url } = await freshDatabase();
    const svc = await startService({ dataDir: dataDirWithKey(randomBytes(32).toString('hex')), database: url, port: 0, sharedFilesystem: true, runJobs: false });
    try {
      assert.equal('worker' in svc, false);
      assert.equal(svc.ctx.onTaskQueued, undefined, 'nothing is poked when a task is queued');
      assert.equal(await svc.ctx.queue.enqueue('verify', { jobId: 'no-such-job' } as never, { runAt: svc.ctx.clock.now().toISOString() }), true);
      const res = await svc.app.request('GET', '/subscriptions?api-version=2022-12-01');
      assert.equal(res.status, 401, 'the API answers (and asks for a token)');
      // A worker would claim a due task within its poll interval (half a second); give it four.
      await new Promise((r) => setTimeout(r, 2000));
      assert.deepEqual((await svc.ctx.queue.list('queued')).map((t) => t.kind), ['verify']);
    } finally {
      await svc.close();
    }
  });

  it('says so when it starts, as a process', async () => {
    const { url } = await freshDatabase();
    const server = await startServerProcess(dataDirWithKey(randomBytes(32).toString('hex')), ['--database', url, '--shared-filesystem', '--no-worker']);
    try {
      assert.match(server.output(), /running no jobs: --no-worker/);
    } finally {
      await server.stop();
    }
  });
});
