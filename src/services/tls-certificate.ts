// The server's TLS certificate: given as files (--tls-cert, --tls-key), or self-signed and kept
// in the data directory (--tls-generate): made on first start (ECDSA P-256, SANs localhost,
// 127.0.0.1, ::1 and the host's name), the key with mode 0600, and reused on every start while
// it is valid. Node's crypto cannot make X.509 certificates; @peculiar/x509 does, on Node's own
// WebCrypto, with no native code; it needs the Reflect metadata API, which reflect-metadata adds
// (imported first, as that library asks). This module is loaded only by a server that makes one.
import 'reflect-metadata';
import { X509Certificate, webcrypto } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { errors } from '../domain/errors.ts';
import { fingerprintText } from '../domain/tls-fingerprint.ts';
import type { Clock } from '../util/clock.ts';
import { writePrivateFile } from '../util/private-file.ts';

export interface TlsMaterial {
  cert: string;
  key: string;
  /** `sha256:<hex>` of the certificate. */
  fingerprint: string;
}

export const GENERATED_CERT = 'tls-cert.pem';
export const GENERATED_KEY = 'tls-key.pem';
const VALID_DAYS = 825;
const DAY_MS = 86_400_000;

/** The certificate and key in two PEM files, checked to belong together. */
export function readTlsFiles(certFile: string, keyFile: string): TlsMaterial {
  const read = (what: string, file: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (e) {
      throw errors.tlsFileUnreadable(what, file, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
    }
  };
  return checked(read('certificate', certFile), read('key', keyFile), certFile, keyFile);
}

/** The self-signed certificate kept in the data directory, made when there is none or it has expired. */
export async function loadOrCreateSelfSigned(dataDir: string, clock: Clock): Promise<TlsMaterial & { created: boolean }> {
  const certFile = join(dataDir, GENERATED_CERT);
  const keyFile = join(dataDir, GENERATED_KEY);
  if (existsSync(certFile) && existsSync(keyFile)) {
    const found = readTlsFiles(certFile, keyFile);
    if (new Date(new X509Certificate(found.cert).validTo).getTime() > clock.now().getTime() + DAY_MS) {
      chmodSync(keyFile, 0o600);
      return { ...found, created: false };
    }
  }
  const made = await selfSigned(clock.now());
  writePrivateFile(keyFile, made.key);
  writePrivateFile(certFile, made.cert);
  return { ...checked(made.cert, made.key, certFile, keyFile), created: true };
}

/** The names a self-signed certificate is made for. */
export function selfSignedNames(): { type: 'dns' | 'ip'; value: string }[] {
  const host = hostname();
  return [
    { type: 'dns', value: 'localhost' },
    { type: 'ip', value: '127.0.0.1' },
    { type: 'ip', value: '::1' },
    ...(host && host !== 'localhost' ? [{ type: 'dns' as const, value: host }] : []),
  ];
}

async function selfSigned(now: Date): Promise<{ cert: string; key: string }> {
  const crypto = webcrypto as typeof globalThis.crypto;
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await crypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const serial = Buffer.from(crypto.getRandomValues(new Uint8Array(16)));
  serial[0]! &= 0x7f; // a positive serial number
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serial.toString('hex'),
      name: 'CN=dpvault',
      notBefore: new Date(now.getTime() - DAY_MS),
      notAfter: new Date(now.getTime() + VALID_DAYS * DAY_MS),
      signingAlgorithm: alg,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(selfSignedNames()),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
        await x509.AuthorityKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', keys.privateKey));
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n?$/, '\n')}-----END PRIVATE KEY-----\n`;
  return { cert: cert.toString('pem') + '\n', key };
}

/** The pair as TLS would use it: a certificate that parses, and a key that belongs to it. */
function checked(cert: string, key: string, certFile: string, keyFile: string): TlsMaterial {
  let parsed: X509Certificate;
  try {
    parsed = new X509Certificate(cert);
  } catch (e) {
    throw errors.tlsFileUnreadable('certificate', certFile, `it is not a PEM certificate (${(e as Error).message})`);
  }
  try {
    createSecureContext({ cert, key });
  } catch (e) {
    throw errors.tlsFileUnreadable('key', keyFile, `it is not the private key of '${certFile}' (${(e as Error).message})`);
  }
  return { cert, key, fingerprint: fingerprintText(parsed.fingerprint256) };
}
