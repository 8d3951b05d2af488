// What an object store SDK's failure means for the storage contract (storage.ts): not-found,
// archived, full, transient or permanent. Both SDKs' errors are first reduced to the same few
// facts (`SdkFailure`), so the decision is written once. Messages pass through `redact`, so a
// credential an SDK echoes never reaches a log, a job or an API response.
import type { DpError } from '../domain/errors.ts';
import { errors } from '../domain/errors.ts';
import { storageFailure, storageFull, storageNotFound } from './storage.ts';

/** The facts of one failed SDK call. */
export interface SdkFailure {
  /** HTTP status, when the service answered. */
  status: number | undefined;
  /** The service's error code (`NoSuchKey`, `BlobArchived`) or the socket's (`ECONNREFUSED`). */
  code: string | undefined;
  message: string;
}

/** The bucket or container itself does not exist (a 404 of any other kind may be a proxy's). */
const MISSING_CONTAINER = new Set(['NoSuchBucket', 'ContainerNotFound']);
const ARCHIVED = new Set(['BlobArchived', 'InvalidObjectState']);
/** Azure's and S3's refusal of a rehydration asked while one of the object is under way. */
const REHYDRATION_UNDER_WAY = new Set(['BlobBeingRehydrated', 'RestoreAlreadyInProgress']);
const FULL = new Set(['XMinioStorageFull', 'QuotaExceeded', 'AccountQuotaExceeded', 'InsufficientAccountStorage']);
const MISSING_CREDENTIALS = new Set(['CredentialsProviderError']);
const TRANSIENT_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const TRANSIENT_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNABORTED',
  'TimeoutError', 'RequestTimeout', 'RequestTimeTooSkewed', 'SlowDown', 'ServerBusy', 'OperationTimedOut', 'InternalError',
  'REQUEST_SEND_ERROR',
]);

/** The facts of an error thrown by @aws-sdk or @azure (or by the socket under them). */
export function sdkFailure(e: unknown): SdkFailure {
  const err = (e ?? {}) as {
    $metadata?: { httpStatusCode?: number };
    statusCode?: number;
    Code?: string;
    code?: string;
    name?: string;
    message?: string;
    cause?: { code?: string };
  };
  const status = err.$metadata?.httpStatusCode ?? err.statusCode;
  const named = err.name && err.name !== 'Error' && err.name !== 'RestError' ? err.name : undefined;
  const code = err.Code ?? err.code ?? err.cause?.code ?? named;
  return { status, code, message: String(err.message ?? e) };
}

/**
 * Replaces every secret the object store SDKs read from the environment, and any SAS signature
 * or account key written into a string, with `***`.
 */
export function redact(text: string, env: NodeJS.ProcessEnv = process.env): string {
  const secrets = [env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN, env.AWS_ACCESS_KEY_ID, env.AZURE_STORAGE_KEY];
  for (const part of (env.AZURE_STORAGE_CONNECTION_STRING ?? '').split(';')) {
    const [key, ...rest] = part.split('=');
    if (key && /^(AccountKey|SharedAccessSignature)$/i.test(key.trim())) secrets.push(rest.join('='));
  }
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***');
  return out
    .replace(/(AccountKey|SharedAccessSignature)=[^;\s]*/gi, '$1=***')
    .replace(/(\bsig=)[^&\s]*/gi, '$1***');
}

/** Whether `f` refuses a rehydration because one is already under way (the first goes on: no failure). */
export function isRehydrationUnderWay(f: SdkFailure): boolean {
  return f.code !== undefined && REHYDRATION_UNDER_WAY.has(f.code);
}

/** Whether `f` says the bucket or container does not exist: a listing of it then holds nothing. */
export function isMissingContainer(f: SdkFailure): boolean {
  return f.status === 404 && f.code !== undefined && MISSING_CONTAINER.has(f.code);
}

/**
 * The storage error for a failed SDK call `op` on object `name` of the storage `displayName`. A
 * 404 is not-found for the operations on one object; of a listing it is a failure (a missing
 * bucket or container is told apart before, with `isMissingContainer`).
 */
export function classifyObjectError(op: string, name: string, displayName: string, f: SdkFailure, neededBytes: number | null = null): DpError {
  if (f.status === 404 && op !== 'list') return storageNotFound(name);
  if (f.code && ARCHIVED.has(f.code)) return errors.storageObjectArchived(name);
  if (f.status === 507 || (f.code && FULL.has(f.code))) return storageFull(displayName, name, { freeBytes: null, neededBytes });
  if (f.code && MISSING_CREDENTIALS.has(f.code)) {
    return errors.storageCredentialsMissing(displayName, 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or another source of the AWS SDK\'s default chain)');
  }
  const transient = (f.status !== undefined && TRANSIENT_STATUS.has(f.status)) || (f.code !== undefined && TRANSIENT_CODES.has(f.code));
  const firstLine = redact(f.message).split('\n')[0] ?? '';
  const status = f.status === undefined ? undefined : `HTTP ${f.status}`;
  const what = f.code && status ? `${f.code} (${status})` : (f.code ?? status);
  const detail = [what, firstLine].filter(Boolean).join(': ');
  return storageFailure(op, name, `${detail} (${displayName})`, transient);
}
