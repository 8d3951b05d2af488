// The real Azure CLI (`az`, Debian's azure-cli 2.45, with the dataprotection extension wheels of
// ../shared/az/) as a client of a dpvault server, isolated from the machine's own az: a config
// directory of its own, no telemetry, no update check, no proxy, and nothing but 127.0.0.1 to talk
// to. It trusts the server's certificate through REQUESTS_CA_BUNDLE, knows the server as the cloud
// `dpvault` (`az cloud register --endpoint-resource-manager`, which discovers the rest through
// /metadata/endpoints) and signs in as a service principal.
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { scratchDir } from './scratch.ts';

/** Where the extension wheels are: DPVAULT_AZ_WHEELS, else ../shared/az beside the repository. */
export const AZ_WHEELS_DIR = process.env.DPVAULT_AZ_WHEELS ?? resolve(import.meta.dirname, '../../../shared/az');

/** The path of `az` on PATH, or undefined. */
export function findAz(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'az'))) return join(dir, 'az');
  }
  return undefined;
}

/** The wheel of the dataprotection extension `version`, or undefined when it is not there. */
export function extensionWheel(version: string): string | undefined {
  const wheel = join(AZ_WHEELS_DIR, `dataprotection-${version}-py3-none-any.whl`);
  return existsSync(wheel) ? wheel : undefined;
}

/** Why the az tests cannot run here, or undefined when they can. */
export function azMissing(version: string): string | undefined {
  if (!findAz()) return 'az is not installed: apt-get install azure-cli, see ../shared/az/README.md';
  if (!extensionWheel(version)) return `the dataprotection ${version} wheel is not in ${AZ_WHEELS_DIR} (DPVAULT_AZ_WHEELS names another directory)`;
  return undefined;
}

export interface AzResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface PrincipalCredentials {
  appId: string;
  password: string;
  tenant: string;
}

export interface AzSession {
  configDir: string;
  /** Runs `az ARGS` (no shell) in `cwd`. */
  run(args: string[]): Promise<AzResult>;
  /** Runs `az ARGS -o json`, fails with az's stderr unless it exits 0, and parses its output. */
  json(args: string[]): Promise<any>;
  /** Runs `az ARGS` and writes its stdout to `file` in `cwd`, as the seed's `> file` does. */
  toFile(args: string[], file: string): Promise<void>;
  /** `az login --service-principal` with a principal's credentials. */
  login(creds: PrincipalCredentials): Promise<any>;
}

/**
 * A fresh az configuration with the dataprotection extension `version`, and the dpvault server at
 * `serverUrl` (https) registered and set as the active cloud. `caBundle`: the server's certificate.
 */
export async function azSession(opts: { serverUrl: string; caBundle: string; version: string; cwd: string }): Promise<AzSession> {
  const configDir = scratchDir('dpvault-az-');
  // A fresh config directory makes az 2.45 ask GitHub for newer versions first: say it just did.
  const now = new Date().toISOString().replace('T', ' ').replace('Z', '000');
  writeFileSync(join(configDir, 'versionCheck.json'), JSON.stringify({ versions: { 'azure-cli': { local: '2.45.0' }, core: { local: '2.45.0' }, telemetry: { local: '1.0.8' } }, update_time: now }));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: configDir,
    LANG: 'C.UTF-8',
    AZURE_CONFIG_DIR: configDir,
    AZURE_EXTENSION_DIR: join(configDir, 'cliextensions'),
    AZURE_CORE_COLLECT_TELEMETRY: 'false',
    AZURE_CORE_SURVEY_MESSAGE: 'false',
    AZURE_CORE_NO_COLOR: 'true',
    AZURE_CORE_ONLY_SHOW_ERRORS: 'true',
    AZURE_EXTENSION_USE_DYNAMIC_INSTALL: 'no',
    REQUESTS_CA_BUNDLE: opts.caBundle,
    NO_PROXY: '127.0.0.1,localhost',
  };
  const run = (args: string[]): Promise<AzResult> =>
    new Promise((done, reject) => {
      const child = execFile('az', args, { cwd: opts.cwd, env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') reject(err);
        else done({ code: err ? Number(err.code) : 0, stdout: String(stdout), stderr: String(stderr) });
      });
      child.stdin?.end();
    });
  const must = async (args: string[]): Promise<AzResult> => {
    const r = await run(args);
    if (r.code !== 0) throw new Error(`az ${args.join(' ')} exited ${r.code}:\n${r.stderr}${r.stdout}`);
    return r;
  };
  const json = async (args: string[]) => {
    const out = (await must([...args, '-o', 'json'])).stdout;
    return out.trim() ? JSON.parse(out) : undefined;
  };
  await must(['extension', 'add', '--source', extensionWheel(opts.version)!, '-y']);
  await must(['cloud', 'register', '-n', 'dpvault', '--endpoint-resource-manager', `${opts.serverUrl.replace(/\/$/, '')}/`]);
  await must(['cloud', 'set', '-n', 'dpvault']);
  return {
    configDir,
    run,
    json,
    async toFile(args, file) {
      writeFileSync(join(opts.cwd, file), (await must(args)).stdout);
    },
    login: (creds) => json(['login', '--service-principal', '-u', creds.appId, '-p', creds.password, '--tenant', creds.tenant]),
  };
}
