// A PostgreSQL catalog's URL (--database or DPVAULT_DATABASE): checked before anything is opened,
// and shown only redacted, its password (and any password= parameter) replaced by `***`, in logs,
// errors and summaries.
import { errors } from '../domain/errors.ts';

const SCHEMES = ['postgres:', 'postgresql:'];

/** The URL with its password hidden; a URL that does not parse is not shown at all. */
export function redactDatabaseUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '(a value that is not a URL)';
  }
  if (u.password) u.password = '***';
  for (const k of [...u.searchParams.keys()]) if (/pass/i.test(k)) u.searchParams.set(k, '***');
  return u.toString();
}

/** Refuses anything but a postgres:// or postgresql:// URL naming a host; returns it redacted. */
export function checkDatabaseUrl(url: string): string {
  const redacted = redactDatabaseUrl(url);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw errors.catalogUrlInvalid(redacted);
  }
  if (!SCHEMES.includes(u.protocol) || u.hostname === '') throw errors.catalogUrlInvalid(redacted);
  return redacted;
}

/** Removes the URL and every spelling of its password (raw and decoded) from a message. */
export function withoutSecret(message: string, url: string): string {
  let password: string;
  try {
    password = new URL(url).password;
  } catch {
    return message;
  }
  if (!password) return message;
  let decoded = password;
  try {
    decoded = decodeURIComponent(password);
  } catch {
    // a malformed escape: hide the raw spelling only
  }
  let out = message.split(url).join(redactDatabaseUrl(url));
  for (const s of new Set([password, decoded])) out = out.split(s).join('***');
  return out;
}
