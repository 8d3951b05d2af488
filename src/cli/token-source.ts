// The CLI's access token for one endpoint: the cached one while it has a minute left, else a new
// one from the token service with the credentials in use (`dpvault login`'s, else the Owner's on
// this machine), as az gets one from MSAL. Tokens (and secrets) travel over HTTPS, or over plain
// HTTP to a loopback address only.
import { errors } from '../domain/errors.ts';
import type { Clock } from '../util/clock.ts';
import { isLoopback, type CachedToken, type CredentialStore, type ServicePrincipalCredentials } from './credentials.ts';

/** The audience the CLI asks for: the installation's fixed id, valid whatever host name reaches it. */
export const CLI_AUDIENCE = 'https://management.dpvault/';
const MARGIN_SECONDS = 60;

/** Sends a form to a path of the endpoint; what the CLI's client provides. */
export type PostForm = (path: string, form: URLSearchParams) => Promise<{ status: number; text: string }>;

/** Refuses to carry a token or a secret to `url` over plain HTTP unless it is this machine. */
export function checkTokenTransport(url: URL, endpoint: string): void {
  if (url.protocol !== 'https:' && !isLoopback(url)) throw errors.tokenOverPlainHttp(endpoint);
}

/** Asks the token service for a token with these credentials (the client credentials grant). */
export async function requestToken(post: PostForm, c: ServicePrincipalCredentials): Promise<CachedToken> {
  const res = await post(
    '/adfs/oauth2/token',
    new URLSearchParams({ grant_type: 'client_credentials', client_id: c.appId, client_secret: c.password, scope: `${CLI_AUDIENCE}.default` }),
  );
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(res.text) as Record<string, unknown>;
  } catch {
    // an answer that is not JSON is reported by its status below
  }
  if (res.status !== 200 || typeof body.access_token !== 'string') {
    const cloud = body.error && typeof body.error === 'object' ? (body.error as { code?: string; message?: string }) : undefined;
    throw errors.signInRefused(
      cloud?.code ?? (typeof body.error === 'string' ? body.error : `HTTP ${res.status}`),
      cloud?.message ?? (typeof body.error_description === 'string' ? body.error_description : 'the token service gave no token.'),
    );
  }
  return { accessToken: body.access_token, expiresOn: Number(body.expires_on) || 0 };
}

export class TokenSource {
  readonly #endpoint: string;
  readonly #store: CredentialStore;
  readonly #clock: Clock;
  #credentials: ServicePrincipalCredentials | null | undefined;

  constructor(endpoint: string, store: CredentialStore, clock: Clock) {
    this.#endpoint = endpoint;
    this.#store = store;
    this.#clock = clock;
  }

  /** `dpvault login`'s credentials for this endpoint, else the Owner's (loopback only), else none. */
  credentials(): ServicePrincipalCredentials | undefined {
    if (this.#credentials === undefined) this.#credentials = this.#store.login(this.#endpoint) ?? this.#store.ownerCredentials(this.#endpoint) ?? null;
    return this.#credentials ?? undefined;
  }

  /** A token with a minute left: the cached one, or a new one (`fresh` skips the cache). */
  async token(post: PostForm, fresh = false): Promise<string> {
    const c = this.credentials();
    if (!c) throw errors.notSignedIn();
    const cached = fresh ? undefined : this.#store.token(this.#endpoint, c.appId);
    if (cached && cached.expiresOn - MARGIN_SECONDS > this.#clock.now().getTime() / 1000) return cached.accessToken;
    checkTokenTransport(new URL(this.#endpoint), this.#endpoint);
    const got = await requestToken(post, c);
    this.#store.saveToken(this.#endpoint, c.appId, got);
    return got.accessToken;
  }
}
