// One HTTP or HTTPS exchange of the CLI with the service. Over HTTPS the connection is made and
// its certificate checked (tls-trust.ts) before a byte of the request is sent: a pinned
// fingerprint must match exactly; otherwise the chain must verify against the CAs trusted and
// name the host. A certificate that fails is refused with a message that says how to trust it.
import { request, type IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { checkServerIdentity, connect, getCACertificates, type TLSSocket } from 'node:tls';
import { errors } from '../domain/errors.ts';
import { fingerprintText } from '../domain/tls-fingerprint.ts';
import type { TlsTrust } from './tls-trust.ts';

export interface HttpExchange {
  method: string;
  headers: Record<string, string>;
  body?: string;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/** Sends the request; a DpError when the certificate is not trusted, else Node's error when the service cannot be reached. */
export async function exchange(url: URL, init: HttpExchange, trust: () => TlsTrust, endpoint: string): Promise<HttpAnswer> {
  const socket = url.protocol === 'https:' ? await trustedConnection(url, trust(), endpoint) : undefined;
  return new Promise((resolve, reject) => {
    const options = {
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || (socket ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      method: init.method,
      headers: { Host: url.host, ...init.headers },
      // The checked connection, or a fresh one (no agent: each request has its own connection).
      ...(socket ? { createConnection: () => socket } : { agent: false }),
    };
    const req = request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: toHeaders(res.headers), text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

async function trustedConnection(url: URL, trust: TlsTrust, endpoint: string): Promise<TLSSocket> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const socket = connect({
    host,
    port: Number(url.port || 443),
    servername: isIP(host) ? undefined : host,
    ca: trust.ca ?? [...getCACertificates('default'), ...getCACertificates('system')],
    rejectUnauthorized: false, // decided below, before anything is sent
    ALPNProtocols: ['http/1.1'],
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  const cert = socket.getPeerCertificate();
  const got = cert.fingerprint256 ? fingerprintText(cert.fingerprint256) : null;
  const refuse = (e: Error) => {
    socket.destroy();
    return e;
  };
  if (trust.fingerprint) {
    if (got !== trust.fingerprint) throw refuse(errors.fingerprintMismatch(endpoint, trust.fingerprint, got ?? 'none'));
    return socket;
  }
  if (!socket.authorized) throw refuse(errors.certificateUntrusted(endpoint, String(socket.authorizationError), got));
  const wrongName = checkServerIdentity(host, cert);
  if (wrongName) throw refuse(errors.certificateUntrusted(endpoint, wrongName.message, got));
  return socket;
}

function toHeaders(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, v);
  }
  return headers;
}
