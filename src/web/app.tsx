// The Backup center's frame: signed out, the sign-in form; signed in, the header, the views' tabs
// and the view the address's fragment names (#/jobs, #/instance/<instance id>[/<recovery point>], ...).
import { useEffect, useMemo, useState } from 'preact/hooks';
import { apiFor } from './api.ts';
import { forgetSession, storedSession, type Session } from './session.ts';
import { SignIn } from './sign-in.tsx';
import { VaultsView } from './vaults-view.tsx';
import { InstancesView } from './instances-view.tsx';
import { JobsView } from './jobs-view.tsx';
import { InstanceView } from './instance-view.tsx';
import { StorageView } from './storage-view.tsx';
import { CalendarView } from './calendar-view.tsx';
import { systemClock } from '../util/clock.ts';

const TABS = [
  ['vaults', 'Vaults'],
  ['instances', 'Protected items'],
  ['jobs', 'Jobs'],
  ['storage', 'Storage'],
  ['calendar', 'Retention calendar'],
] as const;

const routeOf = (hash: string): string[] => hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);

export function App() {
  const [session, setSession] = useState<Session | null>(() => storedSession(sessionStorage, systemClock.now().getTime()));
  const [route, setRoute] = useState(() => routeOf(location.hash));
  useEffect(() => {
    const onHash = () => setRoute(routeOf(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  const signOut = () => {
    forgetSession(sessionStorage);
    setSession(null);
  };
  const api = useMemo(() => (session ? apiFor(session, signOut) : null), [session]);
  if (!session || !api) return <SignIn onSignedIn={setSession} />;
  const [view = 'jobs', ...args] = route;
  return (
    <div class="shell">
      <header>
        <span class="brand">dpvault Backup center</span>
        <span class="who">{session.clientId}</span>
        <button class="link" onClick={signOut}>Sign out</button>
      </header>
      <nav>
        {TABS.map(([id, label]) => <a href={`#/${id}`} class={view === id ? 'current' : ''} key={id}>{label}</a>)}
      </nav>
      <main>
        {view === 'vaults' && <VaultsView api={api} />}
        {view === 'instances' && <InstancesView api={api} />}
        {view === 'instance' && <InstanceView api={api} instanceId={args[0] ?? ''} restorePoint={args[1]} />}
        {view === 'jobs' && <JobsView api={api} />}
        {view === 'storage' && <StorageView api={api} />}
        {view === 'calendar' && <CalendarView api={api} />}
      </main>
    </div>
  );
}
