// The Backup center's API client: every call carries the signed-in token and the api-version of
// its resource provider; a CloudError becomes an Error with its code and message; a 401 signs out.
import type { Session } from './session.ts';

export const DP_API = '2026-03-01';
const SUBSCRIPTIONS_API = '2022-12-01';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export interface Api {
  get<T>(path: string, query?: Record<string, string>): Promise<T>;
  /** Every item of a list, following nextLink. */
  list<T>(path: string): Promise<T[]>;
  /** POSTs an action that starts a job (a backup, a restore) and follows its operation to the job's id. */
  startJob(path: string, body: unknown): Promise<string>;
  subscription(): Promise<string>;
}

export function apiFor(session: Session, onSignedOut: () => void): Api {
  async function call<T>(method: string, url: string, body?: unknown, seen?: (h: Headers) => void): Promise<T> {
    const res = await fetch(url, {
      method,
      headers: { Authorization: `Bearer ${session.token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    seen?.(res.headers);
    const text = await res.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (res.status === 401) onSignedOut();
    if (!res.ok) {
      const err = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ApiError(res.status, err?.code ?? `HTTP${res.status}`, err?.message ?? `The service answered ${res.status}.`);
    }
    return parsed as T;
  }
  const url = (path: string, version: string, query: Record<string, string> = {}) => {
    const q = new URLSearchParams({ ...query, 'api-version': version });
    return `${path}?${q.toString()}`;
  };
  let sub: Promise<string> | undefined;
  return {
    get: (path, query) => call('GET', url(path, DP_API, query)),
    async list<T>(path: string) {
      const out: T[] = [];
      let next: string | undefined = url(path, DP_API);
      while (next) {
        const page: { value: T[]; nextLink?: string } = await call('GET', next);
        out.push(...page.value);
        next = page.nextLink ? new URL(page.nextLink).pathname + new URL(page.nextLink).search : undefined;
      }
      return out;
    },
    async startJob(path, body) {
      let status = '';
      await call('POST', url(path, DP_API), body, (h) => (status = h.get('Azure-AsyncOperation') ?? ''));
      if (!status) throw new ApiError(500, 'NoOperation', 'The service started no operation to follow.');
      const local = `${new URL(status).pathname}${new URL(status).search}`;
      while (true) {
        const op = await call<{ status: string; error?: { code: string; message: string }; properties?: { jobId?: string } }>('GET', local);
        if (op.status === 'Failed') throw new ApiError(400, op.error?.code ?? 'OperationFailed', op.error?.message ?? 'The operation failed.');
        if (op.status !== 'Inprogress') return op.properties?.jobId ?? '';
        await new Promise((r) => setTimeout(r, 300));
      }
    },
    subscription() {
      sub ??= call<{ value: { subscriptionId: string }[] }>('GET', url('/subscriptions', SUBSCRIPTIONS_API)).then((r) => {
        if (!r.value[0]) throw new ApiError(403, 'NoSubscription', 'The signed-in principal holds no role in any subscription.');
        return r.value[0].subscriptionId;
      });
      return sub;
    },
  };
}
