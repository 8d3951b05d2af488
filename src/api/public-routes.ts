// The one list of routes that answer without a token: how a client finds the token service and
// gets a token (Azure Stack Hub's metadata endpoint, the ADFS authority's OpenID configuration,
// its token endpoint and its key set), and the Backup center's static files (`/portal` and the
// files under it: the page signs in at the token endpoint and reads its data from the API with
// that token). The pipeline answers these before it asks who the caller is (app.ts); every other
// request needs a valid bearer token. A path ending in `/*` matches every path below it.
import type { ApiResponse } from './http.ts';

export const PUBLIC_ROUTES = [
  { method: 'GET', path: '/metadata/endpoints', name: 'metadata' },
  { method: 'GET', path: '/adfs/.well-known/openid-configuration', name: 'openidConfiguration' },
  { method: 'POST', path: '/adfs/oauth2/token', name: 'token' },
  { method: 'GET', path: '/adfs/discovery/keys', name: 'keys' },
  { method: 'GET', path: '/portal', name: 'portal' },
  { method: 'GET', path: '/portal/*', name: 'portalFile' },
] as const;

export type PublicRouteName = (typeof PUBLIC_ROUTES)[number]['name'];

/** What a public route's handler gets: no caller, and the body only as form fields. */
export interface PublicRequest {
  query: URLSearchParams;
  /** Scheme and host the client used (following --trust-proxy), for the URLs it is told. */
  baseUrl: string;
  /** The client's address ('' in-process), for sign-in limits. */
  address: string;
  /** The request's id (x-ms-request-id), for the audit log's sign-in entries. */
  requestId: string;
  /** The path as requested (decoded only by the handler that reads it). */
  path: string;
  form(): Promise<URLSearchParams>;
}

export type PublicHandlers = Record<PublicRouteName, (req: PublicRequest) => Promise<ApiResponse>>;

/** The public route at this path (paths compare case-insensitively, a trailing slash aside); `wrongMethod` when the path is one under another method. */
export function findPublicRoute(method: string, path: string): PublicRouteName | 'wrongMethod' | undefined {
  const p = path.replace(/\/+$/, '').toLowerCase();
  const atPath = PUBLIC_ROUTES.filter((r) => (r.path.endsWith('/*') ? p.startsWith(r.path.slice(0, -1)) : r.path === p));
  if (!atPath.length) return undefined;
  return atPath.find((r) => r.method === method.toUpperCase())?.name ?? 'wrongMethod';
}
