import { startSentrySink, waitUntil, type SentrySink } from '@kira/test-utils';
import * as Sentry from '@sentry/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initSentry } from './index';

// A file of its own: initSentry runs once per process, and this one turns Dedupe off.
let sink: SentrySink;

beforeAll(async () => {
  sink = await startSentrySink();
  initSentry({ enabled: true, dsn: sink.dsn(), dedupe: false });
});

afterAll(async () => {
  await Sentry.close(2000);
  await sink.close();
});

// Thrown from one place, so every error has the same message, type and stack trace.
const failSameWay = () => new Error('provider down');

describe('initSentry({ dedupe: false })', () => {
  it('sends identical errors in a row as separate events, with the rest of the setup kept', async () => {
    for (let attempt = 0; attempt < 3; attempt++) Sentry.captureException(failSameWay());
    await Sentry.flush(2000);
    await waitUntil(() => sink.events().length >= 3, 5000, 'three Sentry events');
    expect(sink.events().map((event) => event.exception.values[0].value)).toEqual(['provider down', 'provider down', 'provider down']);
    const integrations = Sentry.getClient()!.getOptions().integrations.map((integration) => integration.name);
    expect(integrations).not.toContain('Dedupe');
    expect(integrations).toEqual(expect.arrayContaining(['Http', 'NodeFetch', 'OpenTelemetry']));
  });
});
