// The CLI's HTTP client: speaks the ARM-shaped API like az speaks to ARM, adds api-version and the
// bearer token (token-source.ts; a refused cached token is replaced once), follows nextLink and
// polls long-running operations.
import { DpError, errors } from '../domain/errors.ts';
import { exchange, type HttpAnswer, type HttpExchange } from './transport.ts';
import type { TlsTrust } from './tls-trust.ts';
import { checkTokenTransport, type TokenSource } from './token-source.ts';
import { CLIENT_API_VERSION, CLIENT_RESOURCES_API_VERSION } from '../api/api-version.ts';

export interface SendOptions {
  body?: unknown;
  query?: Record<string, string>;
  apiVersion?: string;
}

export interface SendResult {
  status: number;
  body: unknown;
  headers: Headers;
}

export class ApiClient {
  readonly endpoint: string;
  readonly #pollMs: number;
  readonly #debug: ((line: string) => void) | undefined;
  readonly #trust: () => TlsTrust;
  readonly #tokens: TokenSource | undefined;
  #trusted: TlsTrust | undefined;

  /**
   * `debug` hears one line per request (--debug): method, URL and status. `trust` says which
   * certificates HTTPS accepts; it is asked once, at the first HTTPS request. `tokens`: the
   * access token every request carries (none without it).
   */
  constructor(endpoint: string, opts: { pollMs?: number; debug?: (line: string) => void; trust?: () => TlsTrust; tokens?: TokenSource } = {}) {
    this.endpoint = endpoint.replace(/\/+$/, '');
    this.#pollMs = opts.pollMs ?? 250;
    this.#debug = opts.debug;
    this.#trust = opts.trust ?? (() => ({}));
    this.#tokens = opts.tokens;
  }

  /** POSTs a form to a path of the endpoint (the token service's), without a token. */
  readonly postForm = async (path: string, form: URLSearchParams): Promise<HttpAnswer> => {
    const url = new URL(this.endpoint + path);
    const res = await this.#exchange(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    this.#debug?.(`POST ${url.href} ${res.status}`);
    return res;
  };

  /** Sends one request; HTTP errors become DpErrors carrying the CloudError's code and message. */
  async send(method: string, path: string, opts: SendOptions = {}): Promise<SendResult> {
    const url = path.startsWith('http') ? new URL(path) : new URL(this.endpoint + path);
    if (!url.searchParams.has('api-version')) {
      url.searchParams.set('api-version', opts.apiVersion ?? (/\/providers\//i.test(url.pathname) ? CLIENT_API_VERSION : CLIENT_RESOURCES_API_VERSION));
    }
    for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
    const init = {
      method,
      headers: opts.body !== undefined ? { 'Content-Type': 'application/json' } : ({} as Record<string, string>),
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
    };
    let res = await this.#exchange(url, await this.#authorized(url, init, false));
    if (res.status === 401 && this.#tokens) {
      // Nobody to sign in as: say how to sign in. Else the cached token was refused: a new one, once.
      if (!this.#tokens.credentials()) throw errors.notSignedIn();
      res = await this.#exchange(url, await this.#authorized(url, init, true));
    }
    this.#debug?.(`${method} ${url.href} ${res.status}`);
    const text = res.text;
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    if (res.status >= 400) throw DpError.fromCloudError(res.status, body);
    return { status: res.status, body, headers: res.headers };
  }

  /** The request with the bearer token (a new one when `fresh`), checked to travel safely. */
  async #authorized(url: URL, init: HttpExchange, fresh: boolean): Promise<HttpExchange> {
    if (!this.#tokens?.credentials()) return init;
    checkTokenTransport(url, this.endpoint);
    return { ...init, headers: { ...init.headers, Authorization: `Bearer ${await this.#tokens.token(this.postForm, fresh)}` } };
  }

  async #exchange(url: URL, init: HttpExchange): Promise<HttpAnswer> {
    try {
      return await exchange(url, init, () => (this.#trusted ??= this.#trust()), this.endpoint);
    } catch (e) {
      if (e instanceof DpError) throw e;
      throw errors.serviceUnreachable(this.endpoint, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
    }
  }

  async get(path: string, query?: Record<string, string>): Promise<unknown> {
    return (await this.send('GET', path, { query })).body;
  }

  /** GETs a collection and every page after it. */
  async listAll(path: string, query?: Record<string, string>): Promise<unknown[]> {
    const out: unknown[] = [];
    let next: string | undefined = path;
    let first = true;
    while (next) {
      const page = (await this.send('GET', next, first ? { query } : {})).body as { value?: unknown[]; nextLink?: string };
      out.push(...(page.value ?? []));
      next = page.nextLink;
      first = false;
    }
    return out;
  }

  /**
   * Sends a request that may start a long-running operation. Unless `noWait`, polls the
   * operation to its end (a failed one throws its error) and returns `finalGet`'s resource,
   * the operation's properties, or the first response's body.
   */
  async longRunning(method: string, path: string, opts: SendOptions & { noWait?: boolean; finalGet?: string } = {}): Promise<unknown> {
    const first = await this.send(method, path, opts);
    const status = first.headers.get('azure-asyncoperation');
    if (opts.noWait) return undefined;
    let properties: unknown;
    if (status && (first.status === 201 || first.status === 202)) {
      const op = await this.waitFor(status);
      properties = op.properties;
    }
    if (opts.finalGet) return this.get(opts.finalGet);
    return properties ?? first.body;
  }

  async waitFor(statusUrl: string): Promise<{ status: string; properties?: unknown }> {
    while (true) {
      const op = (await this.send('GET', statusUrl)).body as {
        status: string;
        properties?: unknown;
        error?: { code?: string; message?: string };
      };
      if (op.status === 'Succeeded') return op;
      if (op.status === 'Failed' || op.status === 'Canceled') {
        throw errors.operationEnded(op.status, op.error);
      }
      await new Promise((r) => setTimeout(r, this.#pollMs));
    }
  }
}
