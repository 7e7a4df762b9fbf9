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

  it('drops the fragment of a URL attribute, where OAuth implicit flows put tokens, even without a query or credentials', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new RedactUrlAttributesProcessor(), new SimpleSpanProcessor({ exporter })] });
    provider
      .getTracer('test')
      .startSpan('GET', {
        attributes: {
          'url.full': 'https://app.example.com/callback#access_token=tok-123',
          'http.target': '/callback#id_token=tok-456',
          // What the README says of a URL the parser would rewrite: it comes out parsed.
          'http.url': 'http://API.example.com:80/x',
        },
      })
      .end();
    const [finished] = exporter.getFinishedSpans();
    expect(finished!.attributes).toEqual({ 'url.full': 'https://app.example.com/callback', 'http.target': '/callback', 'http.url': 'http://api.example.com/x' });
  });

  it('applies a value length limit after redacting, to the span, its events and its links', () => {
    const limit = 20;
    const finish = (provider: TracerProvider, exporter: InMemorySpanExporter) => {
      const tracer = provider.getTracer('test');
      const linked = tracer.startSpan('linked');
      linked.end();
      const span = tracer.startSpan('GET', {
        attributes: { 'url.full': 'https://user:password-1234@api.example.com/', 'long.text': 'x'.repeat(50), list: ['y'.repeat(30), 'short'], count: 123456789 },
        links: [{ context: linked.spanContext(), attributes: { 'link.note': 'z'.repeat(30) } }],
      });
      span.addEvent('event', { 'event.note': 'w'.repeat(30) });
      span.end();
      return exporter.getFinishedSpans().find((finished) => finished.name === 'GET')!;
    };

    const exporter = new InMemorySpanExporter();
    const ours = finish(new TracerProvider({ spanProcessors: [new RedactUrlAttributesProcessor(limit), new SimpleSpanProcessor({ exporter })] }), exporter);
    expect(ours.attributes).toEqual({ 'url.full': 'https://REDACTED:RED', 'long.text': 'x'.repeat(limit), list: ['y'.repeat(limit), 'short'], count: 123456789 });
    expect(ours.events[0]!.attributes).toEqual({ 'event.note': 'w'.repeat(limit) });
    expect(ours.links[0]!.attributes).toEqual({ 'link.note': 'z'.repeat(limit) });

    // Why not the SDK's own limit: it cuts when the value is set, and the cut URL no longer shows
    // its credentials to the redaction (no "@" left), so the start of the password goes out.
    const sdkExporter = new InMemorySpanExporter();
    const sdkLimited = finish(
      new TracerProvider({ spanLimits: { attributeValueLengthLimit: limit }, spanProcessors: [new RedactUrlAttributesProcessor(), new SimpleSpanProcessor({ exporter: sdkExporter })] }),
      sdkExporter,
    );
    expect(sdkLimited.attributes['url.full']).toBe('https://user:passwor');
  });
});
