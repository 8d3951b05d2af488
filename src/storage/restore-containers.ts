// Where a restore as files may write in object storage, and which of those places a request's
// `targetDetails.url` names, without any I/O. The operator allows containers (and buckets) with
// `--restore-files-container azblob://CONTAINER[/PREFIX]?endpoint=URL` or
// `s3://BUCKET[/PREFIX]?endpoint=URL&region=R`; a request names one as az does,
// `https://ACCOUNT.blob.core.windows.net/CONTAINER[/PATH]`, or by the container's own URL
// (`azblob://CONTAINER[/PATH]`, `s3://BUCKET[/PATH]`, or the endpoint's path-style
// `http://127.0.0.1:10000/devstoreaccount1/CONTAINER`). The allowed entry gives the endpoint, so a
// caller never makes the server talk to a host the operator did not name, and the SDKs'
// environment variables give the credentials (a URL carrying any is refused).
import { errors } from '../domain/errors.ts';
import { describe, parseObjectStoreUrl, type ObjectStoreLocation } from './object-url.ts';

/** One container (or bucket) the operator allows restores as files to write to. */
export interface AllowedContainer {
  location: ObjectStoreLocation;
  /** Azure only: the storage account the endpoint (or the environment) names, lower case. */
  account: string | undefined;
}

/** Where a restore as files writes in object storage. */
export interface ContainerTarget {
  /** The container with the request's path as prefix, and the allowed entry's endpoint. */
  location: ObjectStoreLocation;
  /** The target as the request named it, without any query: what jobs and errors show. */
  shown: string;
}

const SEGMENT_RE = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
/** `ACCOUNT.blob.core.windows.net`, and the sovereign clouds' `ACCOUNT.blob.core.<suffix>`. */
const AZURE_HOST_RE = /^([a-z0-9]{3,24})\.blob\.core\.[a-z0-9.-]+$/i;

/** Whether a files target URL names object storage (rather than a directory or file:// URL). */
export function isContainerUrl(url: string): boolean {
  return /^(s3|azblob|https?):\/\//i.test(url);
}

/** The storage account of an Azure endpoint (`https://ACCOUNT.blob...` or an emulator's `http://host:port/ACCOUNT`), else the environment's. */
function accountOf(loc: ObjectStoreLocation, env: NodeJS.ProcessEnv): string | undefined {
  if (loc.endpoint) {
    const ep = new URL(loc.endpoint);
    const host = AZURE_HOST_RE.exec(ep.hostname);
    if (host) return host[1]!.toLowerCase();
    const first = ep.pathname.split('/').find((s) => s !== '');
    if (first) return first.toLowerCase();
  }
  const fromString = /(?:^|;)\s*AccountName=([^;]+)/i.exec(env.AZURE_STORAGE_CONNECTION_STRING ?? '')?.[1];
  return (fromString ?? env.AZURE_STORAGE_ACCOUNT)?.trim().toLowerCase();
}

/** Parses the operator's allowed containers; throws InvalidStorageLocation naming the bad one. */
export function allowedContainers(urls: readonly string[], env: NodeJS.ProcessEnv = process.env): AllowedContainer[] {
  return urls.map((u) => {
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      throw errors.storageLocationNotUnderstood(u.replace(/\?.*$/, ''));
    }
    const location = parseObjectStoreUrl(url);
    return { location, account: location.scheme === 'azblob' ? accountOf(location, env) : undefined };
  });
}

/** A storage URL that opens `loc` (the backends' form), path-style kept as the entry said. */
export function locationUrl(loc: ObjectStoreLocation): string {
  const url = new URL(describe(loc));
  const defaultPathStyle = loc.endpoint !== undefined;
  if (loc.scheme === 's3' && loc.forcePathStyle !== defaultPathStyle) url.searchParams.set('forcePathStyle', String(loc.forcePathStyle));
  return url.href;
}

interface Named {
  scheme: 's3' | 'azblob';
  container: string;
  /** The key prefix the request names: '' or segments ending in '/'. */
  prefix: string;
  /** Entries it may match beyond scheme and container. */
  fits(entry: AllowedContainer): boolean;
  shown: string;
}

function prefixOf(segments: string[], shown: string): string {
  for (const s of segments) {
    if (!SEGMENT_RE.test(s)) throw errors.restoreContainerUrlInvalid(shown, `the path segment '${s}' is not a letter, digit, '.', '_' or '-' name.`);
  }
  return segments.length ? `${segments.join('/')}/` : '';
}

function segmentsOf(pathname: string): string[] {
  return pathname.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
}

/** What a request's URL names: the container, the path under it and which allowed entries it may be. */
function readRequestUrl(raw: string): Named | ((entry: AllowedContainer) => Named | undefined) {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw errors.restoreContainerUrlInvalid(raw.replace(/\?.*$/, ''), 'it is not a URL.');
  }
  const shown = `${url.protocol}//${url.host}${url.pathname.replace(/\/$/, '')}`;
  if (url.username || url.password) throw errors.restoreContainerUrlInvalid(shown, 'credentials never go in the URL; the server takes them from its environment.');
  if (url.hash) throw errors.restoreContainerUrlInvalid(shown, 'it has a fragment.');
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  if (scheme === 's3' || scheme === 'azblob') {
    for (const key of url.searchParams.keys()) {
      if (key !== 'endpoint' && key !== 'region') throw errors.restoreContainerUrlInvalid(shown, `unknown parameter '${key}' (known: endpoint, region).`);
    }
    const endpoint = url.searchParams.get('endpoint')?.replace(/\/$/, '');
    const region = url.searchParams.get('region');
    return {
      scheme,
      container: url.hostname.toLowerCase(),
      prefix: prefixOf(segmentsOf(url.pathname), shown),
      fits: (e) => (endpoint === undefined || e.location.endpoint === endpoint) && (region === null || e.location.region === region),
      shown,
    };
  }
  if (url.search) throw errors.restoreContainerUrlInvalid(shown, 'it has a query (a SAS token?): the server takes credentials from its environment, never from the URL.');
  const host = AZURE_HOST_RE.exec(url.hostname);
  if (host) {
    const [container = '', ...rest] = segmentsOf(url.pathname);
    if (!container) throw errors.restoreContainerUrlInvalid(shown, 'it names no container (https://ACCOUNT.blob.core.windows.net/CONTAINER).');
    const account = host[1]!.toLowerCase();
    return { scheme: 'azblob', container: container.toLowerCase(), prefix: prefixOf(rest, shown), fits: (e) => e.account === account, shown };
  }
  // A path-style URL under an allowed entry's own endpoint (an emulator's, or a self-hosted store's).
  return (entry) => {
    const ep = entry.location.endpoint;
    if (!ep || !shown.toLowerCase().startsWith(`${ep.toLowerCase()}/`)) return undefined;
    const [container = '', ...rest] = segmentsOf(shown.slice(ep.length));
    if (container.toLowerCase() !== entry.location.container) return undefined;
    return { scheme: entry.location.scheme, container: entry.location.container, prefix: prefixOf(rest, shown), fits: () => true, shown };
  };
}

/**
 * The allowed container a request's `url` names, with the request's path as prefix (which must
 * lie within the entry's prefix); throws UserErrorRestoreTargetNotAllowed when none does.
 */
export function resolveContainerTarget(raw: string, allowed: readonly AllowedContainer[]): ContainerTarget {
  if (allowed.length === 0) throw errors.restoreContainerNotSet();
  const read = readRequestUrl(raw);
  for (const entry of allowed) {
    const named = typeof read === 'function' ? read(entry) : read;
    if (!named || named.scheme !== entry.location.scheme || named.container !== entry.location.container || !named.fits(entry)) continue;
    if (!named.prefix.startsWith(entry.location.prefix)) continue;
    return { location: { ...entry.location, prefix: named.prefix }, shown: named.shown };
  }
  const shown = typeof read === 'function' ? raw.replace(/\?.*$/, '') : read.shown;
  throw errors.restoreContainerNotAllowed(shown, allowed.map((a) => describe(a.location)));
}
