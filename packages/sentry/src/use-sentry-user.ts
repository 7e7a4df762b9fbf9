import { setUser } from '@sentry/react';
import { useEffect } from 'react';
import type { SentryProfile } from './types';

/**
 * Keeps the Sentry user in step with the login state: `{ id, email, username: nickname }` while
 * logged in, `null` after logout.
 *
 * @example
 * useSentryUser(isAuth, profile);
 */
export function useSentryUser(isAuth: boolean, profile: SentryProfile | null | undefined): void {
  const id = profile?.id;
  const email = profile?.email ?? undefined;
  const username = profile?.nickname ?? undefined;
  useEffect(() => {
    if (isAuth && id !== undefined && id !== '') setUser({ id, email, username });
    else setUser(null);
  }, [isAuth, id, email, username]);
}
