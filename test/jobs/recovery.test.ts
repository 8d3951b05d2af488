// Start-up after a crash: a long-running operation left Inprogress is failed with a clear error
// (a client polling it is not left waiting forever), one that finished is untouched, and the
// temporary files of interrupted writes are removed while finished files stay.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startService } from '../../src/app.ts';

test('operations left Inprogress and partial files do not survive a restart', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dpvault-recovery-'));
  try {
    const first = await startService({ dataDir, port: 0 });
    const base = { resourceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.DataProtection/backupVaults/v', startTime: '2026-11-24T00:00:00.000Z' };
    await first.ctx.catalog.putOperation({ ...base, id: 'op-running', status: 'Inprogress', endTime: null });
    await first.ctx.catalog.putOperation({ ...base, id: 'op-done', status: 'Succeeded', endTime: '2026-11-24T00:00:01.000Z', properties: { ok: true } });
    await first.close();
    const packs = join(dataDir, 'backup-data', 'rg--v', 'VaultStore', 'packs', 'ab');
    mkdirSync(packs, { recursive: true });
    writeFileSync(join(packs, '.abcd.0123456789ab.tmp'), 'half a pack');
    writeFileSync(join(packs, 'abcd'), 'a whole pack');

    const second = await startService({ dataDir, port: 0 });
    try {
      const op = await second.ctx.catalog.getOperation('op-running');
      assert.equal(op?.status, 'Failed');
      assert.equal(op?.error?.code, 'OperationInterrupted');
      assert.ok(op?.endTime);
      assert.deepEqual(await second.ctx.catalog.getOperation('op-done'), { ...base, id: 'op-done', status: 'Succeeded', endTime: '2026-11-24T00:00:01.000Z', properties: { ok: true } });
      assert.equal(existsSync(join(packs, '.abcd.0123456789ab.tmp')), false);
      assert.equal(existsSync(join(packs, 'abcd')), true);
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
