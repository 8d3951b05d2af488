// The request's ids, as ARM's: `x-ms-request-id` names this request (the caller's when it sent a
// usable one, else a new UUID), `x-ms-correlation-request-id` ties related requests together (the
// caller's, else the request id). Both go back on the answer; the request id goes in the log line.
import { randomUUID } from 'node:crypto';
import type { Middleware } from './pipeline.ts';

/** What is echoed: printable, no spaces, short enough for a log line; anything else is replaced. */
const USABLE_ID = /^[A-Za-z0-9._:{}-]{1,128}$/;

/** Pure: the header's value when it is one usable id, else undefined. */
export function usableId(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && USABLE_ID.test(value) ? value : undefined;
}

export const requestIds: Middleware = async (x, next) => {
  x.requestId = usableId(x.req.headers['x-ms-request-id']) ?? randomUUID();
  const correlationId = usableId(x.req.headers['x-ms-correlation-request-id']) ?? x.requestId;
  await next();
  if (x.res) x.res.headers = { ...x.res.headers, 'x-ms-request-id': x.requestId, 'x-ms-correlation-request-id': correlationId };
};
