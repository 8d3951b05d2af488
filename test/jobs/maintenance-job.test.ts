// Vault maintenance against a real catalog and store, on an injected clock: the packs a killed
// backup left are collected once the grace period has passed and never before, the space used
// comes back to what the live recovery points need, and maintenance beside a running backup
// leaves that backup whole.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { runMaintenanceJob } from '../../src/jobs/maintenance-job.ts';
import { queueMaintenance } from '../../src/services/vault-maintenance.ts';
import { backupDataStorage } from '../../src/storage/factory.ts';
import { vaultStoreKey } from '../../src/domain/recovery-point-store.ts';
import type { BackupVault } from '../../src/domain/vault.ts';
import { loadJob } from '../../src/services/jobs.ts';
import { protectedFixture, type Fixture } from './protected-fixture.ts';
import { seriesBase, weeklyStreams } from '../repository/locality-series.ts';

let fx: Fixture;
beforeEach(async () => {
  // The store's files carry real modification times: the injected clock starts at the real time.
  fx = await protectedFixture(new Date().toISOString());
});
afterEach(() => fx.close());

const HOUR = 3_600_000;
const repoDir = (): string => backupDataStorage(fx.dataDir).location(vaultStoreKey(fx.vaultId), 'VaultStore');

/**
 * Bytes of every pack in the vault's VaultStore. (Not the temporary file of the put the kill
 * interrupted: the server removes those when it starts, recovery.ts.)
 */
async function packBytes(): Promise<number> {
  let total = 0;
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (!e.name.startsWith('.')) total += (await stat(p)).size;
    }
  };
  await walk(join(repoDir(), 'packs'));
  return total;
}

/** Runs a maintenance job now, as `POST {vault}/maintain` queues it; returns the finished job. */
async function maintain(): Promise<any> {
  const v = (await fx.ctx.catalog.getResource<BackupVault>(fx.vaultId))!.body;
  const jobId = await queueMaintenance(fx.ctx, v, true);
  await runMaintenanceJob(fx.ctx, { jobId });
  return loadJob(fx.ctx, jobId);
}

/** A backup into the vault's store in another process, killed without warning once it has written an index file. */
async function killedBackup(): Promise<void> {
  const indexDir = join(repoDir(), 'index');
  const initial = (await readdir(indexDir)).length;
  const script = `
    import { randomBytes } from 'node:crypto';
    import { Readable } from 'node:stream';
    import { Repository } from ${JSON.stringify(new URL('../../src/repository/repository.ts', import.meta.url).href)};
    import { FsStorage } from ${JSON.stringify(new URL('../../src/storage/fs.ts', import.meta.url).href)};
    const repo = await Repository.open(new FsStorage(${JSON.stringify(repoDir())}), Buffer.from(process.env.KEY, 'hex'), { clock: { now: () => new Date() } });
    async function* forever() { for (;;) { yield randomBytes(65536); await new Promise((r) => setImmediate(r)); } }
    await repo.backup(Readable.from(forever()));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, KEY: fx.ctx.masterKey.toString('hex') } });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise((r) => child.once('exit', r));
  for (let i = 0; i < 1500 && (await readdir(indexDir)).length <= initial; i++) {
    if (child.exitCode !== null) assert.fail(`the backup process exited early: ${stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  // Some more packs after the index file, unindexed ones among them.
  await new Promise((r) => setTimeout(r, 200));
  child.kill('SIGKILL');
  await exited;
}

describe('vault maintenance', () => {
  it('collects a killed backup\'s packs once the grace period has passed, never before; the space returns to what live points need', async () => {
    const content = randomBytes(3 * 1024 * 1024).toString('base64');
    const a = await fx.addPoint('2025-01-05T22:00:00Z', 'Default', content);
    const b = await fx.addPoint('2025-01-08T22:00:00Z', 'Default', content.slice(0, 2_000_000) + 'changed' + content.slice(2_000_000));
    const needed = await packBytes();
    await killedBackup();
    const left = await packBytes();
    assert.ok(left > needed + 4 * 1024 * 1024, `the killed backup left packs: ${left - needed} bytes`);

    // Within the grace period (24 h after the packs were written), nothing of theirs goes.
    fx.clock.advance(23 * HOUR);
    const early = await maintain();
    assert.equal(early.properties.status, 'Completed', JSON.stringify(early.properties.errorDetails));
    assert.equal(early.properties.operation, 'Maintenance');
    assert.equal(early.properties.operationCategory, 'Management');
    assert.equal(early.properties.extendedInfo.additionalDetails.UnfinishedBackupPacksDeleted, '0');
    assert.ok(Number(early.properties.extendedInfo.additionalDetails.PacksKeptWithinGracePeriod) > 0);
    assert.equal(await packBytes(), left);

    fx.clock.advance(2 * HOUR);
    const late = await maintain();
    assert.equal(late.properties.status, 'Completed', JSON.stringify(late.properties.errorDetails));
    const d = late.properties.extendedInfo.additionalDetails;
    assert.ok(Number(d.PacksDeleted) + Number(d.UnfinishedBackupPacksDeleted) > 0, JSON.stringify(d));
    assert.ok(Number(d.BytesFreed) >= left - needed - 64 * 1024, JSON.stringify(d));
    const after = await packBytes();
    assert.equal(Number(d.StoredBytes), after);
    assert.ok(after <= needed * 1.05, `space used ${after} is within 5% of the ${needed} live points need`);
    assert.equal(await fx.bytes(a.internal.data.VaultStore!), content);
    assert.ok((await fx.bytes(b.internal.data.VaultStore!))?.includes('changed'));
  });

  it('runs beside a backup in the same process and leaves it whole', async () => {
    await fx.addPoint('2025-01-05T22:00:00Z', 'Default', randomBytes(1024 * 1024).toString('hex'));
    fx.clock.advance(48 * HOUR);
    const data = randomBytes(6 * 1024 * 1024);
    let release!: () => void;
    const halfway = new Promise<void>((r) => (release = r));
    async function* slow(): AsyncGenerator<Buffer> {
      for (let o = 0; o < data.length; o += 65_536) {
        if (o === data.length / 2) await halfway;
        yield data.subarray(o, o + 65_536);
      }
    }
    const writing = fx.ctx.store.write({ vaultKey: vaultStoreKey(fx.vaultId), datastore: 'VaultStore', recoveryPointId: 'running' }, Readable.from(slow()));
    await new Promise((r) => setTimeout(r, 100));
    const job = await maintain();
    release();
    const stored = await writing;
    assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
    const back: Buffer[] = [];
    for await (const c of fx.ctx.store.read(stored, 'running')) back.push(c as Buffer);
    assert.ok(Buffer.concat(back).equals(data), 'the backup that ran beside maintenance restores whole');
  });

  it('repacks for locality only when given a budget', async () => {
    const streams = weeklyStreams(seriesBase(2 * 1024 * 1024), 4, 12).map((b) => b.toString('latin1'));
    for (const [w, content] of streams.entries()) {
      fx.clock.advance(60_000);
      await fx.addPoint(`2025-01-${String(5 + w).padStart(2, '0')}T22:00:00Z`, 'Default', content);
    }
    fx.clock.advance(48 * HOUR);
    const job = await maintain();
    assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
    const d = job.properties.extendedInfo.additionalDetails;
    assert.equal(Number(d.LocalityRepackBytesWritten), 0, JSON.stringify(d));
    assert.equal(Number(d.LocalityRepackBudgetBytes), 0, JSON.stringify(d));
  });

  it('repacks the newest point of a weekly series for locality within its budget, and the next run goes on from there', async () => {
    await fx.close();
    fx = await protectedFixture(new Date().toISOString(), undefined, { repackBudgetBytes: 4 * 1024 * 1024 });
    const streams = weeklyStreams(seriesBase(6 * 1024 * 1024), 6, 12).map((b) => b.toString('latin1'));
    const points = [];
    for (const [w, content] of streams.entries()) {
      fx.clock.advance(60_000); // the repository orders its manifests by its clock
      points.push(await fx.addPoint(`2025-01-${String(5 + w).padStart(2, '0')}T22:00:00Z`, 'Default', content));
    }
    fx.clock.advance(48 * HOUR);
    const job = await maintain();
    assert.equal(job.properties.status, 'Completed', JSON.stringify(job.properties.errorDetails));
    const d = job.properties.extendedInfo.additionalDetails;
    const written = Number(d.LocalityRepackBytesWritten);
    assert.ok(written > 0 && written <= Number(d.LocalityRepackBudgetBytes), JSON.stringify(d));
    assert.ok(Number(d.LocalityRunsAfter) < Number(d.LocalityRunsBefore), JSON.stringify(d));
    for (const [w, p] of points.entries()) assert.equal(await fx.bytes(p.internal.data.VaultStore!), streams[w], `week ${w} restores`);
    const stored = await packBytes();
    fx.clock.advance(48 * HOUR);
    const next = await maintain();
    assert.equal(next.properties.status, 'Completed', JSON.stringify(next.properties.errorDetails));
    const n = next.properties.extendedInfo.additionalDetails;
    assert.ok(Number(n.LocalityRunsBefore) <= Number(d.LocalityRunsAfter), JSON.stringify(n));
    // The old copies go once gc finds their packs dead enough (repository-format.md); never more than the budget is added.
    assert.ok((await packBytes()) <= stored + Number(n.LocalityRepackBytesWritten), 'nothing but the repack was written');
    for (const [w, p] of points.entries()) assert.equal(await fx.bytes(p.internal.data.VaultStore!), streams[w], `week ${w} restores after the next run`);
  });
});
