// Why the service could not listen, in words that name the address and what to do about it.
import { DpError } from '../domain/errors.ts';

export function listenError(e: NodeJS.ErrnoException, host: string, port: number): DpError {
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  switch (e.code) {
    case 'EADDRINUSE':
      return new DpError(
        'unavailable',
        'AddressInUse',
        `Cannot listen on ${address}: the address is already in use (EADDRINUSE). Stop what is listening there, or give another --port or --host.`,
      );
    case 'EACCES':
      return new DpError('unavailable', 'AddressAccessDenied', `Cannot listen on ${address}: permission denied (EACCES). Choose a port above 1023.`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new DpError('unavailable', 'AddressNotAvailable', `Cannot listen on ${address}: no network interface has this address (${e.code}). Check --host.`);
    default:
      return new DpError('unavailable', 'ListenFailed', `Cannot listen on ${address}: ${e.code ?? ''} ${e.message}`.replace(/\s+/g, ' '));
  }
}
