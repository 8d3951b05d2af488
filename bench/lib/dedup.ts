// The deduplicating baselines, restic and borg, each with its defaults, fed the same uncompressed
// dump file every week. A tool that is not installed is skipped (the caller prints a note).
// Caches and keys live in the run's work directory, never in the user's home.
import { existsSync, mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { must, run } from './proc.ts';
import { treeBytes } from './sizes.ts';

export interface DedupRepo {
  readonly tool: 'restic' | 'borg';
  readonly version: string;
  /** The settings that matter for size, as the tool reports them. */
  readonly settings: string;
  /** Backs up `file` as this week's snapshot; returns the wall time. */
  backup(file: string, week: number): Promise<number>;
  /** The repository's size on disk. */
  bytes(): number;
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

const PASSWORD = 'dpvault-bench-not-a-secret';

export async function openRestic(dir: string): Promise<DedupRepo | null> {
  const bin = onPath('restic');
  if (!bin) return null;
  const repo = join(dir, 'repo');
  mkdirSync(dir, { recursive: true });
  const env = { ...process.env, RESTIC_REPOSITORY: repo, RESTIC_PASSWORD: PASSWORD, RESTIC_CACHE_DIR: join(dir, 'cache') };
  const version = (await must(bin, ['version'], { env })).stdout.trim();
  await must(bin, ['init'], { env });
  const config = JSON.parse((await must(bin, ['cat', 'config'], { env })).stdout) as { version?: number; chunker_polynomial?: string };
  const compression = (config.version ?? 1) >= 2 ? 'compression auto (zstd)' : 'no compression (format 1)';
  return {
    tool: 'restic',
    version,
    settings: `\`restic init\` defaults: repository format ${config.version ?? '?'}, ${compression}, content-defined chunks 512 KiB–8 MiB (1 MiB average), AES-256-CTR + Poly1305`,
    async backup(file, _week) {
      return (await must(bin, ['backup', '--quiet', '--host', 'bench', basename(file)], { env, cwd: dirname(file) })).seconds;
    },
    bytes: () => treeBytes(repo),
  };
}

export async function openBorg(dir: string): Promise<DedupRepo | null> {
  const bin = onPath('borg');
  if (!bin) return null;
  const repo = join(dir, 'repo');
  mkdirSync(dir, { recursive: true });
  const env = {
    ...process.env,
    BORG_PASSPHRASE: PASSWORD,
    BORG_BASE_DIR: join(dir, 'home'),
    BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: 'yes',
    BORG_RELOCATED_REPO_ACCESS_IS_OK: 'yes',
  };
  const version = (await must(bin, ['--version'], { env })).stdout.trim();
  // borg 1.x makes the encryption mode a required choice; repokey is its documented usual one.
  await must(bin, ['init', '--encryption=repokey', repo], { env });
  const help = (await run(bin, ['create', '--help'], { env })).stdout;
  const chunker = /default:\s*(buzhash[\w,]+)/.exec(help)?.[1] ?? 'buzhash,19,23,21,4095';
  const compression = /Compression is (\w+) by default/.exec((await run(bin, ['help', 'compression'], { env })).stdout)?.[1] ?? 'lz4';
  return {
    tool: 'borg',
    version,
    settings: `\`borg init --encryption=repokey\`, \`borg create\` defaults: ${compression} compression, chunker ${chunker}${chunker === 'buzhash,19,23,21,4095' ? ' (512 KiB–8 MiB, 2 MiB average)' : ''}`,
    async backup(file, week) {
      return (await must(bin, ['create', `${repo}::week-${week}`, basename(file)], { env, cwd: dirname(file) })).seconds;
    },
    bytes: () => treeBytes(repo),
  };
}

/** The version line of a tool, or null when it is not installed. */
export async function toolVersion(name: string, args: string[]): Promise<string | null> {
  const bin = onPath(name);
  if (!bin) return null;
  const r = await run(bin, args);
  return r.code === 0 ? r.stdout.trim().split('\n')[0]! : null;
}
