import * as conventions from '@kira/conventions';
import { describe, expect, it } from 'vitest';
import * as sentry from './index';

describe('@kira/sentry keeps its public secret helpers, now from @kira/conventions', () => {
  it('re-exports sanitize itself, so Sentry extras follow the one payload rule', () => {
    expect(sentry.sanitize).toBe(conventions.sanitize);
    expect(sentry.sanitize({ apiKey: 'sk-1', prompt: 'cat' })).toEqual({ apiKey: '[REDACTED]', prompt: 'cat' });
  });

  it('decides on/off exactly like the contract rule, with its own warning prefix', () => {
    const env = { NODE_ENV: 'production', KIRA_TELEMETRY: 'maybe' };
    const ours = sentry.resolveSentryEnabled(env);
    const contract = conventions.resolveTelemetryEnabled(env, { warningPrefix: '@kira/sentry:' });
    expect(ours).toEqual(contract);
  });
});
