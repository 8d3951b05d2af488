// The API as one function of a request: the pipeline every request goes through, whether it came
// over HTTP (server.ts, a thin adapter) or in-process (`app.request`, for tests and tools, as
// hono's). In order, each around the next:
//   logging     one line per request: method, path, status sent, duration, request id
//   sending     the adapter writes the answer and says which status went out
//   requestIds  x-ms-request-id / x-ms-correlation-request-id, echoed or made, put on the answer
//   errors      any exception below becomes a CloudError answer, once
//   public      the routes that answer without a token (public-routes.ts), answered here
//   caller      who the request acts for, resolved once (the composition root's resolver); a
//               refusal (no or bad token) is a 401 with a WWW-Authenticate challenge
//   audit       every mutating call, refused ones included, appended to the audit log (audit-trail.ts)
//   dispatch    route, authorization (route-authorization.ts), api-version, body, handler
import { errors as dpErrors, isDpError, toDpError } from '../domain/errors.ts';
import { localOperator, type CallerResolver } from '../services/caller.ts';
import type { ServiceContext } from '../services/context.ts';
import { bearerChallenge } from './authentication.ts';
import { requestBaseUrl } from './base-url.ts';
import type { ApiResponse } from './http.ts';
import { auditTrail } from './audit-trail.ts';
import { compose, type Exchange, type IncomingRequest, type Middleware } from './pipeline.ts';
import { findPublicRoute, type PublicHandlers } from './public-routes.ts';
import { jsonBodyFromText, parseForm } from './request-body.ts';
import { dispatchTo } from './request-dispatch.ts';
import { authorizeRoutes } from './route-authorization.ts';
import { requestIds } from './request-id.ts';
import { parseRequestTarget } from './request-target.ts';
import { serializeResponse, type SerializedResponse } from './response-body.ts';
import type { Router } from './router.ts';

export interface AppOptions {
  /** The installation's service context; each request acts with it plus its caller. */
  context: ServiceContext;
  /** Finds each request's caller (default: the local operator). */
  resolveCaller?: CallerResolver;
  /** The routes that answer without a token (the token service's); none when not given. */
  publicHandlers?: PublicHandlers;
  log?: (line: string) => void;
  /** Absolute URLs in answers follow X-Forwarded-Proto/-Host (--trust-proxy; default: ignored). */
  trustProxy?: boolean;
}

/** Writes an answer and returns the status that went out (another one when writing it failed). */
export type Send = (res: ApiResponse) => number;

export interface InProcessResponse {
  status: number;
  headers: Headers;
  /** The JSON body as a client would parse it (undefined when there is none; the text of a body that is not JSON). */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- whatever JSON the route answers
}

export interface App {
  /** Runs one request through the pipeline; `send` puts the answer on the wire. */
  handle(req: IncomingRequest, send: Send): Promise<void>;
  /**
   * Calls the API without a port: the same pipeline (api-version, body rules, error mapping) as
   * over HTTP. `body` is sent as JSON, or as is when it is a string.
   */
  request(method: string, target: string, init?: { body?: unknown; headers?: Record<string, string> }): Promise<InProcessResponse>;
}

export function createApp(router: Router, opts: AppOptions): App {
  const log = opts.log ?? (() => undefined);
  const resolveCaller = opts.resolveCaller ?? localOperator;
  const shownPath = (x: Exchange) => x.req.target.split('?')[0]!;

  const logging: Middleware = async (x, next) => {
    const started = performance.now();
    await next();
    log(`${x.req.method} ${shownPath(x)} ${x.sentStatus} ${Math.round(performance.now() - started)}ms ${x.requestId}`);
  };
  const errors: Middleware = async (x, next) => {
    try {
      await next();
    } catch (e) {
      const err = toDpError(e);
      if (err.kind === 'internal') log(`internal error on ${x.req.method} ${shownPath(x)}: ${err.stack ?? err.message}`);
      x.res = { status: err.status, body: err.toCloudError() };
    }
  };
  const baseUrl = (x: Exchange) => requestBaseUrl(x.req, opts.trustProxy === true);
  const publicRoutes: Middleware = async (x, next) => {
    const { path, query } = parseRequestTarget(x.req.target);
    const found = findPublicRoute(x.req.method, path);
    const handler = found && found !== 'wrongMethod' ? opts.publicHandlers?.[found] : undefined;
    if (found === 'wrongMethod' && opts.publicHandlers) throw dpErrors.methodNotAllowed(`The HTTP method '${x.req.method}' is not supported for '${path}'.`);
    if (!handler) return next();
    x.res = await handler({ query, path, baseUrl: baseUrl(x), address: x.req.remoteAddress ?? '', requestId: x.requestId, form: () => x.req.form() });
  };
  const caller: Middleware = async (x, next) => {
    try {
      x.caller = await resolveCaller(x.req.headers, { baseUrl: baseUrl(x) });
    } catch (e) {
      if (!isDpError(e) || e.kind !== 'unauthenticated') throw e;
      x.res = { status: e.status, body: e.toCloudError(), headers: { 'WWW-Authenticate': bearerChallenge(baseUrl(x), e) } };
      return;
    }
    await next();
  };
  const inner = [requestIds, errors, publicRoutes, caller, auditTrail(opts.context), dispatchTo(router, opts.context, opts.trustProxy, authorizeRoutes(opts.context))];

  const app: App = {
    handle(req, send) {
      const sending: Middleware = async (x, next) => {
        await next();
        x.sentStatus = send(x.res!);
      };
      return compose([logging, sending, ...inner])({ req, requestId: '' });
    },
    async request(method, target, init = {}) {
      const headers = Object.fromEntries(Object.entries(init.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
      const text = init.body === undefined ? '' : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
      if (init.body !== undefined && typeof init.body !== 'string' && !headers['content-type']) headers['content-type'] = 'application/json';
      let out: SerializedResponse | undefined;
      await app.handle(
        { method, target, headers, body: async () => jsonBodyFromText(headers['content-type'], text), form: async () => parseForm(headers['content-type'], text) },
        (res) => (out = inProcessAnswer(res, log)).status,
      );
      return { status: out!.status, headers: new Headers(out!.headers), body: out!.payload ? parsedBody(out!.headers['Content-Type'], out!.payload) : undefined };
    },
  };
  return app;
}

const parsedBody = (contentType: string | undefined, payload: string): unknown => (contentType?.startsWith('application/json') ? JSON.parse(payload) : payload);

/** What HTTP would have sent; an answer that could not go out on the wire is a 500, as there. */
function inProcessAnswer(res: ApiResponse, log: (line: string) => void): SerializedResponse {
  const out = serializeResponse(res);
  try {
    new Headers(out.headers);
    return out;
  } catch (e) {
    log(`internal error writing an answer: ${(e as Error).stack ?? String(e)}`);
    return serializeResponse(internalWriteError());
  }
}

export function internalWriteError(): ApiResponse {
  return { status: 500, body: dpErrors.responseNotWritten().toCloudError(), headers: { Connection: 'close' } };
}
