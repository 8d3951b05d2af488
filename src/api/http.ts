// Request and response types shared by the routes, the pipeline, the server and the tests.
import type { Caller, CallerContext } from '../services/caller.ts';

/** `P`: the names of the route's path parameters (`ParamsOf` in router.ts); none by default. */
export interface ApiRequest<P extends string = never> {
  method: string;
  path: string;
  params: Readonly<Record<P, string>>;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  apiVersion: string;
  /** Scheme and host the caller used, for absolute URLs in headers. */
  baseUrl: string;
  /** Who the request acts for, resolved once by the pipeline. */
  caller: Caller;
  /**
   * What handlers call services with: the installation's context plus this request's caller, made
   * once per request. Services that act take it as their context, so the caller reaches them
   * without a second argument on every function (nothing checks it yet).
   */
  ctx: CallerContext;
  /** The request's id (`x-ms-request-id`), echoed on the answer and in the log line. */
  requestId: string;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
  /** A body that is not JSON (GET /metrics' text format), sent as is with `contentType`. */
  text?: { contentType: string; payload: string };
  headers?: Record<string, string>;
}

export const ok = (body: unknown, status = 200, headers?: Record<string, string>): ApiResponse => ({ status, body, headers });
