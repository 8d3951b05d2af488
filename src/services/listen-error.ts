// Why the service could not listen, in words that name the address and what to do about it.
import { type DpError, errors } from '../domain/errors.ts';

export function listenError(e: NodeJS.ErrnoException, host: string, port: number): DpError {
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  switch (e.code) {
    case 'EADDRINUSE':
      return errors.listenAddressInUse(address);
    case 'EACCES':
      return errors.listenAccessDenied(address);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return errors.listenAddressNotAvailable(address, e.code);
    default:
      return errors.listenFailed(address, e.code, e.message);
  }
}
