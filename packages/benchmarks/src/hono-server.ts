// Child process: one Hono server with one telemetry setup. Argument: the setup name.
// Telemetry starts before @hono/node-server (and node:http) load, as it must in a real service.
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { MiddlewareHandler } from 'hono';
import { serveParent } from './child-process.ts';
import { createBenchApp } from './hono-app.ts';
import { HONO_SETUPS, type HonoSetup } from './hono-setups.ts';

const setup = process.argv[2] as HonoSetup;
if (!HONO_SETUPS.includes(setup)) throw new Error(`unknown setup ${setup}`);
const endpoint = process.env.BENCH_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318';
const sampleRatio = Number(process.env.BENCH_SAMPLE_RATIO ?? '0.1');

const middleware: MiddlewareHandler[] = [];
let flush: () => Promise<void> = async () => {};

if (setup === 'bare-middleware') {
  middleware.push(async (_c, next) => {
    await next();
  });
} else if (setup === 'kira-off') {
  const { startTelemetry } = await import('@kira/otel-core');
  const { otelHono } = await import('@kira/otel-hono');
  startTelemetry({ enabled: false, console: false, instrumentations: { http: { inbound: false } } });
  middleware.push(otelHono({ spanOwnership: 'middleware' }));
} else if (setup === 'kira' || setup === 'kira-auto' || setup === 'kira-floor') {
  const { startTelemetry } = await import('@kira/otel-core');
  const { otelHono } = await import('@kira/otel-hono');
  const { floorMiddleware } = await import('./floor-middleware.ts');
  // The documented Hono setup: otel-hono owns the SERVER span, the http instrumentation keeps
  // only its outbound side. `kira-auto` is the default (instrumentation owns it) for comparison.
  const telemetry = startTelemetry({
    enabled: true,
    serviceName: `bench-${setup}`,
    endpoint,
    sampleRatio,
    console: false,
    shutdownOnExit: false,
    instrumentations: setup === 'kira-auto' ? {} : { http: { inbound: false } },
  });
  if (!telemetry.enabled) throw new Error('telemetry did not start');
  flush = () => telemetry.forceFlush();
  if (setup === 'kira-floor') middleware.push(floorMiddleware());
  else middleware.push(otelHono({ spanOwnership: setup === 'kira' ? 'middleware' : 'auto' }));
} else if (setup === 'usual' || setup === 'usual-hono-otel') {
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const { ParentBasedSampler, TraceIdRatioBasedSampler } = await import('@opentelemetry/sdk-trace');
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  const { OTLPMetricExporter } = await import('@opentelemetry/exporter-metrics-otlp-proto');
  const { PeriodicExportingMetricReader } = await import('@opentelemetry/sdk-metrics');
  const { HttpInstrumentation } = await import('@opentelemetry/instrumentation-http');
  const { UndiciInstrumentation } = await import('@opentelemetry/instrumentation-undici');
  // The setup most Node services copy from the OpenTelemetry docs (NodeSDK wraps the trace
  // exporter in a BatchSpanProcessor).
  const sdk = new NodeSDK({
    serviceName: `bench-${setup}`,
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(sampleRatio) }),
    traceExporter: new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }),
    metricReaders: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: `${endpoint}/v1/metrics` }) })],
    logRecordProcessors: [],
    instrumentations: [new HttpInstrumentation(), new UndiciInstrumentation()],
  });
  sdk.start();
  flush = async () => {
    const { trace } = await import('@opentelemetry/api');
    const provider = trace.getTracerProvider() as unknown as { getDelegate?: () => { forceFlush?: () => Promise<void> } };
    await provider.getDelegate?.().forceFlush?.();
  };
  if (setup === 'usual-hono-otel') {
    const { honoOtelLike } = await import('./hono-otel-like.ts');
    middleware.push(honoOtelLike());
  }
}

// An ES module's `import 'node:http'` bypasses the require hook; one require after start lets
// the instrumentation patch Server.prototype (what a CommonJS service or a loader hook gets).
createRequire(import.meta.url)('node:http');
const { serve } = await import('@hono/node-server');

const app = createBenchApp(middleware);
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
await new Promise<void>((resolve) => server.once('listening', () => resolve()));
const { port } = server.address() as AddressInfo;

serveParent(
  {
    stats: () => ({ cpu: process.cpuUsage(), memory: process.memoryUsage() }),
    /** Memory after a full collection (the child runs with --expose-gc). */
    memory: () => {
      (globalThis as { gc?: () => void }).gc?.();
      return process.memoryUsage();
    },
    flush: () => flush(),
  },
  { url: `http://127.0.0.1:${port}`, pid: process.pid },
);
