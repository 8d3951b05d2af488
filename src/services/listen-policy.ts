// Whether the server may listen where it was asked to: plain HTTP only on a loopback address,
// unless the operator says --insecure-http. Anything else reaching the port could read secrets
// and restore any database, so a non-loopback address needs TLS.
import { isIP } from 'node:net';
import { errors } from '../domain/errors.ts';

/** An address only this machine can reach: localhost, 127.0.0.0/8, ::1 (IPv4-mapped included). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

export function checkListenPolicy(host: string, tls: boolean, insecureHttp: boolean): void {
  if (!tls && !insecureHttp && !isLoopback(host)) throw errors.insecureListenRefused(host);
}
