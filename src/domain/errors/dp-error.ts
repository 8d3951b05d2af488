// One error type from the bottom of the stack to the top. The API maps it once to a CloudError
// body; the CLI maps it once to `ERROR: (Code) message` and an exit code. Its constructors per
// condition are the catalog in ../errors.ts.

export interface ErrorDetail {
  code: string;
  message: string;
  target?: string | null;
  details?: ErrorDetail[] | null;
  additionalInfo?: { type: string; info: unknown }[] | null;
}

export type ErrorKind =
  | 'invalid' // 400: the request is wrong
  | 'notFound' // 404
  | 'conflict' // 409: the request is right but the state forbids it
  | 'forbidden' // 403
  | 'unauthenticated' // 401: no valid token
  | 'throttled' // 429: too many failed sign-ins
  | 'internal' // 500
  | 'unavailable' // 503
  | 'usage'; // CLI only: bad command line (exit 2)

const STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  notFound: 404,
  conflict: 409,
  forbidden: 403,
  unauthenticated: 401,
  throttled: 429,
  internal: 500,
  unavailable: 503,
  usage: 400,
};

export class DpError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly target: string | null;
  readonly details: ErrorDetail[] | null;
  readonly additionalInfo: ErrorDetail['additionalInfo'];
  /** Set when the error arrived from the service over HTTP. */
  httpStatus: number | undefined;

  constructor(
    kind: ErrorKind,
    code: string,
    message: string,
    opts: { target?: string | null; details?: ErrorDetail[] | null; additionalInfo?: ErrorDetail['additionalInfo'] } = {},
  ) {
    super(message);
    this.name = 'DpError';
    this.kind = kind;
    this.code = code;
    this.target = opts.target ?? null;
    this.details = opts.details ?? null;
    this.additionalInfo = opts.additionalInfo ?? null;
  }

  get status(): number {
    return this.httpStatus ?? STATUS[this.kind];
  }

  toCloudError(): { error: ErrorDetail } {
    // `details` is a list, empty when there are none: az's error parser (aaz) iterates it, and a
    // null there makes az print "Operation returned an invalid status" instead of code and message.
    const error: ErrorDetail = { code: this.code, message: this.message, target: this.target, details: this.details ?? [] };
    if (this.additionalInfo) error.additionalInfo = this.additionalInfo;
    return { error };
  }

  static fromCloudError(status: number, body: unknown): DpError {
    const err = (body as { error?: ErrorDetail } | null)?.error;
    const kind: ErrorKind =
      status === 404 ? 'notFound' : status === 409 ? 'conflict' : status === 403 ? 'forbidden' : status === 401 ? 'unauthenticated' : status >= 500 ? 'internal' : 'invalid';
    const e = new DpError(kind, err?.code ?? `Http${status}`, err?.message ?? `The service answered HTTP ${status}.`, {
      target: err?.target ?? null,
      details: err?.details ?? null,
      additionalInfo: err?.additionalInfo ?? null,
    });
    e.httpStatus = status;
    return e;
  }
}

// Constructors for the errors used in more than one place.
/** A bad command line (exit 2); `code` as az's error classes name it (UnrecognizedArgumentError, ...). */
export const usage = (message: string, code = 'UsageError'): DpError => new DpError('usage', code, message);
/** A client-side argument error, as az's InvalidArgumentValueError. */
export const badArgument = (message: string): DpError => new DpError('invalid', 'InvalidArgumentValueError', message);

export function isDpError(e: unknown): e is DpError {
  return e instanceof DpError;
}

/** The code of an error dpvault has no better name for (a bug, or a failure it did not foresee). */
export const INTERNAL_ERROR = 'InternalError';

/** Wraps anything thrown into a DpError without leaking internals. */
export function toDpError(e: unknown): DpError {
  if (e instanceof DpError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new DpError('internal', INTERNAL_ERROR, message);
}
