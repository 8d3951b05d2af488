// What the CLI signs in with, and where it keeps it: the CLI's config directory (DPVAULT_CONFIG_DIR,
// else $XDG_CONFIG_HOME/dpvault, else ~/.config/dpvault; made with mode 0700) holds `logins.json` (the
// credentials `dpvault login` was given, per endpoint) and `tokens.json` (access tokens per
// endpoint and client id), both mode 0600. With nobody signed in to a loopback endpoint, the
// Owner's credentials the server wrote to its data directory (DPVAULT_HOME, else ~/.dpvault) are
// used when this user can read them; they are never sent to another machine.
import { mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writePrivateFile } from '../util/private-file.ts';

export interface ServicePrincipalCredentials {
  appId: string;
  password: string;
  tenant: string;
}

export interface CachedToken {
  accessToken: string;
  /** Seconds since the epoch. */
  expiresOn: number;
}

type Env = Record<string, string | undefined>;

const LOGINS = 'logins.json';
const TOKENS = 'tokens.json';
export const OWNER_CREDENTIALS_FILE = 'owner-credentials.json';

export function configDir(env: Env): string {
  return env.DPVAULT_CONFIG_DIR || join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'dpvault');
}

/** The endpoint's host is this machine: 127.0.0.0/8, ::1 or localhost. */
export function isLoopback(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export class CredentialStore {
  readonly #dir: string;
  readonly #env: Env;

  constructor(env: Env) {
    this.#env = env;
    this.#dir = configDir(env);
  }

  /** The credentials `dpvault login` saved for this endpoint. */
  login(endpoint: string): ServicePrincipalCredentials | undefined {
    return this.#read<Record<string, ServicePrincipalCredentials>>(LOGINS)[endpoint];
  }

  saveLogin(endpoint: string, c: ServicePrincipalCredentials): void {
    this.#write(LOGINS, { ...this.#read(LOGINS), [endpoint]: c });
  }

  /** Forgets the sign-in and the tokens of this endpoint; returns whether there was a sign-in. */
  logout(endpoint: string): boolean {
    const logins = this.#read<Record<string, unknown>>(LOGINS);
    const had = endpoint in logins;
    delete logins[endpoint];
    this.#write(LOGINS, logins);
    const tokens = this.#read<Record<string, unknown>>(TOKENS);
    for (const k of Object.keys(tokens)) if (k.startsWith(`${endpoint} `)) delete tokens[k];
    this.#write(TOKENS, tokens);
    return had;
  }

  /** The Owner's credentials from the server's data directory, for a loopback endpoint only. */
  ownerCredentials(endpoint: string): ServicePrincipalCredentials | undefined {
    if (!isLoopback(new URL(endpoint))) return undefined;
    const dataDir = this.#env.DPVAULT_HOME || join(homedir(), '.dpvault');
    try {
      const c = JSON.parse(readFileSync(join(dataDir, OWNER_CREDENTIALS_FILE), 'utf8')) as Partial<ServicePrincipalCredentials>;
      return typeof c.appId === 'string' && typeof c.password === 'string' && typeof c.tenant === 'string' ? { appId: c.appId, password: c.password, tenant: c.tenant } : undefined;
    } catch {
      return undefined;
    }
  }

  token(endpoint: string, appId: string): CachedToken | undefined {
    return this.#read<Record<string, CachedToken>>(TOKENS)[`${endpoint} ${appId}`];
  }

  /** Best effort: a token that cannot be cached is fetched again next time. */
  saveToken(endpoint: string, appId: string, t: CachedToken | undefined): void {
    try {
      const tokens = this.#read<Record<string, CachedToken>>(TOKENS);
      if (t) tokens[`${endpoint} ${appId}`] = t;
      else delete tokens[`${endpoint} ${appId}`];
      this.#write(TOKENS, tokens);
    } catch {
      // an unwritable config directory only costs a sign-in per command
    }
  }

  #read<T extends object>(name: string): T {
    try {
      const v = JSON.parse(readFileSync(join(this.#dir, name), 'utf8')) as unknown;
      return (v && typeof v === 'object' && !Array.isArray(v) ? v : {}) as T;
    } catch {
      return {} as T;
    }
  }

  #write(name: string, value: object): void {
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    writePrivateFile(join(this.#dir, name), `${JSON.stringify(value, null, 2)}\n`);
  }
}
