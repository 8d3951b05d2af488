// Object store locations, parsed and checked without any I/O:
//   s3://BUCKET[/PREFIX]?endpoint=URL&region=R&forcePathStyle=true&archiveClass=GLACIER|DEEP_ARCHIVE
//   azblob://CONTAINER[/PREFIX]?endpoint=URL
// Credentials never travel in these URLs (each SDK reads its standard environment variables), so a
// URL with a user, a password or a SAS-like query is refused; what `describe` returns is safe to
// log and to show in errors.
import { errors } from '../domain/errors.ts';

export interface ObjectStoreLocation {
  scheme: 's3' | 'azblob';
  /** The bucket (S3) or container (Azure Blob). */
  container: string;
  /** Key prefix under the container: '' or segments ending in '/'. */
  prefix: string;
  /** The service endpoint (a self-hosted store, an emulator); undefined for the cloud default. */
  endpoint: string | undefined;
  /** S3 only: the region. */
  region: string | undefined;
  /** S3 only: path-style addressing (always on with a custom endpoint). */
  forcePathStyle: boolean;
  /** S3 only: the storage class of the archive tier (`archiveClass`, default GLACIER); undefined for Azure Blob. */
  archiveClass: S3ArchiveClass | undefined;
}

/** The S3 storage classes the archive tier may be. */
export const S3_ARCHIVE_CLASSES = ['GLACIER', 'DEEP_ARCHIVE'] as const;
export type S3ArchiveClass = (typeof S3_ARCHIVE_CLASSES)[number];

const PARAMS: Record<ObjectStoreLocation['scheme'], readonly string[]> = {
  s3: ['endpoint', 'region', 'forcePathStyle', 'archiveClass'],
  azblob: ['endpoint'],
};
const CONTAINER_RE: Record<ObjectStoreLocation['scheme'], RegExp> = {
  // S3 bucket names; Azure container names (no dots, no consecutive hyphens).
  s3: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  azblob: /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
};
const SEGMENT_RE = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const REGION_RE = /^[a-z0-9-]{1,40}$/;

/** The location written back without anything but its parts: safe for logs and errors. */
export function describe(loc: ObjectStoreLocation): string {
  const query = new URLSearchParams();
  if (loc.endpoint) query.set('endpoint', loc.endpoint);
  if (loc.region) query.set('region', loc.region);
  if (loc.archiveClass && loc.archiveClass !== 'GLACIER') query.set('archiveClass', loc.archiveClass);
  const q = query.toString();
  return `${loc.scheme}://${loc.container}${loc.prefix ? `/${loc.prefix.replace(/\/$/, '')}` : ''}${q ? `?${q}` : ''}`;
}

/** `url` without user, password, query or fragment: what an error may name of a URL it refuses. */
function bare(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

function checkEndpoint(shown: string, value: string): string {
  let ep: URL;
  try {
    ep = new URL(value);
  } catch {
    throw errors.storageUrlInvalid(shown, 'its endpoint is not a URL.');
  }
  if (ep.protocol !== 'http:' && ep.protocol !== 'https:') throw errors.storageUrlInvalid(shown, 'its endpoint must be an http or https URL.');
  if (ep.username || ep.password || ep.search || ep.hash) {
    throw errors.storageUrlInvalid(shown, 'its endpoint must not carry credentials, a query or a fragment; credentials come from the environment.');
  }
  return ep.href.replace(/\/$/, '');
}

/** Parses an `s3:` or `azblob:` URL; throws InvalidStorageLocation naming what is wrong. */
export function parseObjectStoreUrl(url: URL): ObjectStoreLocation {
  const scheme = url.protocol.replace(/:$/, '');
  if (scheme !== 's3' && scheme !== 'azblob') throw errors.storageSchemeUnknown(scheme, 's3, azblob');
  const shown = bare(url);
  if (url.username || url.password) {
    throw errors.storageUrlInvalid(shown, 'credentials never go in the URL; they come from the SDK\'s standard environment variables.');
  }
  if (url.hash) throw errors.storageUrlInvalid(shown, 'it has a fragment.');
  if (url.port) throw errors.storageUrlInvalid(shown, 'a port belongs in the endpoint parameter, not after the bucket or container.');
  const what = scheme === 's3' ? 'bucket' : 'container';
  const container = url.hostname;
  if (!CONTAINER_RE[scheme].test(container)) {
    throw errors.storageUrlInvalid(shown, `'${container}' is not a valid ${what} name (3 to 63 lower-case letters, digits and hyphens).`);
  }
  const segments = url.pathname.split('/').filter((s, i, all) => !(s === '' && (i === 0 || i === all.length - 1)));
  for (const s of segments) {
    if (!SEGMENT_RE.test(s)) throw errors.storageUrlInvalid(shown, `the prefix segment '${s}' is not a letter, digit, '.', '_' or '-' name.`);
  }
  for (const key of url.searchParams.keys()) {
    if (!PARAMS[scheme].includes(key)) {
      throw errors.storageUrlInvalid(shown, `unknown parameter '${key}' (known: ${PARAMS[scheme].join(', ')}).`);
    }
  }
  const endpointParam = url.searchParams.get('endpoint');
  const endpoint = endpointParam === null ? undefined : checkEndpoint(shown, endpointParam);
  const region = url.searchParams.get('region') ?? undefined;
  if (region !== undefined && !REGION_RE.test(region)) throw errors.storageUrlInvalid(shown, `'${region}' is not a region name.`);
  const pathStyle = url.searchParams.get('forcePathStyle');
  if (pathStyle !== null && pathStyle !== 'true' && pathStyle !== 'false') {
    throw errors.storageUrlInvalid(shown, 'forcePathStyle must be true or false.');
  }
  const archiveClass = url.searchParams.get('archiveClass') ?? 'GLACIER';
  if (!(S3_ARCHIVE_CLASSES as readonly string[]).includes(archiveClass)) {
    throw errors.storageUrlInvalid(shown, `archiveClass must be ${S3_ARCHIVE_CLASSES.join(' or ')}, not '${archiveClass}'.`);
  }
  return {
    scheme,
    container,
    prefix: segments.length ? `${segments.join('/')}/` : '',
    endpoint,
    region,
    // Self-hosted stores rarely resolve bucket subdomains: path-style unless told otherwise.
    forcePathStyle: pathStyle === null ? endpoint !== undefined : pathStyle === 'true',
    archiveClass: scheme === 's3' ? (archiveClass as S3ArchiveClass) : undefined,
  };
}
