import { startSentrySink, type SentrySink } from '@kira/test-utils';
import * as Sentry from '@sentry/node';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sentryUser } from './hono';
import { captureToolError, initSentry } from './index';

let sink: SentrySink;
const savedEnv = { ...process.env };

beforeAll(async () => {
  sink = await startSentrySink();
});

afterAll(async () => {
  process.env = savedEnv;
  await sink.close();
});

describe('initSentry when the rule says off', () => {
  it('does not start Sentry outside production even with a DSN, and nothing is sent', async () => {
    process.env.SENTRY_DSN = sink.dsn();
    process.env.NODE_ENV = 'development';
    delete process.env.KIRA_TELEMETRY;
    delete process.env.OTEL_SDK_DISABLED;

    const result = initSentry();
    expect(result.enabled).toBe(false);
    expect(result.reason).toBe('NODE_ENV=development is not production');
    expect(Sentry.isInitialized()).toBe(false);

    expect(() => captureToolError(new Error('ignored'), { toolName: 't', input: { a: 1 } })).not.toThrow();
    // Off means free: the input is never walked (sanitize would read every property) and no
    // event id is made up for an event that does not exist.
    let inputReads = 0;
    const watchedInput = new Proxy({ prompt: 'secret', nested: { token: 'x' } }, {
      get(target, key, receiver) {
        inputReads++;
        return Reflect.get(target, key, receiver);
      },
      ownKeys(target) {
        inputReads++;
        return Reflect.ownKeys(target);
      },
    });
    expect(captureToolError(new Error('ignored'), { toolName: 't', input: watchedInput })).toBeUndefined();
    expect(inputReads).toBe(0);
    expect(() => captureToolError(new Error('no context'), undefined as never)).not.toThrow();
    Sentry.captureException(new Error('also ignored'));

    const app = new Hono();
    app.use('*', async (c, next) => {
      c.set('jwtPayload', { sub: 'u1' });
      await next();
    });
    app.use('*', sentryUser());
    app.get('/', (c) => c.text('ok'));
    expect((await app.request('/')).status).toBe(200);

    await Sentry.flush(500);
    // A control event from a client of its own (the global SDK stays uninitialised): anything the
    // calls above had wrongly sent was flushed before it, so once it arrives the sink is complete.
    const control = new Sentry.NodeClient({ dsn: sink.dsn(), transport: Sentry.makeNodeTransport, stackParser: Sentry.defaultStackParser, integrations: [] });
    control.captureMessage('control');
    await control.flush(2000);
    await sink.waitFor((item) => item.headers.type === 'event' && item.payload.message === 'control');
    expect(Sentry.isInitialized()).toBe(false);
    expect(sink.events().map((event) => event.message)).toEqual(['control']);
    expect(sink.envelopes).toHaveLength(1);
  });
});
