// The server's storage settings from their three sources: the command line (`--storage`,
// `--location-storage LOCATION=URL`, `--paired-location A=B`, each repeatable but the first), a
// config file (`--config FILE`, YAML or JSON: `storage`, `locationStorage`, `pairedLocations`) and
// DPVAULT_STORAGE. The command line wins over the file, the file over the environment; per
// location, a flag replaces the file's entry for that location only. Each setting keeps the name
// it was given by, so start-up can refuse it by that name; a name never repeats a URL (a URL
// with credentials in it is refused, and must not be echoed).
import { readFileSync } from 'node:fs';
import { errors } from '../domain/errors.ts';
import type { LocationStorage, StorageSetting } from '../domain/storage-settings.ts';

export interface ServerStorageConfig {
  storage: StorageSetting | undefined;
  locationStorage: LocationStorage[];
  pairedLocations: Record<string, string>;
  /** Per-server bandwidth limit on writes to storage, in megabits per second. */
  maxUploadMbps: number | undefined;
}

export interface StorageFlags {
  storage?: string;
  locationStorage?: readonly string[];
  pairedLocation?: readonly string[];
  maxUploadMbps?: string;
}

/** What a config file may hold. */
export interface StorageFile {
  storage?: unknown;
  locationStorage?: unknown;
  pairedLocations?: unknown;
  maxUploadMbps?: unknown;
}

const LOCATION_RE = /^[a-z][a-z0-9]{1,39}$/;
const FILE_KEYS = ['storage', 'locationStorage', 'pairedLocations', 'maxUploadMbps'];

const bad = (message: string) => errors.argumentValueInvalid(message);

function azureLocation(value: string, setting: string): string {
  const loc = value.trim().toLowerCase();
  if (!LOCATION_RE.test(loc)) throw bad(`${setting}: '${value}' is not an Azure location name such as westus or northeurope.`);
  return loc;
}

function storageUrl(value: unknown, setting: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw bad(`${setting}: expected a storage URL or an absolute path.`);
  return value.trim();
}

/** `LOCATION=VALUE` of a repeatable flag. */
function pair(flag: string, given: string): [string, string] {
  const at = given.indexOf('=');
  // Nothing of the value is echoed: it may be a URL with credentials the user should not have put there.
  if (at <= 0) throw bad(`argument ${flag}: expected LOCATION=VALUE (an Azure location such as westus, '=', then the value).`);
  return [azureLocation(given.slice(0, at), `argument ${flag}`), given.slice(at + 1)];
}

function mapOf(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw bad(`${what}: expected a mapping of location to value.`);
  return value as Record<string, unknown>;
}

function mbps(value: unknown, setting: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isFinite(n) || n <= 0 || n > 1_000_000) throw bad(`${setting}: expected a number of megabits per second above 0, not '${String(value)}'.`);
  return n;
}

/** Reads and parses a config file (YAML, of which JSON is a part). */
export async function readStorageFile(path: string): Promise<StorageFile> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw bad(`argument --config: cannot read '${path}': ${(e as NodeJS.ErrnoException).code ?? String(e)}.`);
  }
  const { parse } = await import('yaml');
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw bad(`argument --config: '${path}' is neither YAML nor JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw bad(`argument --config: '${path}' must hold a mapping with the keys ${FILE_KEYS.join(', ')}.`);
  const unknown = Object.keys(doc).filter((k) => !FILE_KEYS.includes(k));
  if (unknown.length > 0) throw bad(`argument --config: '${path}' has unknown key(s) ${unknown.join(', ')} (known: ${FILE_KEYS.join(', ')}).`);
  return doc as StorageFile;
}

/** The settings in force: flags over the file (named `fileName`), the file over the environment. */
export function resolveStorageConfig(flags: StorageFlags, file: StorageFile, fileName: string, env: { DPVAULT_STORAGE?: string }): ServerStorageConfig {
  let storage: StorageSetting | undefined;
  if (flags.storage !== undefined) storage = { location: storageUrl(flags.storage, 'argument --storage'), setting: '--storage' };
  else if (file.storage !== undefined) storage = { location: storageUrl(file.storage, `storage in ${fileName}`), setting: `storage in ${fileName}` };
  else if (env.DPVAULT_STORAGE !== undefined && env.DPVAULT_STORAGE.trim() !== '') storage = { location: env.DPVAULT_STORAGE.trim(), setting: 'DPVAULT_STORAGE' };

  const locations = new Map<string, StorageSetting>();
  for (const [key, value] of Object.entries(mapOf(file.locationStorage, `locationStorage in ${fileName}`))) {
    const setting = `locationStorage.${key} in ${fileName}`;
    locations.set(azureLocation(key, setting), { location: storageUrl(value, setting), setting });
  }
  for (const given of flags.locationStorage ?? []) {
    const [loc, url] = pair('--location-storage', given);
    const setting = `--location-storage ${loc}=...`;
    locations.set(loc, { location: storageUrl(url, `argument ${setting}`), setting });
  }

  const pairs = new Map<string, string>();
  for (const [key, value] of Object.entries(mapOf(file.pairedLocations, `pairedLocations in ${fileName}`))) {
    const setting = `pairedLocations.${key} in ${fileName}`;
    pairs.set(azureLocation(key, setting), azureLocation(typeof value === 'string' ? value : '', setting));
  }
  for (const given of flags.pairedLocation ?? []) {
    const [a, b] = pair('--paired-location', given);
    pairs.set(a, azureLocation(b, `argument --paired-location ${a}=...`));
  }
  for (const [a, b] of pairs) if (a === b) throw bad(`--paired-location ${a}=${b}: a location cannot be its own pair.`);

  const maxUploadMbps = flags.maxUploadMbps !== undefined ? mbps(flags.maxUploadMbps, 'argument --max-upload-mbps') : mbps(file.maxUploadMbps, `maxUploadMbps in ${fileName}`);
  return {
    storage,
    locationStorage: [...locations].map(([azureLocation, s]) => ({ azureLocation, storage: s })),
    pairedLocations: Object.fromEntries(pairs),
    maxUploadMbps,
  };
}
