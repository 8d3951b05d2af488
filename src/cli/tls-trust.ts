// Which server certificates the CLI trusts over HTTPS: a pinned fingerprint
// (DPVAULT_TLS_FINGERPRINT, how a user trusts `dpvault server --tls-generate`), else the CA
// certificates of --ca-bundle or REQUESTS_CA_BUNDLE (az's variable), else the system's.
import { readFileSync } from 'node:fs';
import { errors } from '../domain/errors.ts';
import { parseFingerprint } from '../domain/tls-fingerprint.ts';

export interface TlsTrust {
  /** `sha256:<hex>`: the server's certificate must have exactly this fingerprint. */
  fingerprint?: string;
  /** PEM CA certificates that replace the system's. */
  ca?: string;
}

export function tlsTrustFrom(caBundle: string | undefined, env: Record<string, string | undefined>): TlsTrust {
  const pinned = env.DPVAULT_TLS_FINGERPRINT;
  if (pinned) {
    const fingerprint = parseFingerprint(pinned);
    if (!fingerprint) throw errors.fingerprintInvalid(pinned);
    return { fingerprint };
  }
  const file = caBundle ?? (env.REQUESTS_CA_BUNDLE || undefined);
  if (file === undefined) return {};
  try {
    return { ca: readFileSync(file, 'utf8') };
  } catch (e) {
    throw errors.caBundleUnreadable(file, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
  }
}
