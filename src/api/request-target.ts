// The request target (`req.url`) read without trusting it: the path and query as the router wants
// them, and a 400 InvalidRequestUri, never an exception from URL parsing or decoding, for a target
// that is not a well-formed path with valid percent-encoding.
import { errors } from '../domain/errors.ts';

export interface RequestTarget {
  /** The path as sent (percent-encoded), without trailing slashes; `/` for the root. */
  path: string;
  query: URLSearchParams;
}

const SHOWN = 200;

function malformed(what: string, raw: string): never {
  const shown = raw.length > SHOWN ? `${raw.slice(0, SHOWN)}...` : raw;
  throw errors.requestUriMalformed(`The request URI is malformed: ${what} '${shown}' is not valid percent-encoded UTF-8.`);
}

/** Reads `req.url`: origin-form (`/a/b?q`), with repeated leading slashes collapsed, or absolute-form (`http://host/a/b?q`). */
export function parseRequestTarget(raw: string): RequestTarget {
  let url: URL;
  try {
    url = new URL(raw.startsWith('/') ? raw.replace(/^\/+/, '/') : raw, 'http://localhost');
  } catch {
    return malformed('the request target', raw);
  }
  checkQuery(url.search.slice(1));
  return { path: url.pathname.replace(/\/+$/, '') || '/', query: url.searchParams };
}

/** Decodes one path segment (`%2F` and all); a malformed escape or invalid UTF-8 is a 400. */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return malformed('the path segment', segment);
  }
}

/** URLSearchParams silently keeps malformed escapes as text; the service refuses them instead. */
function checkQuery(search: string): void {
  if (!search.includes('%')) return;
  for (const pair of search.split('&')) {
    for (const part of pair.split('=')) {
      try {
        decodeURIComponent(part.replaceAll('+', ' '));
      } catch {
        malformed('the query parameter', pair);
      }
    }
  }
}
