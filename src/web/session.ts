// Signing in to the Backup center: the token service's client-credentials grant (as `dpvault login
// --service-principal`), the token kept in this tab's sessionStorage only (never in a URL, never
// logged), forgotten at sign-out or when the API answers 401.
const KEY = 'dpvault.portal.session';

export interface Session {
  token: string;
  clientId: string;
  /** Milliseconds since the epoch when the token expires. */
  expiresAt: number;
}

export function storedSession(storage: Storage, now: number): Session | null {
  try {
    const s = JSON.parse(storage.getItem(KEY) ?? 'null') as Session | null;
    return s && typeof s.token === 'string' && s.expiresAt > now ? s : null;
  } catch {
    return null;
  }
}

export function forgetSession(storage: Storage): void {
  storage.removeItem(KEY);
}

/** Asks the token service for a token; the error's text is the service's own description. */
export async function signIn(storage: Storage, origin: string, clientId: string, secret: string, now: number): Promise<Session> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, scope: `${origin}//.default` });
  const res = await fetch('/adfs/oauth2/token', { method: 'POST', body: form });
  const body = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number | string; error_description?: string; error?: string };
  if (!res.ok || !body.access_token) throw new Error(body.error_description ?? body.error ?? `Sign-in failed (HTTP ${res.status}).`);
  const session = { token: body.access_token, clientId, expiresAt: now + Number(body.expires_in ?? 3600) * 1000 };
  storage.setItem(KEY, JSON.stringify(session));
  return session;
}
