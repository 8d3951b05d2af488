// An HTTP server standing in for an alert webhook: each request's path (without its query), JSON
// body and Authorization header go to `answer`, whose return is the status it answers.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookReceiver {
  server: Server;
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  close(): void;
}

export async function startWebhookReceiver(answer: (path: string, body: unknown, req: IncomingMessage) => number): Promise<WebhookReceiver> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => void res.writeHead(answer((req.url ?? '').split('?')[0]!, body ? JSON.parse(body) : undefined, req)).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}
