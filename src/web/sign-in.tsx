// The sign-in form: a service principal's application (client) id and secret, as `dpvault login
// --service-principal` takes them. The secret goes to the token endpoint only.
import { signIn, type Session } from './session.ts';
import { useSubmit } from './use-submit.ts';
import { systemClock } from '../util/clock.ts';

export function SignIn(props: { onSignedIn: (s: Session) => void }) {
  const { submit, busy, error } = useSubmit(async (form) => {
    props.onSignedIn(await signIn(sessionStorage, location.origin, String(form.get('clientId')).trim(), String(form.get('secret')), systemClock.now().getTime()));
  });
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
