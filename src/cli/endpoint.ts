// Where the CLI finds the service: --endpoint, DPVAULT_ENDPOINT or the default. A bare HOST:PORT
// (what `dpvault server` prints without its scheme) means http://HOST:PORT; other schemes are refused.
import { errors } from '../domain/errors.ts';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:7480';

export function endpointUrl(value: string, source: string): string {
  const trimmed = value.trim();
  const refuse = (why: string) =>
    errors.argumentValueInvalid(`${source}: '${value}' ${why}; give http://HOST:PORT, https://HOST:PORT or HOST:PORT.`);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(trimmed)?.[1];
  if (scheme && !/^https?$/i.test(scheme)) throw refuse(`is not an http or https URL`);
  let url: URL;
  try {
    url = new URL(scheme ? trimmed : `http://${trimmed}`);
  } catch {
    throw refuse('is not a URL');
  }
  if (!url.hostname || url.search || url.hash || url.username || url.password) throw refuse('is not a service address');
  return url.href.replace(/\/+$/, '');
}
