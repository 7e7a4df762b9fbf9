import { startSentrySink, type SentrySink } from '@kira/test-utils';
import * as Sentry from '@sentry/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { initSentry } from './index';

// A user who brings their own hooks and integrations through `sentryOptions`, the way Sentry's
// docs show them: none of it may switch the scrubbing off.
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXBhcnQtMTIzNDU2';
let sink: SentrySink;
const userHookCalls: string[] = [];

beforeAll(async () => {
  sink = await startSentrySink();
  const result = initSentry({
    enabled: true,
    dsn: sink.dsn(),
    sentryOptions: {
      beforeSend: (event) => {
        userHookCalls.push('beforeSend');
        // Runs after the scrubbing: what the user sees is already clean.
        event.tags = { ...event.tags, userHookSawPassword: String(JSON.stringify(event.extra).includes('hunter2')) };
        return event;
      },
      beforeBreadcrumb: (breadcrumb) => {
        userHookCalls.push('beforeBreadcrumb');
        return breadcrumb;
      },
      beforeSendLog: (log) => {
        userHookCalls.push('beforeSendLog');
        return log;
      },
      integrations: [
        {
          name: 'UserTagger',
          processEvent: (event) => ({ ...event, tags: { ...event.tags, userIntegration: 'ran' } }),
        },
      ],
    },
  });
  expect(result.enabled).toBe(true);
});

afterAll(async () => {
  await Sentry.close(2000);
  await sink.close();
});

beforeEach(() => {
  sink.reset();
  userHookCalls.length = 0;
});

describe('initSentry with the user’s own beforeSend, beforeBreadcrumb, beforeSendLog and integrations', () => {
  it('scrubs extras, contexts, tags and breadcrumbs, then runs the user’s hooks and integrations', async () => {
    Sentry.addBreadcrumb({
      category: 'fetch',
      message: `called with Bearer ${JWT}`,
      data: { url: 'https://api.example.com/v1?api_key=sk-live-breadcrumb&q=cat', password: 'hunter2', status: 200 },
    });
    Sentry.withScope((scope) => {
      scope.setContext('payment', { apiKey: 'sk-live-context', amount: 3 });
      scope.setTag('session', `Bearer ${JWT}`);
      Sentry.captureException(new Error('checkout failed'), {
        extra: { password: 'hunter2', note: `user pasted ${JWT}`, orderId: 'order-7' },
      });
    });
    await Sentry.flush(2000);
    const { payload: event } = await sink.waitFor((item) => item.headers.type === 'event');

    // The stack frames' source context quotes this test file, where the planted values are written.
    const serialized = JSON.stringify({ ...event, exception: undefined });
    for (const secret of ['hunter2', 'sk-live-context', 'sk-live-breadcrumb', JWT]) expect(serialized).not.toContain(secret);
    // Positive controls: the neighbours of each secret were kept.
    expect(event.extra.orderId).toBe('order-7');
    expect(event.contexts.payment.amount).toBe(3);
    const breadcrumb = event.breadcrumbs.find((crumb: { category?: string }) => crumb.category === 'fetch');
    expect(breadcrumb.data.url).toBe('https://api.example.com/v1?api_key=REDACTED&q=cat');
    expect(breadcrumb.data.status).toBe(200);

    // The user's hook ran after ours, the user's integration was merged in, not dropped.
    expect(userHookCalls).toContain('beforeSend');
    expect(userHookCalls).toContain('beforeBreadcrumb');
    expect(event.tags).toMatchObject({ userHookSawPassword: 'false', userIntegration: 'ran' });
    // Ours are still there too: the OpenTelemetry integration is what links events to spans.
    const names = Sentry.getClient()?.getOptions().integrations.map((integration) => integration.name) ?? [];
    expect(names).toEqual(expect.arrayContaining(['UserTagger', 'OpenTelemetry', 'Http']));
  });

  it('scrubs the logs Sentry sends (Sentry.logger)', async () => {
    Sentry.logger.info(`login for ${JWT}`, { password: 'hunter2', userId: 'u-9' });
    await Sentry.flush(2000);
    const { payload } = await sink.waitFor((item) => item.headers.type === 'log');
    const serialized = JSON.stringify(payload);
    expect(serialized).not.toContain('hunter2');
    expect(serialized).not.toContain(JWT);
    expect(serialized).toContain('u-9');
    expect(userHookCalls).toContain('beforeSendLog');
  });
});
