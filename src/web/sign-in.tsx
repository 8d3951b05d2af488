// The sign-in form: a service principal's application (client) id and secret, as `dpvault login
// --service-principal` takes them. The secret goes to the token endpoint only.
import { useState } from 'preact/hooks';
import { signIn, type Session } from './session.ts';
import { systemClock } from '../util/clock.ts';

export function SignIn(props: { onSignedIn: (s: Session) => void }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    setBusy(true);
    setError('');
    try {
      props.onSignedIn(await signIn(sessionStorage, location.origin, String(form.get('clientId')).trim(), String(form.get('secret')), systemClock.now().getTime()));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="signin">
      <h1>dpvault Backup center</h1>
      <form onSubmit={submit} aria-label="Sign in">
        <label>Application (client) id<input name="clientId" autocomplete="username" required /></label>
        <label>Client secret<input name="secret" type="password" autocomplete="current-password" required /></label>
        <button type="submit" disabled={busy}>Sign in</button>
        {error && <p class="error" role="alert">{error}</p>}
      </form>
      <p class="hint">Sign in as a service principal: <code>dpvault ad sp create-for-rbac</code> prints one; the server's Owner is in <code>owner-credentials.json</code>.</p>
    </main>
  );
}
