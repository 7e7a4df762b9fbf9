// The demo's React page: login/logout and a button that throws, reporting through @kira/sentry/react.
import { initSentryBrowser, useSentryUser } from '@kira/sentry/react';
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';

interface Profile {
  id: string;
  email: string;
  nickname: string;
}

function App() {
  const [profile, setProfile] = useState<Profile | null>(null);
  const [status, setStatus] = useState('logged out');
  useSentryUser(profile !== null, profile);

  async function login() {
    const id = 'web-user-7';
    const response = await fetch('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: id, email: 'web7@example.com' }),
    });
    if (!response.ok) return setStatus(`login failed: ${response.status}`);
    setProfile({ id, email: 'web7@example.com', nickname: 'Seven' });
    setStatus(`logged in as ${id}`);
  }

  function logout() {
    setProfile(null);
    setStatus('logged out');
  }

  function explode() {
    throw new Error(`Demo button error (${profile ? profile.id : 'anonymous'})`);
  }

  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 520, margin: '48px auto' }}>
      <h1>Kira demo</h1>
      <p data-testid="status">{status}</p>
      {/* A failed login stays an unhandled rejection on purpose: the Sentry browser SDK reports it. */}
      <button onClick={() => void login()} disabled={profile !== null}>Log in</button>{' '}
      <button onClick={logout} disabled={profile === null}>Log out</button>{' '}
      <button onClick={explode}>Throw an error</button>
    </main>
  );
}

const config = (await fetch('/config.json').then((response) => response.json())) as { sentryDsn: string | null };
const sentry = initSentryBrowser({ dsn: config.sentryDsn ?? undefined, environment: 'demo', enabled: Boolean(config.sentryDsn) });
(window as unknown as { kiraSentry: unknown }).kiraSentry = sentry;

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
