// Request and response types shared by the routes, the server and the tests.

export interface ApiRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  apiVersion: string;
  /** Scheme and host the caller used, for absolute URLs in headers. */
  baseUrl: string;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export const ok = (body: unknown, status = 200, headers?: Record<string, string>): ApiResponse => ({ status, body, headers });
