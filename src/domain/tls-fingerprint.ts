// A certificate's SHA-256 fingerprint as dpvault shows and takes it: `sha256:` and 64 lower-case
// hex digits. The server prints it at start; DPVAULT_TLS_FINGERPRINT pins it in the CLI (colons
// and upper case, as openssl and browsers show it, are accepted).

/** The fingerprint text of a certificate's SHA-256 in any hex spelling (`AB:CD:…` as Node's fingerprint256 gives it). */
export function fingerprintText(sha256Hex: string): string {
  return `sha256:${sha256Hex.replace(/:/g, '').toLowerCase()}`;
}

/** A pinned fingerprint in its canonical form, or null when `value` is not one. */
export function parseFingerprint(value: string): string | null {
  const m = /^sha256:((?:[0-9a-f]{2}:?){31}[0-9a-f]{2})$/i.exec(value.trim());
  return m ? fingerprintText(m[1]!) : null;
}
