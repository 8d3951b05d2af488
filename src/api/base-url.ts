// The scheme and host a request was made to, for the absolute URLs the API answers with
// (Azure-AsyncOperation, Location, nextLink): the connection's own scheme and Host header, or,
// behind a reverse proxy the operator trusts (--trust-proxy), what it says in X-Forwarded-Proto
// and X-Forwarded-Host. Without that setting the forwarded headers are ignored: anyone could send
// them. A forwarded value that is not a plain scheme or host is ignored too.
import type { IncomingRequest } from './pipeline.ts';

/** A host, optionally with a port: a DNS name, an IPv4 address or a bracketed IPv6 address. */
const HOST = /^(?:[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

export function requestBaseUrl(req: IncomingRequest, trustProxy: boolean): string {
  let scheme = req.scheme ?? 'http';
  let host = single(req.headers.host) ?? 'localhost';
  if (trustProxy) {
    const proto = first(req.headers['x-forwarded-proto'])?.toLowerCase();
    if (proto === 'http' || proto === 'https') scheme = proto;
    const forwardedHost = first(req.headers['x-forwarded-host']);
    if (forwardedHost && HOST.test(forwardedHost)) host = forwardedHost;
  }
  return `${scheme}://${host}`;
}

function single(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The first (client-side) entry of a header a chain of proxies may have appended to. */
function first(value: string | string[] | undefined): string | undefined {
  const v = single(value) ?? (Array.isArray(value) ? value[0] : undefined);
  return v?.split(',')[0]?.trim() || undefined;
}
