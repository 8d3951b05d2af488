// The request pipeline's plumbing, as hono's `compose`: middleware run in order, each around the
// rest (`await next()`), sharing one exchange per request. What runs, and in which order, is in app.ts.
import type { Caller } from '../services/caller.ts';
import type { ApiResponse } from './http.ts';

/** A request as the pipeline sees it, whichever way it arrived (HTTP or in-process). */
export interface IncomingRequest {
  method: string;
  /** The request target as sent: `/path?query` (or absolute-form). */
  target: string;
  /** How it arrived: over TLS or not (in-process requests: http). */
  scheme?: 'http' | 'https';
  /** Header names in lower case. */
  headers: Record<string, string | string[] | undefined>;
  /** The body as a JSON object (undefined when there is none), refused as request-body.ts says. */
  body(): Promise<Record<string, unknown> | undefined>;
  /** The body as form fields (the token endpoint's), refused as request-body.ts says. */
  form(): Promise<URLSearchParams>;
  /** The client's address (the connection's peer; in-process requests: none), for sign-in limits. */
  remoteAddress?: string;
}

/** One request on its way through the pipeline. */
export interface Exchange {
  readonly req: IncomingRequest;
  /** Set by the request-id middleware. */
  requestId: string;
  /** Set by the caller middleware. */
  caller?: Caller;
  /** The route the request matched (its method and pattern), set by dispatch once it is found. */
  route?: { method: string; pattern: string };
  /** The answer, once a handler or the error mapping has one. */
  res?: ApiResponse;
  /** The status that went out on the wire (set by the sending middleware). */
  sentStatus?: number;
}

export type Middleware = (x: Exchange, next: () => Promise<void>) => Promise<void>;

/** One middleware that runs the given ones in order; calling `next` twice is a programming error. */
export function compose(middleware: readonly Middleware[]): (x: Exchange) => Promise<void> {
  return (x) => {
    let last = -1;
    const run = async (i: number): Promise<void> => {
      if (i <= last) throw new Error('next() called twice by one middleware');
      last = i;
      const mw = middleware[i];
      if (mw) await mw(x, () => run(i + 1));
    };
    return run(0);
  };
}
