// The HTTP face of the service: parses requests, checks api-version, dispatches through the route
// table and maps every error once to a CloudError body.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { DpError, invalid, notFound, toDpError } from '../domain/errors.ts';
import { checkApiVersion } from './api-version.ts';
import type { ApiResponse } from './http.ts';
import type { Router } from './router.ts';

const MAX_BODY = 4 * 1024 * 1024;

export interface ApiServerOptions {
  log?: (line: string) => void;
}

export function createApiServer(router: Router, opts: ApiServerOptions = {}): Server {
  const log = opts.log ?? (() => undefined);
  return createServer((req, res) => {
    const started = performance.now();
    handle(router, req)
      .then((out) => send(res, out))
      .catch((e: unknown) => {
        const err = toDpError(e);
        if (err.kind === 'internal') log(`internal error on ${req.method} ${pathOf(req)}: ${err.stack ?? err.message}`);
        send(res, { status: err.status, body: err.toCloudError() });
      })
      .finally(() => log(`${req.method} ${pathOf(req)} ${res.statusCode} ${Math.round(performance.now() - started)}ms`));
  });
}

function pathOf(req: IncomingMessage): string {
  return new URL(req.url ?? '/', 'http://x').pathname;
}

async function handle(router: Router, req: IncomingMessage): Promise<ApiResponse> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const method = req.method ?? 'GET';
  const found = router.match(method, path);
  if (!('route' in found)) {
    if (found.methodMismatch) {
      throw new DpError('invalid', 'MethodNotAllowed', `The HTTP method '${method}' is not supported for '${path}'.`);
    }
    throw notFound('InvalidResourceType', `No resource type is served at '${path}'.`);
  }
  const { route, params } = found;
  const apiVersion = route.versions === 'none' ? '' : checkApiVersion(url.searchParams.get('api-version'), route.versions, typeFromPath(path));
  const body = await readJson(req);
  const host = req.headers.host ?? 'localhost';
  return route.handler({
    method,
    path,
    params,
    query: url.searchParams,
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

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw invalid('RequestEntityTooLarge', `The request body is larger than ${MAX_BODY} bytes.`);
    chunks.push(chunk as Buffer);
  }
  if (!size) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw invalid('InvalidRequestContent', `The request content was invalid and could not be deserialized: ${(e as Error).message}`);
  }
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
