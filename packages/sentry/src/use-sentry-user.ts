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
  // Read defensively: the profile usually comes straight from an API response, and a malformed one
  // (a number, a string, an id that is an object) must not break the component or send an object as
  // the user's id. Sentry's `User.id` is a string or a number; anything else means "no user".
  const id = userId(fieldOf(profile, 'id'));
  const email = textOrUndefined(fieldOf(profile, 'email'));
  const username = textOrUndefined(fieldOf(profile, 'nickname'));
  useEffect(() => {
    if (isAuth && id !== undefined) setUser({ id, email, username });
    else setUser(null);
  }, [isAuth, id, email, username]);
}

function fieldOf(profile: unknown, key: 'id' | 'email' | 'nickname'): unknown {
  return typeof profile === 'object' && profile !== null ? (profile as Record<string, unknown>)[key] : undefined;
}

function userId(value: unknown): string | number | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function textOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
