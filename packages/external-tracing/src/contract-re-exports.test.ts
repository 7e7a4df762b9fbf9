import * as conventions from '@kira/conventions';
import { describe, expect, it } from 'vitest';
import * as tracing from './index';

describe('@kira/external-tracing keeps its public exports, now from @kira/conventions', () => {
  it('re-exports the URL and header rules and the histogram contract', () => {
    expect(tracing.redactUrl).toBe(conventions.redactUrl);
    expect(tracing.isSecretQueryParam).toBe(conventions.isSecretQueryParam);
    expect(tracing.isSecretHeader).toBe(conventions.isSecretHeader);
    expect(tracing.DEFAULT_REDACTED_QUERY_PARAMS).toBe(conventions.DEFAULT_REDACTED_QUERY_PARAMS);
    expect(tracing.EXTERNAL_REQUEST_DURATION_BUCKETS_MS).toBe(conventions.METRICS.externalRequestDuration.buckets);
    expect(tracing.EXTERNAL_REQUEST_DURATION_METRIC).toBe(conventions.METRIC_NAMES.externalRequestDuration);
    expect(tracing.redactUrl('https://api.example.com/v1?key=sk-1&q=cat')).toBe('https://api.example.com/v1?key=REDACTED&q=cat');
  });
});
