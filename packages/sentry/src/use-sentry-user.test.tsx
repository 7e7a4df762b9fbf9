// @vitest-environment jsdom
import { startSentrySink, type SentrySink } from '@kira/test-utils';
import * as Sentry from '@sentry/react';
import { cleanup, render } from '@testing-library/react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initSentryBrowser, useSentryUser, type SentryProfile } from './react';

function LoginProvider({ isAuth, profile }: { isAuth: boolean; profile: SentryProfile | null }) {
  useSentryUser(isAuth, profile);
  return <p>{isAuth ? 'in' : 'out'}</p>;
}

let sink: SentrySink;

beforeAll(async () => {
  sink = await startSentrySink();
});

afterAll(async () => {
  cleanup();
  await Sentry.close(2000);
  await sink.close();
});

describe('@kira/sentry/react', () => {
  it('stays off outside production and when no DSN is given', () => {
    expect(initSentryBrowser({ dsn: sink.dsn(), environment: 'development' })).toEqual({
      enabled: false,
      reason: 'NODE_ENV=development is not production',
    });
    expect(initSentryBrowser({ environment: 'production' }).enabled).toBe(false);
    expect(Sentry.isInitialized()).toBe(false);
  });

  it('sets the user after login, clears it on logout, and events reach the sink', async () => {
    const result = initSentryBrowser({ dsn: sink.dsn(), environment: 'production', release: 'web@1.0.0' });
    expect(result).toEqual({ enabled: true, reason: 'NODE_ENV=production' });

    const profile = { id: 'u-42', email: 'ada@example.com', nickname: 'ada' };
    const view = render(<LoginProvider isAuth profile={profile} />);
    expect(Sentry.getIsolationScope().getUser()).toEqual({ id: 'u-42', email: 'ada@example.com', username: 'ada' });
    Sentry.captureException(new Error('while logged in'));
    await Sentry.flush(3000);
    const loggedIn = await sink.waitFor((item) => item.headers.type === 'event', 5000);
    expect(loggedIn.payload.user).toMatchObject({ id: 'u-42', email: 'ada@example.com', username: 'ada' });
    expect(loggedIn.payload.environment).toBe('production');
    expect(loggedIn.payload.sdk.name).toContain('react');

    sink.reset();
    view.rerender(<LoginProvider isAuth={false} profile={null} />);
    expect(Sentry.getIsolationScope().getUser()).toEqual({});
    Sentry.captureException(new Error('after logout'));
    await Sentry.flush(3000);
    const loggedOut = await sink.waitFor((item) => item.headers.type === 'event', 5000);
    expect(loggedOut.payload.exception.values[0].value).toBe('after logout');
    expect(loggedOut.payload.user?.id).toBeUndefined();
  });

  it('treats a malformed profile as no user instead of breaking the component or sending an object as the id', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.id = cyclic;
    const malformed: unknown[] = [42, 'u-1', Symbol('profile'), [], cyclic, { id: { nested: 'u-1' } }, { id: Symbol('id') }, { id: '' }, { id: Number.NaN }];
    for (const profile of malformed) {
      Sentry.setUser({ id: 'before' });
      const view = render(<LoginProvider isAuth profile={profile as SentryProfile} />);
      expect(Sentry.getIsolationScope().getUser(), String(typeof profile)).toEqual({});
      view.unmount();
    }
    // Fields of the wrong type are left out; a numeric id is a valid Sentry user id.
    const view = render(<LoginProvider isAuth profile={{ id: 7, email: 42, nickname: ['ada'] } as unknown as SentryProfile} />);
    expect(Sentry.getIsolationScope().getUser()).toEqual({ id: 7 });
    view.unmount();
  });
});
