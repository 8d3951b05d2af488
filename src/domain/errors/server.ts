// Errors of the server's own safety settings: where a restore as files may write
// (--restore-files-root), and how the server listens and the CLI trusts it (TLS).
import { DpError } from './dp-error.ts';
import { INVALID_REQUEST_PARAMETER } from './postgres.ts';

/** A restore as files found its dump (or checksum) already there: a restore never overwrites. */
export const RESTORE_FILE_EXISTS = 'UserErrorFileAlreadyExists';

const URL_TARGET = 'restoreTargetInfo.targetDetails.url';
const ROOT_SETTING = '--restore-files-root DIR (or DPVAULT_RESTORE_FILES_ROOT)';
const CONTAINER_SETTING = '--restore-files-container URL (or DPVAULT_RESTORE_FILES_CONTAINERS)';

/** A restore as files to a place the operator did not allow (or no longer does). */
const targetNotAllowed = (message: string): DpError => new DpError('invalid', 'UserErrorRestoreTargetNotAllowed', message, { target: URL_TARGET });

export const serverErrors = {
  /** The operator allowed no directory for restores as files. */
  restoreFilesRootNotSet: (): DpError =>
    targetNotAllowed(
      `This server allows no directory for restores as files: start it with ${ROOT_SETTING} naming the directories restores may write to.`,
    ),
  /** A target directory that resolves (through `..` or symbolic links) outside every allowed root. */
  restoreTargetOutsideRoots: (dir: string, resolved: string, roots: readonly string[]): DpError =>
    targetNotAllowed(
      `The target directory '${dir}'${resolved === dir ? '' : ` (resolved to '${resolved}')`} is not under a directory this server lets restores write to (${ROOT_SETTING}: ${roots.join(', ')}). Choose a directory under one of them.`,
    ),
  /** A target directory inside the server's own data directory. */
  restoreTargetInDataDir: (dir: string): DpError =>
    targetNotAllowed(
      `The target directory '${dir}' lies inside the server's data directory, where a restore never writes. Choose a directory under ${ROOT_SETTING} outside it.`,
    ),
  /** The restore's directory changed between the request and the job (a component replaced by a link). */
  restoreTargetMoved: (dir: string, resolved: string): DpError =>
    targetNotAllowed(
      `The target directory '${dir}' now resolves to '${resolved}', not where it was when the restore was accepted; nothing was written.`,
    ),
  /** The operator allowed no container for restores as files. */
  restoreContainerNotSet: (): DpError =>
    targetNotAllowed(
      `This server allows no container for restores as files: start it with ${CONTAINER_SETTING} naming the containers restores may write to.`,
    ),
  /** A container URL that names none the operator allowed. */
  restoreContainerNotAllowed: (shown: string, allowed: readonly string[]): DpError =>
    targetNotAllowed(
      `The target container '${shown}' is not one this server lets restores write to (${CONTAINER_SETTING}: ${allowed.join(', ')}). Choose one of them, or a path under its prefix.`,
    ),
  /** A container URL that cannot be read; `shown` must already be free of secrets. */
  restoreContainerUrlInvalid: (shown: string, problem: string): DpError =>
    new DpError('invalid', INVALID_REQUEST_PARAMETER, `The target container URL '${shown}' is not valid: ${problem}`, { target: URL_TARGET }),
  /** The target container did not answer, or refused, before any data moved; `detail` is free of secrets. */
  restoreContainerNotAccessible: (shown: string, detail: string): DpError =>
    new DpError('invalid', 'UserErrorContainerNotAccessible', `The target container '${shown}' cannot be written to: ${detail} Nothing was written.`, { target: URL_TARGET }),
  /** The dump file appeared between the request and the rename that names it. */
  restoreFileExists: (file: string): DpError =>
    new DpError('invalid', RESTORE_FILE_EXISTS, `The file '${file}' already exists. A restore never overwrites (FailIfExists): choose another --target-file-name.`),

  /** A non-loopback address without TLS. */
  insecureListenRefused: (host: string): DpError =>
    new DpError(
      'usage',
      'InsecureListenRefused',
      `Refusing to listen on ${host} without TLS: anyone who reaches it could read and change everything. Give --tls-cert FILE --tls-key FILE (or --tls-generate), or --insecure-http to serve plain HTTP on purpose.`,
    ),
  tlsFileUnreadable: (what: string, file: string, cause: string): DpError =>
    new DpError('usage', 'InvalidArgumentValueError', `The TLS ${what} '${file}' cannot be used: ${cause}.`),

  /** The CLI could not verify the server's certificate. */
  certificateUntrusted: (endpoint: string, cause: string, fingerprint: string | null): DpError =>
    new DpError(
      'unavailable',
      'CertificateVerificationFailed',
      `The certificate of ${endpoint} could not be verified (${cause}).${fingerprint ? ` Its SHA-256 fingerprint is ${fingerprint}.` : ''} To trust it, give its CA with --ca-bundle FILE or REQUESTS_CA_BUNDLE, or pin the fingerprint the server printed at start with DPVAULT_TLS_FINGERPRINT=sha256:<hex> (compare it with the server's own, never with one read over the network).`,
    ),
  fingerprintMismatch: (endpoint: string, expected: string, got: string): DpError =>
    new DpError(
      'unavailable',
      'CertificateVerificationFailed',
      `The certificate of ${endpoint} has the SHA-256 fingerprint ${got}, not the pinned ${expected} (DPVAULT_TLS_FINGERPRINT): the connection was refused. If the server's certificate was replaced, pin the fingerprint it prints at start.`,
    ),
  fingerprintInvalid: (value: string): DpError =>
    new DpError('usage', 'InvalidArgumentValueError', `DPVAULT_TLS_FINGERPRINT: '${value}' is not a SHA-256 fingerprint; give sha256: followed by 64 hex digits (colons allowed).`),
  caBundleUnreadable: (file: string, cause: string): DpError =>
    new DpError('usage', 'InvalidArgumentValueError', `The CA bundle '${file}' cannot be read: ${cause}.`),
};
