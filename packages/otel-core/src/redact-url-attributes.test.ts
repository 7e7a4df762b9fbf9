import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { RedactUrlAttributesProcessor } from './redact-url-attributes';

describe('RedactUrlAttributesProcessor', () => {
  it('redacts secret query values and credentials in URL attributes set at any time before end', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new RedactUrlAttributesProcessor(), new SimpleSpanProcessor({ exporter })] });
    const span = provider.getTracer('test').startSpan('GET', {
      attributes: { 'url.full': 'https://user:pw@api.example.com/v1?key=sk-123&q=cat', 'url.query': '?token=abc&page=2' },
    });
    context.with(trace.setSpan(context.active(), span), () => {
      span.setAttribute('http.url', 'http://127.0.0.1/x?api_key=sk-456');
      span.setAttribute('http.target', '/x?code=oauth-789&q=1');
    });
    span.end();
    const [finished] = exporter.getFinishedSpans();
    expect(finished!.attributes).toEqual({
      'url.full': 'https://REDACTED:REDACTED@api.example.com/v1?key=REDACTED&q=cat',
      'url.query': '?token=REDACTED&page=2',
      'http.url': 'http://127.0.0.1/x?api_key=REDACTED',
      'http.target': '/x?code=REDACTED&q=1',
    });
  });

  it('leaves URLs without secrets untouched, and url.query without a leading "?" keeps its form', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new RedactUrlAttributesProcessor(), new SimpleSpanProcessor({ exporter })] });
    provider.getTracer('test').startSpan('GET', { attributes: { 'url.full': 'https://api.example.com/v1?q=cat', 'url.query': 'sig=abc&q=1' } }).end();
    expect(exporter.getFinishedSpans()[0]!.attributes).toEqual({ 'url.full': 'https://api.example.com/v1?q=cat', 'url.query': 'sig=REDACTED&q=1' });
  });
});
