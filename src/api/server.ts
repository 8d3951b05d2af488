// The HTTP face of the service: parses requests, checks api-version, dispatches through the route
// table and maps every error once to a CloudError body. Nothing a request does gets past that
// mapping: not a handler's exception, not a malformed target or body, not an unwritable answer,
// and not a request Node's HTTP parser refuses (those get a CloudError too).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { DpError, notFound, toDpError } from '../domain/errors.ts';
import { checkApiVersion } from './api-version.ts';
import type { ApiResponse } from './http.ts';
import { readJsonBody } from './request-body.ts';
import { parseRequestTarget } from './request-target.ts';
import type { Router } from './router.ts';

export interface ApiServerOptions {
  log?: (line: string) => void;
}

export function createApiServer(router: Router, opts: ApiServerOptions = {}): Server {
  const log = opts.log ?? (() => undefined);
  const server = createServer((req, res) => void respond(router, req, res, log));
  server.on('clientError', refuseUnparsable);
  return server;
}

async function respond(router: Router, req: IncomingMessage, res: ServerResponse, log: (line: string) => void): Promise<void> {
  const started = performance.now();
  const shownPath = (req.url ?? '/').split('?')[0]!;
  let out: ApiResponse;
  try {
    out = await handle(router, req);
  } catch (e) {
    const err = toDpError(e);
    if (err.kind === 'internal') log(`internal error on ${req.method} ${shownPath}: ${err.stack ?? err.message}`);
    out = { status: err.status, body: err.toCloudError() };
  }
  // A refusal before the whole body was read: the rest is not waited for, so the connection ends.
  if (!req.complete) out.headers = { ...out.headers, Connection: 'close' };
  try {
    send(res, out);
  } catch (e) {
    // An answer Node cannot write (a header it refuses): say so instead of leaving the caller hanging.
    log(`internal error writing ${req.method} ${shownPath}: ${(e as Error).stack ?? String(e)}`);
    sendPlain(res, 500, new DpError('internal', 'InternalError', 'The response could not be written.').toCloudError());
  }
  log(`${req.method} ${shownPath} ${res.statusCode} ${Math.round(performance.now() - started)}ms`);
}

async function handle(router: Router, req: IncomingMessage): Promise<ApiResponse> {
  const { path, query } = parseRequestTarget(req.url ?? '/');
  const method = req.method ?? 'GET';
  const found = router.match(method, path);
  if (!('route' in found)) {
    if (found.methodMismatch) {
      throw new DpError('invalid', 'MethodNotAllowed', `The HTTP method '${method}' is not supported for '${path}'.`);
    }
    throw notFound('InvalidResourceType', `No resource type is served at '${path}'.`);
  }
  const { route, params } = found;
  const apiVersion = route.versions === 'none' ? '' : checkApiVersion(query.get('api-version'), route.versions, typeFromPath(path));
  const body = await readJsonBody(req);
  const host = req.headers.host ?? 'localhost';
  return route.handler({
    method,
    path,
    params,
    query,
    headers: req.headers,
    body,
    apiVersion,
    baseUrl: `http://${host}`,
  });
}

function typeFromPath(path: string): string {
  const parts = path.split('/').filter(Boolean);
  const i = parts.findIndex((p) => p.toLowerCase() === 'providers');
  if (i < 0) return parts.length > 2 ? 'resourceGroups' : 'subscriptions';
  const types = parts.slice(i + 2).filter((_, k) => k % 2 === 0);
  return `${parts[i + 1]}/${types.join('/')}`;
}

function send(res: ServerResponse, out: ApiResponse): void {
  if (res.headersSent) return;
  const headers: Record<string, string> = { ...(out.headers ?? {}) };
  let payload: string | undefined;
  if (out.body !== undefined) {
    payload = JSON.stringify(out.body);
    headers['Content-Type'] = 'application/json; charset=utf-8';
    headers['Content-Length'] = String(Buffer.byteLength(payload));
  } else {
    headers['Content-Length'] = '0';
  }
  res.writeHead(out.status, headers);
  res.end(payload);
}

/** The last resort: a fixed answer that cannot fail to serialise; the socket is dropped if even that fails. */
function sendPlain(res: ServerResponse, status: number, body: unknown): void {
  try {
    if (res.headersSent) throw new Error('headers already sent');
    send(res, { status, body, headers: { Connection: 'close' } });
  } catch {
    res.destroy();
  }
}

/**
 * Node's parser refused the request (an unknown method, a malformed request line or header, headers
 * too large): answer with a CloudError, as for every other refusal, and close the connection.
 */
function refuseUnparsable(err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex): void {
  if (!socket.writable || err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const headersTooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const timedOut = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  const status = headersTooLarge ? 431 : timedOut ? 408 : 400;
  const error = headersTooLarge
    ? { code: 'RequestHeadersTooLarge', message: 'The request headers are too large.' }
    : timedOut
      ? { code: 'RequestTimeout', message: 'The request was not received in time.' }
      : { code: 'BadRequest', message: `The request could not be parsed as HTTP (${err.code ?? 'malformed request'}).` };
  const payload = JSON.stringify({ error: { ...error, target: null, details: null } });
  // The answer to a HEAD has no body: a client would read one as the start of the next answer.
  const head = err.rawPacket?.toString('latin1', 0, 5) === 'HEAD ';
  const reason = headersTooLarge ? 'Request Header Fields Too Large' : timedOut ? 'Request Timeout' : 'Bad Request';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(payload)}\r\nConnection: close\r\n\r\n${head ? '' : payload}`,
  );
}
