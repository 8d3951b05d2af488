// The object-store SDKs are loaded only by a server that uses an object store: importing the whole
// service and opening filesystem storage must not load them (they cost ~18 MiB of a server's
// memory, measured), and the first call on an S3 or Azure Blob storage must.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `body` in a fresh Node that records every module it resolves; returns the SDK modules seen per step. */
function sdkLoadsIn(body: string): Record<string, string[]> {
  const script = `
    import { registerHooks } from 'node:module';
    const seen = [];
    registerHooks({ resolve(spec, ctx, next) { const r = next(spec, ctx); if (/@aws-sdk\\/client-s3|@azure\\/storage-blob/.test(r.url)) seen.push(spec); return r; } });
    const steps = {};
    const step = (name) => { steps[name] = [...new Set(seen)]; seen.length = 0; };
    ${body}
    console.log(JSON.stringify(steps));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, string[]>;
}

describe('object-store SDKs load lazily', () => {
  it('a service on filesystem storage never loads them; an object store loads its own on first use', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dpv-lazy-'));
    try {
      const steps = sdkLoadsIn(`
        await import('./src/app.ts');
        const { openStorage } = await import('./src/storage/backends.ts');
        const fs = openStorage(${JSON.stringify(`file://${dir}`)});
        await fs.put('a', Buffer.from('x'));
        step('service and filesystem storage');
        const s3 = openStorage('s3://bucket?endpoint=http%3A%2F%2F127.0.0.1%3A1&region=us-east-1');
        const az = openStorage('azblob://container?endpoint=http%3A%2F%2F127.0.0.1%3A1%2Fdevstoreaccount1');
        step('object stores opened, not used');
        await s3.stat('nothing').catch(() => {});
        step('s3 used');
        process.env.AZURE_STORAGE_ACCOUNT = 'devstoreaccount1';
        process.env.AZURE_STORAGE_KEY = Buffer.from('k').toString('base64');
        await az.tiers.getTier('nothing').catch(() => {});
        step('azure used');
      `);
      assert.deepEqual(steps['service and filesystem storage'], []);
      assert.deepEqual(steps['object stores opened, not used'], []);
      assert.ok(steps['s3 used']?.some((m) => m.includes('@aws-sdk/client-s3')), JSON.stringify(steps));
      assert.ok(!steps['s3 used']?.some((m) => m.includes('@azure')), JSON.stringify(steps));
      assert.ok(steps['azure used']?.some((m) => m.includes('@azure/storage-blob')), JSON.stringify(steps));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
