// The HTTP(S) face of the service: a thin adapter that hands each request to the app's pipeline
// (app.ts: api-version, body, dispatch, one mapping of every error to a CloudError) and writes its
// answer. Nothing a request does gets past that mapping: not a handler's exception, not a malformed
// target or body, not an unwritable answer, and not a request Node's HTTP parser refuses (those get
// a CloudError here, as they never reach the pipeline).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import { errors } from '../domain/errors.ts';
import { internalWriteError, type App } from './app.ts';
import type { ApiResponse } from './http.ts';
import { readFormBody, readJsonBody } from './request-body.ts';
import { serializeResponse } from './response-body.ts';

export interface ApiServerOptions {
  log?: (line: string) => void;
  /** Serve HTTPS with this certificate and key (PEM); plain HTTP without. */
  tls?: { cert: string; key: string };
}

export type ApiServer = Server | TlsServer;

/** An HTTP or HTTPS server over the app (`createApp`). */
export function createApiServer(app: App, opts: ApiServerOptions = {}): ApiServer {
  const log = opts.log ?? (() => undefined);
  const handler = (req: IncomingMessage, res: ServerResponse) => void respond(app, req, res, log);
  const server = opts.tls ? createTlsServer({ cert: opts.tls.cert, key: opts.tls.key, minVersion: 'TLSv1.2' }, handler) : createServer(handler);
  server.on('clientError', refuseUnparsable);
  return server;
}

function respond(app: App, req: IncomingMessage, res: ServerResponse, log: (line: string) => void): Promise<void> {
  const scheme = (req.socket as TLSSocket).encrypted ? ('https' as const) : ('http' as const);
  const incoming = {
    method: req.method ?? 'GET', target: req.url ?? '/', scheme, headers: req.headers, remoteAddress: req.socket.remoteAddress,
    body: () => readJsonBody(req), form: () => readFormBody(req),
  };
  return app.handle(incoming, (out) => {
    // A refusal before the whole body was read: the rest is not waited for, so the connection ends.
    if (!req.complete) out.headers = { ...out.headers, Connection: 'close' };
    try {
      send(res, out);
    } catch (e) {
      // An answer Node cannot write (a header it refuses): say so instead of leaving the caller hanging.
      log(`internal error writing ${req.method} ${(req.url ?? '/').split('?')[0]}: ${(e as Error).stack ?? String(e)}`);
      sendPlain(res, internalWriteError());
    }
    return res.statusCode;
  });
}

function send(res: ServerResponse, out: ApiResponse): void {
  if (res.headersSent) return;
  const { status, headers, payload } = serializeResponse(out);
  res.writeHead(status, headers);
  res.end(payload);
}

/** The last resort: a fixed answer that cannot fail to serialise; the socket is dropped if even that fails. */
function sendPlain(res: ServerResponse, out: ApiResponse): void {
  try {
    if (res.headersSent) throw new Error('headers already sent');
    send(res, out);
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
  const error = headersTooLarge ? errors.requestHeadersTooLarge() : timedOut ? errors.requestTimedOut() : errors.requestUnparsable(err.code);
  const payload = JSON.stringify(error.toCloudError());
  // The answer to a HEAD has no body: a client would read one as the start of the next answer.
  const head = err.rawPacket?.toString('latin1', 0, 5) === 'HEAD ';
  const reason = headersTooLarge ? 'Request Header Fields Too Large' : timedOut ? 'Request Timeout' : 'Bad Request';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(payload)}\r\nConnection: close\r\n\r\n${head ? '' : payload}`,
  );
}
