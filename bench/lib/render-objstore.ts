// The objstore section of docs/benchmarks.md: backup and restore on Azurite and s3rver as ratios
// against the filesystem backend of the same run, and the server's peak memory on each.
import type { Machine } from './machine.ts';
import type { BenchOptions } from './options.ts';
import { BACKENDS, type Backend, type ObjStoreResult } from './phase-objstore.ts';
import { median } from './proc.ts';
import { kibAsMib, ratio, secs, table, targetTable, type Target } from './report.ts';
import { memoryTarget, runLine } from './render.ts';

const LABEL: Record<Backend, string> = { fs: 'filesystem (data directory)', azblob: 'Azure Blob (Azurite)', s3: 'S3 (s3rver)' };

export function objStoreTargets(r: ObjStoreResult): Target[] {
  const equal = r.differences.every((d) => d.differences.length === 0);
  return [
    ...BACKENDS.map((b) => memoryTarget(`server peak memory, backup and restore on ${LABEL[b]} < 256 MB`, r.runs[b].memory, 256)),
    {
      what: 'databases restored from Azurite and s3rver equal the source (compareDatabases)',
      measured: equal ? 'equal' : r.differences.map((d) => `${d.backend}: ${d.differences.length} difference(s)`).join(', '),
      met: r.differences.length === 0 ? null : equal,
    },
  ];
}

export function renderObjStore(r: ObjStoreResult, m: Machine, o: BenchOptions): string {
  const fs = r.runs.fs;
  const rows = BACKENDS.map((b) => {
    const x = r.runs[b];
    return [
      LABEL[b],
      x.backupSeconds.map(secs).join(', '), ratio(median(x.backupSeconds) / median(fs.backupSeconds)),
      x.restoreSeconds.map(secs).join(', '), ratio(median(x.restoreSeconds) / median(fs.restoreSeconds)),
      kibAsMib(x.memory.serverKiB),
    ];
  });
  return `## 6. Backup data in object storage

${runLine(m, o)} A full backup (\`adhoc-backup\` → job Completed) and a restore of it as a new
database (\`restore trigger\` → job Completed) on a fresh server for each backend, the backends
in turn within each of ${o.repeat} round(s); ratios are medians against the filesystem backend of
this run. Azurite and s3rver run on this machine (emulators written in Node, not the cloud
services): the ratios show what the object store path costs here, not network time.

${table(['backend', 'backup runs (s)', 'backup ÷ fs', 'restore runs (s)', 'restore ÷ fs', 'server peak (VmHWM)'], rows, ['l', 'r', 'r', 'r', 'r', 'r'])}

${targetTable(objStoreTargets(r))}`;
}
