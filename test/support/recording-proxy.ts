// A real HTTP proxy in front of an emulator: forwards every request unchanged (headers, Host and
// signature included) and records what was asked, so a test checks the calls an emulator does
// not model were made with the right parameters. `answer` may reply to a request itself (what the
// emulator refuses), and `decorate` add headers to the emulator's reply (what it does not send).
import { createServer, request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The status answered, once answered. */
  status?: number;
}

export interface ProxyReply {
  status: number;
  headers?: OutgoingHttpHeaders;
  body?: string;
}

export interface RecordingProxy {
  /** The proxy's endpoint, to use in place of the emulator's. */
  endpoint: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startRecordingProxy(target: string, opts: {
  answer?: (r: RecordedRequest) => ProxyReply | undefined;
  decorate?: (r: RecordedRequest) => OutgoingHttpHeaders;
} = {}): Promise<RecordingProxy> {
  const to = new URL(target);
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      const recorded: RecordedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(parts).toString('utf8') };
      requests.push(recorded);
      const own = opts.answer?.(recorded);
      if (own) {
        recorded.status = own.status;
        res.writeHead(own.status, own.headers ?? {});
        res.end(own.body ?? '');
        return;
      }
      const out = request({ host: to.hostname, port: to.port, method: recorded.method, path: recorded.url, headers: req.headers }, (up) => {
        recorded.status = up.statusCode ?? 502;
        res.writeHead(recorded.status, { ...up.headers, ...(opts.decorate?.(recorded) ?? {}) });
        up.pipe(res);
      });
      out.on('error', () => res.destroy());
      out.end(Buffer.concat(parts));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
